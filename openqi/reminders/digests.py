"""The reminder digests: who is due one, what it says, and sending it once.

``openqi send-reminders`` (the management command ``send_reminders``) calls
:func:`send_digests` once a day or more often. A person is due a digest when
they chose daily and none was sent for the day, or chose weekly (the default)
and none was sent for the ISO week: the weekly one goes out on the first run on
or after Monday, so a run missed on Monday is made up on Tuesday. Each digest
lists, for each of the person's organisations, what
:func:`openqi.reports.attention.items_for` says needs them; a person with
nothing needing them gets nothing.

Each person is sent in a transaction of their own: the :class:`Digest` row is
written first (its unique period stops a second run, or a run at the same time,
from sending it again), then the e-mail is sent; if sending fails the row is
rolled back with it, so the next run tries that person again and no one else.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from openqi.accounts.models import User
from openqi.organisations.models import Membership, Organisation
from openqi.reports.attention import KINDS, Item, items_for

from .models import DEFAULT_FREQUENCY, Digest, Frequency
from .services import frequency_of, unsubscribe_token

logger = logging.getLogger(__name__)

#: People read (with their memberships) per query.
BATCH_SIZE = 200
#: Failures in a row after which the run stops (the mail server is down).
MAX_FAILURES_IN_A_ROW = 5
#: How long the record of a digest sent is kept.
KEEP_DAYS = 90
#: Items shown per organisation; the rest are counted, with a link to the home page.
MAX_ITEMS_PER_ORGANISATION = 25

URGENCY_WORDS = {"overdue": "Overdue", "due": "Due", "new": "New"}


def period_for(frequency: str, day: datetime.date) -> str:
    """The period a digest of ``frequency`` sent on ``day`` covers: the date for a
    daily one (``2027-03-01``), the ISO week for a weekly one (``2027-W09``)."""
    if frequency == Frequency.DAILY:
        return day.isoformat()
    if frequency == Frequency.WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"no digest is sent for the choice {frequency!r}")


def people_due(day: datetime.date) -> QuerySet[User]:
    """Active members of an organisation whose choice sends them a digest on ``day``
    and who have not had it yet, by id; each annotated with ``reminder_frequency``."""
    users = (
        User.objects.filter(is_active=True)
        .filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .annotate(
            reminder_frequency=Coalesce(
                "reminder_choice__frequency", Value(str(DEFAULT_FREQUENCY))
            )
        )
        .exclude(reminder_frequency=Frequency.NONE)
    )
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        sent = Digest.objects.filter(
            user=OuterRef("pk"), period=period_for(frequency, day)
        )
        users = users.exclude(Q(reminder_frequency=frequency) & Exists(sent))
    return users.order_by("pk")


def _batches(day: datetime.date, batch_size: int) -> Iterator[list[User]]:
    """:func:`people_due` a batch at a time, each with its memberships."""
    memberships = Membership.objects.select_related("organisation", "unit").order_by(
        "organisation__name", "organisation__pk"
    )
    last = 0
    while True:
        batch = list(
            people_due(day)
            .filter(pk__gt=last)
            .prefetch_related(Prefetch("memberships", queryset=memberships))[
                :batch_size
            ]
        )
        if not batch:
            return
        last = batch[-1].pk
        yield batch


@dataclass(frozen=True)
class Section:
    """What needs the person in one of their organisations."""

    organisation: Organisation
    items: list[Item]
    more: int = 0


def sections_for(user: User, day: datetime.date) -> list[Section]:
    """Each of the person's organisations where something needs them, with what."""
    sections = []
    for membership in user.memberships.all():
        items = items_for(membership, today=day)
        if items:
            shown = items[:MAX_ITEMS_PER_ORGANISATION]
            sections.append(
                Section(membership.organisation, shown, len(items) - len(shown))
            )
    return sections


def subject_for(frequency: str, count: int) -> str:
    when = "today" if frequency == Frequency.DAILY else "this week"
    what = "1 thing needs" if count == 1 else f"{count:,} things need"
    return f"OpenQI: {what} you {when}"


