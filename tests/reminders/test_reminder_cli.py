"""``openqi send-reminders``: the command line's verb calls the management command."""

from __future__ import annotations

import pytest
from django.core import mail

from openqi.cli import main
from openqi.reminders.models import Digest
from tests.base import BaseTestCase
from tests.reminders.helpers import MONDAY, SITE, owned_measure_with_concern


class SendRemindersVerbTests(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _capture(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def test_the_verb_sends_and_prints_the_summary(self) -> None:
        owned_measure_with_concern(self.org, self.member, "Falls on ward 7")
        status = main(
            ["send-reminders", "--site-url", SITE, "--date", MONDAY.isoformat()]
        )
        out = self.capsys.readouterr().out
        self.assertEqual(status, 0)
        self.assertIn("Sent 1 reminder e-mail for 2027-03-01 (0 daily, 1 weekly)", out)
        self.assertEqual([m.to for m in mail.outbox], [[self.member.email]])

    def test_a_dry_run_through_the_verb_sends_nothing(self) -> None:
        owned_measure_with_concern(self.org, self.member, "Falls on ward 7")
        status = main(["send-reminders", "--site-url", SITE, "--dry-run"])
        self.assertEqual(status, 0)
        self.assertIn("Would send 1 reminder e-mail", self.capsys.readouterr().out)
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Digest.objects.exists())

    def test_bad_input_exits_2_with_the_fix(self) -> None:
        status = main(["send-reminders", "--site-url", SITE, "--date", "2027-02-30"])
        err = self.capsys.readouterr().err
        self.assertEqual(status, 2)
        self.assertIn("error: --date must be a date written YYYY-MM-DD", err)
        self.assertEqual(main(["send-reminders"]), 2)  # --site-url is required
