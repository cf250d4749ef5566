"""Input checking for the reminders page."""

from __future__ import annotations

from django import forms

from openqi.core.versioning import VersionedForm

from .models import Frequency, ReminderChoice


class ReminderChoiceForm(VersionedForm):
    """How often the person wants an e-mail of what needs them."""

    frequency = forms.ChoiceField(
        label="How often do you want a reminder e-mail?",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text="It lists what needs you in each of your organisations. Nothing "
        "is sent when nothing needs you.",
        error_messages={
            "required": "Choose how often you want a reminder e-mail: every day, "
            "once a week or never.",
            "invalid_choice": "Choose every day, once a week or never.",
        },
    )

    class Meta:
        model = ReminderChoice
        fields = ["frequency"]
