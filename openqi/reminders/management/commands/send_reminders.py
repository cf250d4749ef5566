"""``python manage.py send_reminders`` (``openqi send-reminders``): e-mail each
person due a reminder what needs them (openqi/reminders/digests.py).

Run it once a day, from cron or a systemd timer (docs/install.md). Running it
again, or more often, sends nothing twice: each digest sent is recorded for its
day (daily) or ISO week (weekly).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator
from django.utils import timezone

from openqi.reminders import digests
from openqi.reminders.models import Frequency


def _day(text: str | None) -> datetime.date:
    if not text:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--date must be a date written YYYY-MM-DD, such as 2027-03-01; got {text!r}."
        ) from None


def _site_url(text: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise CommandError(
            "--site-url must be the address people use, starting https:// (such as "
            f"https://openqi.example.org); got {text!r}."
        ) from None
    return text.rstrip("/")


class Command(BaseCommand):
    help = (
        "E-mail each person due a reminder (daily or weekly, by their choice) what "
        "needs them in their organisations. Nothing is sent twice for the same day "
        "or week, and nothing to someone nothing needs. Example: send_reminders "
        "--site-url https://openqi.example.org"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            required=True,
            metavar="URL",
            help="the address people use, which starts the links in the e-mails",
        )
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="send as on this day (default today): which digests are due, and "
            "what is due or overdue by then",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="send and record nothing; list who would get a digest",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options.get("date"))
        site_url = _site_url(options["site_url"])
        dry_run = bool(options.get("dry_run"))
        connection = None if dry_run else get_connection()
        if connection is not None:
            try:
                connection.open()  # one connection to the mail server for the run
            except OSError as exc:  # smtplib's errors are OSErrors too
                raise CommandError(
                    f"cannot reach the mail server: {exc}; check the mail settings "
                    "(OPENQI_EMAIL_*) and run it again."
                ) from None
        try:
            outcome = digests.send_digests(
                day,
                site_url=site_url,
                dry_run=dry_run,
                connection=connection,
                say=self.stdout.write,
            )
        finally:
            if connection is not None:
                connection.close()
        summary = _summary(outcome, day, dry_run)
        if outcome.failed:
            raise CommandError(
                summary
                + f" {len(outcome.failed)} could not be sent"
                + (" and the run stopped" if outcome.stopped_early else "")
                + f" (first: {outcome.failed[0]}): check the mail settings "
                "(OPENQI_EMAIL_*) and run it again; what was sent is not sent twice."
            )
        self.stdout.write(summary)


def _summary(outcome: digests.Outcome, day: datetime.date, dry_run: bool) -> str:
    daily = outcome.sent[Frequency.DAILY]
    weekly = outcome.sent[Frequency.WEEKLY]
    verb = "Would send" if dry_run else "Sent"
    text = (
        f"{verb} {outcome.sent_count} reminder e-mail"
        f"{'' if outcome.sent_count == 1 else 's'} for {day.isoformat()} "
        f"({daily} daily, {weekly} weekly); {outcome.nothing_to_say} "
        f"{'person' if outcome.nothing_to_say == 1 else 'people'} had nothing needing them."
    )
    if outcome.already_sent:
        text += f" {outcome.already_sent} had theirs already."
    return text
