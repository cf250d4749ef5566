"""``send_reminders``: what a digest says, to whom, when, and never twice."""

from __future__ import annotations

import re
from unittest import mock

from django.core import mail
from django.core.management import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.accounts.models import User
from openqi.reminders.digests import people_due, period_for
from openqi.reminders.models import Digest, Frequency, ReminderChoice
from openqi.reminders.services import unsubscribe_token
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.reminders.helpers import (
    MONDAY,
    NEXT_MONDAY,
    SITE,
    TUESDAY,
    owned_measure_with_concern,
    send,
    sent_to,
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def choose(user: User, frequency: str) -> None:
    ReminderChoice.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )


class DigestContentTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.measure = owned_measure_with_concern(cls.org, cls.member, "Falls on ward 7")
        owned_measure_with_concern(cls.org, cls.lead, "Pressure ulcers")

    def test_a_person_with_a_concern_gets_it_with_a_link_in_both_bodies(self) -> None:
        send()
        [message] = sent_to(self.member.email)
        self.assertEqual(message.subject, "OpenQI: 1 thing needs you this week")
        link = f"{SITE}/organisations/northfield/measures/{self.measure.pk}/"
        self.assertIn("Falls on ward 7", message.body)
        self.assertIn(link, message.body)
        self.assertIn("Northfield Hospitals NHS Trust", message.body)
        self.assertIn("Hello Mo,", message.body)
        [(html, kind)] = message.alternatives
        self.assertEqual(kind, "text/html")
        self.assertIn(f'<a href="{link}">Falls on ward 7</a>', html)
        self.assertIn("<h2>Northfield Hospitals NHS Trust</h2>", html)
        self.assertNotIn("Pressure ulcers", message.body + html)

    def test_a_body_names_no_other_persons_e_mail_address(self) -> None:
        send()
        for person in (self.member, self.lead):
            [message] = sent_to(person.email)
            [(html, _)] = message.alternatives
            addresses = set(EMAIL.findall(message.body + html))
            self.assertEqual(addresses, set(), person.email)
            self.assertEqual(message.to, [person.email])

    def test_nothing_is_sent_to_a_person_nothing_needs(self) -> None:
        out = send()
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            sorted([self.member.email, self.lead.email]),
        )
        self.assertEqual(sent_to(self.viewer.email), [])
        self.assertIn("Sent 2 reminder e-mails for 2027-03-01", out)
        self.assertFalse(Digest.objects.filter(user=self.viewer).exists())

    def test_the_unsubscribe_headers_name_the_persons_own_link(self) -> None:
        send()
        [message] = sent_to(self.member.email)
        link = f"{SITE}/reminders/unsubscribe/{unsubscribe_token(self.member)}/"
        self.assertEqual(message.extra_headers["List-Unsubscribe"], f"<{link}>")
        self.assertEqual(
            message.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click"
        )
        self.assertIn(link, message.body)
        self.assertIn(f"{SITE}/reminders/", message.body)
        [(html, _)] = message.alternatives
        self.assertIn(f'href="{link}"', html)

    def test_a_dry_run_sends_and_records_nothing(self) -> None:
        out = send(dry_run=True)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Digest.objects.exists())
        self.assertIn(f"would send {self.member.email} a weekly digest of 1 item", out)
        self.assertIn("Would send 2 reminder e-mails", out)

    def test_someone_who_chose_none_gets_nothing(self) -> None:
        choose(self.member, Frequency.NONE)
        send()
        self.assertEqual(sent_to(self.member.email), [])
        self.assertEqual(len(sent_to(self.lead.email)), 1)

    def test_an_inactive_person_gets_nothing(self) -> None:
        User.objects.filter(pk=self.member.pk).update(is_active=False)
        send()
        self.assertEqual(sent_to(self.member.email), [])

    def test_a_person_in_two_organisations_gets_one_e_mail_with_both(self) -> None:
        from openqi.organisations.models import Membership

        Membership.objects.create(user=self.member, organisation=self.other_org)
        owned_measure_with_concern(self.other_org, self.member, "Missed doses")
        send()
        [message] = sent_to(self.member.email)
        self.assertIn("Northfield Hospitals NHS Trust", message.body)
        self.assertIn("Southmere Community Trust", message.body)
        self.assertIn("Missed doses", message.body)
        self.assertEqual(message.subject, "OpenQI: 2 things need you this week")


class TimingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        owned_measure_with_concern(cls.org, cls.member, "Falls on ward 7")
        owned_measure_with_concern(cls.org, cls.lead, "Pressure ulcers")
        choose(cls.lead, Frequency.DAILY)

    def test_the_period_is_the_day_or_the_iso_week(self) -> None:
        self.assertEqual(period_for(Frequency.DAILY, MONDAY), "2027-03-01")
        self.assertEqual(period_for(Frequency.WEEKLY, MONDAY), "2027-W09")
        self.assertEqual(period_for(Frequency.WEEKLY, TUESDAY), "2027-W09")
        with self.assertRaises(ValueError):
            period_for(Frequency.NONE, MONDAY)

    def test_daily_every_day_weekly_once_a_week(self) -> None:
        for day in (MONDAY, TUESDAY, NEXT_MONDAY):
            send(day)
        self.assertEqual(len(sent_to(self.lead.email)), 3)
        weekly = sent_to(self.member.email)
        self.assertEqual(len(weekly), 2)
        self.assertEqual(sent_to(self.lead.email)[0].subject.split(" you ")[1], "today")
        self.assertEqual(
            list(
                Digest.objects.filter(user=self.member)
                .order_by("period")
                .values_list("period", flat=True)
            ),
            ["2027-W09", "2027-W10"],
        )

    def test_a_weekly_digest_missed_on_monday_goes_on_the_next_run(self) -> None:
        send(TUESDAY)
        self.assertEqual(len(sent_to(self.member.email)), 1)
        send(TUESDAY + (TUESDAY - MONDAY))
        self.assertEqual(len(sent_to(self.member.email)), 1)

    def test_people_due_leaves_out_who_has_had_theirs(self) -> None:
        self.assertIn(self.member, people_due(MONDAY))
        send(MONDAY)
        due = set(people_due(MONDAY))
        self.assertNotIn(self.member, due)
        self.assertNotIn(self.lead, due)
        self.assertIn(self.lead, set(people_due(TUESDAY)))
        self.assertNotIn(self.member, set(people_due(TUESDAY)))


class IdempotencyTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        owned_measure_with_concern(cls.org, cls.member, "Falls on ward 7")
        owned_measure_with_concern(cls.org, cls.lead, "Pressure ulcers")

    def test_running_twice_sends_one_e_mail(self) -> None:
        send()
        out = send()
        self.assertEqual(len(sent_to(self.member.email)), 1)
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("Sent 0 reminder e-mails", out)
        self.assertEqual(Digest.objects.filter(user=self.member).count(), 1)

    def test_a_run_that_failed_half_way_sends_the_rest_and_nothing_twice(self) -> None:
        real_send = mail.EmailMultiAlternatives.send
        refused = self.lead.email

        def flaky(message: mail.EmailMultiAlternatives, *args: object) -> int:
            if refused in message.to:
                raise ConnectionRefusedError("the mail server hung up")
            return real_send(message, *args)

        with mock.patch.object(mail.EmailMultiAlternatives, "send", flaky):
            with self.assertRaisesRegex(CommandError, "1 could not be sent"):
                send()
        self.assertEqual(len(sent_to(self.member.email)), 1)
        self.assertEqual(sent_to(self.lead.email), [])
        self.assertFalse(Digest.objects.filter(user=self.lead).exists())
        send()
        self.assertEqual(len(sent_to(self.member.email)), 1)
        self.assertEqual(len(sent_to(self.lead.email)), 1)

    def test_the_run_stops_when_the_mail_server_refuses_everyone(self) -> None:
        for n in range(6):
            person = make_member(self.org, full_name=f"Extra Person {n}")
            owned_measure_with_concern(self.org, person, f"Measure {n}")
        with mock.patch.object(
            mail.EmailMultiAlternatives,
            "send",
            side_effect=ConnectionRefusedError("no mail server"),
        ):
            with self.assertRaisesRegex(CommandError, "the run stopped"):
                send()
        self.assertFalse(Digest.objects.exists())

    def test_an_unreachable_mail_server_is_named(self) -> None:
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.open",
            side_effect=ConnectionRefusedError("Connection refused"),
        ):
            with self.assertRaisesRegex(
                CommandError, "cannot reach the mail server: Connection refused"
            ):
                send()
        self.assertFalse(Digest.objects.exists())

    def test_someone_who_unsubscribed_during_the_run_is_not_sent(self) -> None:
        real_create = Digest.objects.create

        def unsubscribe_first(**fields: object) -> Digest:
            choose(self.member, Frequency.NONE)
            return real_create(**fields)

        with mock.patch.object(Digest.objects, "create", unsubscribe_first):
            send()
        self.assertEqual(sent_to(self.member.email), [])
        self.assertFalse(Digest.objects.filter(user=self.member).exists())


class CommandInputTests(BaseTestCase):
    def test_a_bad_date_says_how_to_write_one(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        with self.assertRaisesRegex(CommandError, "YYYY-MM-DD, such as 2027-03-01"):
            call_command(
                "send_reminders", site_url=SITE, date="1 March", stdout=StringIO()
            )

    def test_a_bad_site_url_says_what_is_wanted(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        with self.assertRaisesRegex(CommandError, "starting https://"):
            call_command("send_reminders", site_url="openqi", stdout=StringIO())


class QueryTests(BaseTestCase):
    def test_queries_grow_with_people_not_with_the_whole_organisation(self) -> None:
        owned_measure_with_concern(self.org, self.member, "Falls on ward 7")
        for n in range(4):
            person = make_member(self.org, full_name=f"Extra Person {n}")
            owned_measure_with_concern(self.org, person, f"Measure {n}")
        with CaptureQueriesContext(connection) as queries:
            send()
        self.assertEqual(len(mail.outbox), 5)
        # About a dozen per person sent (what needs them, the record, the choice read
        # again) and a few per batch; seven people are read.
        self.assertLessEqual(len(queries), 5 * 14 + 2 * 6 + 10)
