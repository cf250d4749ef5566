"""A person's choice of reminders, and the signed link that stops them.

The choice page and the unsubscribe link change only the person's own
:class:`~openqi.reminders.models.ReminderChoice`. The link carries a token
signed with the site's secret key (``django.core.signing``) naming the person
and what it is for; it carries no time and does not expire, so the link in an old e-mail still
works (it stops working if ``OPENQI_SECRET_KEY`` changes without the old key
kept in ``SECRET_KEY_FALLBACKS``).
"""

from __future__ import annotations

from django.core import signing

from openqi.accounts.models import User
from openqi.core.versioning import saved_again

from .forms import ReminderChoiceForm
from .models import DEFAULT_FREQUENCY, Digest, Frequency, ReminderChoice

#: Binds a token to this use: a value signed for anything else does not pass.
UNSUBSCRIBE_SALT = "openqi.reminders.unsubscribe"
UNSUBSCRIBE_PURPOSE = "unsubscribe"
#: A token is about 70 characters; anything much longer was not made here.
MAX_TOKEN_LENGTH = 200


def choice_for(user: User, *, create: bool = False) -> ReminderChoice:
    """The person's choice; an unsaved default one (weekly) when they have never
    chosen, unless ``create`` asks for it to be saved (before a change)."""
    if create:
        choice, _ = ReminderChoice.objects.get_or_create(user=user)
        return choice
    return ReminderChoice.objects.filter(user=user).first() or ReminderChoice(
        user=user, frequency=DEFAULT_FREQUENCY
    )


def frequency_of(user: User) -> str:
    """How often the person gets reminders (the default when never chosen)."""
    found = (
        ReminderChoice.objects.filter(user=user)
        .values_list("frequency", flat=True)
        .first()
    )
    return found or DEFAULT_FREQUENCY


def save_choice(form: ReminderChoiceForm) -> ReminderChoice:
    """Save the choice made on the reminders page (its version is checked)."""
    choice: ReminderChoice = form.save(commit=False)
    choice.changed_via = ReminderChoice.Via.PAGE
    choice.save()
    return choice


def last_digest(user: User) -> Digest | None:
    return Digest.objects.filter(user=user).order_by("-sent_at").first()


def unsubscribe_token(user: User) -> str:
    """The token in the person's unsubscribe link (the same every time)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"user": user.pk, "purpose": UNSUBSCRIBE_PURPOSE}
    )


def user_for_token(token: str) -> User | None:
    """The active person an unsubscribe token was made for; None for a token that
    was changed, cut short or made for something else."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or data.get("purpose") != UNSUBSCRIBE_PURPOSE:
        return None
    pk = data.get("user")
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def unsubscribe(user: User) -> None:
    """Set the person's choice to none: no more reminders. Only theirs changes."""

    def attempt() -> None:
        choice = choice_for(user, create=True)
        if choice.frequency != Frequency.NONE:
            choice.frequency = Frequency.NONE
            choice.changed_via = ReminderChoice.Via.UNSUBSCRIBE
            choice.save()

    # A change made on the page at the same moment is read again, then overruled.
    saved_again(attempt, is_strict=False)
