"""The reminders page (the person's own choice) and the unsubscribe link."""

from __future__ import annotations

from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from openqi.accounts.models import User
from openqi.reminders import services
from openqi.reminders.models import Frequency, ReminderChoice
from tests.base import BaseTestCase
from tests.reminders.helpers import SITE, owned_measure_with_concern, send, sent_to

CHOICE = reverse("reminders:choice")


def frequency(user: User) -> str:
    return services.frequency_of(user)


def unsubscribe_url(user: User) -> str:
    return reverse(
        "reminders:unsubscribe", kwargs={"token": services.unsubscribe_token(user)}
    )


class ChoicePageTests(BaseTestCase):
    def test_anonymous_is_sent_to_sign_in_and_nothing_changes(self) -> None:
        for response in (
            self.client.get(CHOICE),
            self.client.post(CHOICE, {"frequency": "daily"}),
        ):
            self.assertEqual(response.status_code, 302)
            self.assertTrue(
                response["Location"].startswith(reverse("accounts:sign_in"))
            )
        self.assertFalse(ReminderChoice.objects.exists())

    def test_the_default_is_weekly(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(CHOICE)
        self.assertContains(response, "<h1>Your reminders</h1>", html=True)
        self.assertContains(response, 'value="weekly" checked')
        self.assertContains(response, self.viewer.email)
        self.assertEqual(frequency(self.viewer), Frequency.WEEKLY)

    def test_each_person_changes_only_their_own_choice(self) -> None:
        for user, chosen in ((self.viewer, "daily"), (self.outsider, "none")):
            with self.subTest(user=user.full_name):
                self.sign_in(user)
                response = self.client.post(CHOICE, {"frequency": chosen})
                self.assertRedirects(response, CHOICE)
                self.assertEqual(frequency(user), chosen)
                page = self.client.get(CHOICE)
                self.assertContains(page, f'value="{chosen}" checked')
        self.assertEqual(frequency(self.editor), Frequency.WEEKLY)
        choice = ReminderChoice.objects.get(user=self.viewer)
        self.assertEqual(choice.changed_via, ReminderChoice.Via.PAGE)

    def test_the_saved_message_says_what_happens(self) -> None:
        self.sign_in(self.member)
        response = self.client.post(CHOICE, {"frequency": "daily"}, follow=True)
        self.assertContains(response, "every day when something needs you")
        response = self.client.post(CHOICE, {"frequency": "none"}, follow=True)
        self.assertContains(response, "You will get no reminder e-mails.")

    def test_a_missing_or_unknown_choice_is_shown_again_with_the_fix(self) -> None:
        self.sign_in(self.member)
        for data, message in (
            ({}, "Choose how often you want a reminder e-mail"),
            ({"frequency": "hourly"}, "Choose every day, once a week or never."),
            ({"frequency": "x" * 10_000}, "Choose every day, once a week or never."),
        ):
            with self.subTest(data=str(data)[:30]):
                response = self.client.post(CHOICE, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "There is a problem")
                self.assertContains(response, message)
        self.assertEqual(frequency(self.member), Frequency.WEEKLY)

    def test_a_change_saved_meanwhile_is_not_overwritten_silently(self) -> None:
        self.sign_in(self.member)
        self.client.post(CHOICE, {"frequency": "daily"})
        choice = ReminderChoice.objects.get(user=self.member)
        stale = choice.version
        services.unsubscribe(self.member)  # the link, in another tab
        response = self.client.post(CHOICE, {"frequency": "weekly", "version": stale})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Saved by someone else")
        self.assertEqual(frequency(self.member), Frequency.NONE)

    def test_other_methods_are_refused(self) -> None:
        self.sign_in(self.member)
        self.assertEqual(self.client.put(CHOICE).status_code, 405)

    def test_the_profile_links_to_it(self) -> None:
        self.sign_in(self.member)
        response = self.client.get(reverse("accounts:profile"))
        self.assertContains(response, f'href="{CHOICE}"')

    def test_the_page_reads_few_queries(self) -> None:
        self.sign_in(self.member)
        self.client.get(CHOICE)
        with self.assertNumQueries(5):
            self.client.get(CHOICE)


class UnsubscribeTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        ReminderChoice.objects.create(user=self.member, frequency=Frequency.DAILY)
        ReminderChoice.objects.create(user=self.lead, frequency=Frequency.DAILY)

    def test_a_get_asks_and_changes_nothing(self) -> None:
        response = self.client.get(unsubscribe_url(self.member))
        self.assertContains(response, "Stop reminder e-mails?")
        self.assertContains(response, 'method="post"')
        self.assertEqual(frequency(self.member), Frequency.DAILY)

    def test_the_link_works_without_signing_in_and_changes_only_that_person(
        self,
    ) -> None:
        url = unsubscribe_url(self.member)
        response = self.client.post(url)
        self.assertRedirects(response, url)
        self.assertEqual(frequency(self.member), Frequency.NONE)
        self.assertEqual(frequency(self.lead), Frequency.DAILY)
        self.assertEqual(frequency(self.editor), Frequency.WEEKLY)
        choice = ReminderChoice.objects.get(user=self.member)
        self.assertEqual(choice.changed_via, ReminderChoice.Via.UNSUBSCRIBE)
        page = self.client.get(url)
        self.assertContains(page, "No more reminder e-mails")
        self.assertNotContains(page, self.member.email)

    def test_signed_in_as_someone_else_it_still_changes_only_the_links_person(
        self,
    ) -> None:
        self.sign_in(self.lead)
        self.client.post(unsubscribe_url(self.member))
        self.assertEqual(frequency(self.member), Frequency.NONE)
        self.assertEqual(frequency(self.lead), Frequency.DAILY)

    def test_a_mail_programs_one_click_post_needs_no_cookie_or_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            unsubscribe_url(self.member), {"List-Unsubscribe": "One-Click"}
        )
        self.assertIn(response.status_code, (200, 302))
        self.assertEqual(frequency(self.member), Frequency.NONE)

    def test_the_link_in_a_digest_works(self) -> None:
        owned_measure_with_concern(self.org, self.member, "Falls on ward 7")
        send()
        [message] = sent_to(self.member.email)
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        self.assertTrue(link.startswith(SITE))
        path = link.removeprefix(SITE)
        self.assertEqual(frequency(self.member), Frequency.DAILY)
        self.client.post(path, {"List-Unsubscribe": "One-Click"})
        self.assertEqual(frequency(self.member), Frequency.NONE)
        mail.outbox.clear()
        send()
        self.assertEqual(sent_to(self.member.email), [])

    def test_a_tampered_token_answers_a_clear_404(self) -> None:
        token = services.unsubscribe_token(self.member)
        payload, rest = token.split(":", 1)
        other = services.unsubscribe_token(self.lead).split(":", 1)[0]
        forged_for_other_salt = signing.dumps(
            {"user": self.lead.pk, "purpose": "unsubscribe"}, salt="something else"
        )
        wrong_purpose = signing.Signer(salt=services.UNSUBSCRIBE_SALT).sign_object(
            {"user": self.lead.pk, "purpose": "sign-in"}
        )
        not_a_number = signing.Signer(salt=services.UNSUBSCRIBE_SALT).sign_object(
            {"user": [self.lead.pk], "purpose": "unsubscribe"}
        )
        for bad in (
            f"{other}:{rest}",  # someone else's id under this person's signature
            token[:-3],  # cut short
            token + "x",
            "not-a-token",
            forged_for_other_salt,
            wrong_purpose,
            not_a_number,
            "a" * 5000,
            "é€",
        ):
            for method in ("get", "post"):
                with self.subTest(token=bad[:40], method=method):
                    url = reverse("reminders:unsubscribe", kwargs={"token": bad})
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 404)
                    self.assertContains(
                        response, "This link does not work", status_code=404
                    )
        self.assertEqual(frequency(self.member), Frequency.DAILY)
        self.assertEqual(frequency(self.lead), Frequency.DAILY)

    def test_the_link_of_a_person_no_longer_active_does_not_work(self) -> None:
        url = unsubscribe_url(self.member)
        User.objects.filter(pk=self.member.pk).update(is_active=False)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_other_methods_are_refused(self) -> None:
        self.assertEqual(self.client.put(unsubscribe_url(self.member)).status_code, 405)