def message_for(
    user: User,
    frequency: str,
    sections: list[Section],
    *,
    site_url: str,
    day: datetime.date,
) -> EmailMultiAlternatives:
    """The digest e-mail: plain text and HTML, with the unsubscribe headers of
    RFC 2369 and RFC 8058 (a mail program's one-click "unsubscribe")."""
    site = site_url.rstrip("/")
    unsubscribe = site + reverse(
        "reminders:unsubscribe", kwargs={"token": unsubscribe_token(user)}
    )
    count = sum(len(s.items) + s.more for s in sections)
    context = {
        "name": user.get_short_name(),
        "frequency": frequency,
        "is_daily": frequency == Frequency.DAILY,
        "sections": [
            {
                "organisation": s.organisation.name,
                "home": site
                + reverse("reports:home", kwargs={"slug": s.organisation.slug}),
                "entries": [
                    {
                        "title": item.title,
                        "detail": item.detail,
                        "link": site + item.url,
                        "urgency": URGENCY_WORDS.get(item.urgency, item.urgency),
                        "kind": KINDS.get(item.kind, ""),
                    }
                    for item in s.items
                ],
                "more": s.more,
            }
            for s in sections
        ],
        "count": count,
        "day": day,
        "choice_url": site + reverse("reminders:choice"),
        "unsubscribe_url": unsubscribe,
        "site_url": site + "/",
    }
    message = EmailMultiAlternatives(
        subject=subject_for(frequency, count),
        body=render_to_string("reminders/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("reminders/email/digest.html", context), "text/html"
    )
    return message


@dataclass
class Outcome:
    """What a run did (``would_send`` on a dry run)."""

    sent: dict[str, int] = field(
        default_factory=lambda: {Frequency.DAILY: 0, Frequency.WEEKLY: 0}
    )
    nothing_to_say: int = 0
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def sent_count(self) -> int:
        return sum(self.sent.values())


def _send_one(
    user: User,
    frequency: str,
    period: str,
    message: EmailMultiAlternatives,
    item_count: int,
) -> bool:
    """Record and send one digest in one transaction; False when it was already
    sent (by another run) or the person has since chosen otherwise."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                Digest.objects.create(
                    user=user,
                    period=period,
                    frequency=frequency,
                    item_count=item_count,
                )
        except IntegrityError:
            return False
        if frequency_of(user) != frequency:  # unsubscribed since the batch was read
            transaction.set_rollback(True)
            return False
        message.send()  # an error rolls the record back: the next run tries again
    return True


def send_digests(
    day: datetime.date,
    *,
    site_url: str,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    connection: BaseEmailBackend | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> Outcome:
    """Send each person due a digest on ``day`` what needs them (see the module's
    docstring); ``dry_run`` sends and records nothing and says who would get what."""
    outcome = Outcome()
    in_a_row = 0
    for batch in _batches(day, batch_size):
        for user in batch:
            frequency = str(getattr(user, "reminder_frequency", DEFAULT_FREQUENCY))
            sections = sections_for(user, day)
            if not sections:
                outcome.nothing_to_say += 1
                continue
            message = message_for(user, frequency, sections, site_url=site_url, day=day)
            message.connection = connection
            count = sum(len(s.items) + s.more for s in sections)
            if dry_run:
                say(
                    f"would send {user.email} a {frequency} digest of {count} "
                    f"item{'' if count == 1 else 's'}"
                )
                outcome.sent[frequency] += 1
                continue
            try:
                sent = _send_one(
                    user, frequency, period_for(frequency, day), message, count
                )
            except Exception as exc:  # a mail server's refusal, a timeout: go on
                logger.exception("reminder digest to user %s not sent", user.pk)
                outcome.failed.append(f"{user.email}: {exc}")
                in_a_row += 1
                if in_a_row >= MAX_FAILURES_IN_A_ROW:
                    outcome.stopped_early = True
                    return outcome
                continue
            in_a_row = 0
            if sent:
                outcome.sent[frequency] += 1
            else:
                outcome.already_sent += 1
    if not dry_run:
        forget_old_digests()
    return outcome


def forget_old_digests() -> int:
    """Delete the records of digests sent more than ``KEEP_DAYS`` ago."""
    cutoff = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    deleted, _ = Digest.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
