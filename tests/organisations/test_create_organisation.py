"""``manage.py create_organisation``: the first organisation and its administrator's invitation."""

from __future__ import annotations

import io

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Invitation, Organisation, Role
from tests.factories import make_organisation


def _create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_organisation", *args, stdout=out)
    return out.getvalue()


class CreateOrganisationTests(TestCase):
    def test_creates_the_organisation_and_invites_its_administrator(self) -> None:
        out = _create(
            "Northfield Hospitals NHS Trust", "--slug", "northfield",
            "--admin", "Lead@Example.org", "--site-url", "https://openqi.example.org/",
        )  # fmt: skip
        organisation = Organisation.objects.get(slug="northfield")
        invitation = Invitation.objects.get(organisation=organisation)
        self.assertEqual(
            (invitation.email, invitation.role), ("lead@example.org", Role.ADMIN)
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(
            "https://openqi.example.org/accounts/invitations/", mail.outbox[0].body
        )
        self.assertIn("lead@example.org", out)
        events = AuditEvent.objects.filter(organisation=organisation)
        self.assertEqual(set(events.values_list("via", flat=True)), {"command"})

    def test_a_provider_joins_its_system(self) -> None:
        system = make_organisation(slug="wolds-ics", kind=Organisation.Kind.SYSTEM)
        _create(
            "Wolds Trust", "--slug", "wolds", "--system", "wolds-ics",
            "--admin", "a@example.org", "--site-url", "https://x.example.org",
        )  # fmt: skip
        self.assertEqual(Organisation.objects.get(slug="wolds").system, system)

    def test_bad_input_changes_nothing(self) -> None:
        make_organisation(slug="taken")
        cases = [
            ["Taken", "--slug", "taken", "--admin", "a@example.org"],
            ["Bad", "--slug", "bad slug", "--admin", "a@example.org"],
            ["Bad", "--slug", "bad", "--admin", "not-an-address"],
            ["Bad", "--slug", "bad", "--admin", "a@example.org", "--system", "nowhere"],
        ]
        for args in cases:
            with self.subTest(args=args), self.assertRaises(CommandError):
                _create(*args, "--site-url", "https://x.example.org")
        self.assertEqual(Organisation.objects.count(), 1)
        self.assertEqual(Invitation.objects.count(), 0)
        self.assertEqual(len(mail.outbox), 0)
