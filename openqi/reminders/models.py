"""Each person's choice of reminders, and the digests sent.

A person without a :class:`ReminderChoice` row gets the default, weekly: the
row is made the first time they (or the unsubscribe link) change it. A
:class:`Digest` row records one e-mail sent to one person for one period, so
``openqi send-reminders`` never sends the same period twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openqi.core.versioning import VersionedModel


class Frequency(models.TextChoices):
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Once a week, on Mondays"
    NONE = "none", "Never: send me no reminders"


#: What a person who has never chosen gets.
DEFAULT_FREQUENCY = Frequency.WEEKLY


class ReminderChoice(VersionedModel):
    """How often a person wants an e-mail of what needs them (versioned: the page
    and the unsubscribe link may change it at the same time)."""

    class Via(models.TextChoices):
        PAGE = "page", "Their reminders page"
        UNSUBSCRIBE = "unsubscribe", "The unsubscribe link in a reminder"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reminder_choice",
    )
    frequency = models.CharField(
        max_length=6, choices=Frequency.choices, default=DEFAULT_FREQUENCY
    )
    #: When and how it was last changed: the person's own record of it (a personal
    #: choice belongs to no organisation, so it is kept off organisations' trails).
    changed_at = models.DateTimeField(auto_now=True)
    changed_via = models.CharField(max_length=11, choices=Via.choices, default=Via.PAGE)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class Digest(models.Model):
    """One reminder e-mail sent: to whom, for which period (``2027-03-01`` for a
    daily one, ``2027-W09`` for a weekly one) and how many items it held."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_digests",
    )
    period = models.CharField(max_length=10)
    frequency = models.CharField(max_length=6, choices=Frequency.choices)
    item_count = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period"], name="reminders_one_digest_per_period"
            )
        ]
        indexes = [models.Index(fields=["sent_at"], name="reminders_digest_sent_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period}: {self.item_count} items"
