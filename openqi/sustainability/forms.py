"""Input checking for the sustainability pages (the API binds the same forms)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from openqi.core.forms import NHSDateField, SaysWhatToEnter, WholeNumberField

from .builtin import FACTORS, SCALE

#: How far from today a check may be dated.
_YEARS_BACK = 5
_DAYS_AHEAD = 31


class OpenCheckForm(SaysWhatToEnter, forms.Form):
    opened_on = NHSDateField(label="Date of the check")

    def clean_opened_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["opened_on"]
        today = timezone.localdate()
        earliest = today.replace(year=today.year - _YEARS_BACK, day=1)
        if value < earliest:
            raise forms.ValidationError(
                f"The date must be within the last {_YEARS_BACK} years, "
                f"on or after {earliest:%-d %B %Y}."
            )
        if value > today + datetime.timedelta(days=_DAYS_AHEAD):
            raise forms.ValidationError(
                f"The date can be at most {_DAYS_AHEAD} days ahead; enter today's date "
                "or the day of the team's meeting."
            )
        return value


SCALE_CHOICES = [(str(value), f"{value} – {label}") for value, label in SCALE.items()]


class RatingForm(SaysWhatToEnter, forms.Form):
    """One person's rating of the ten factors, each 1–5."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in FACTORS:
            self.fields[f.key] = forms.TypedChoiceField(
                label=f.question,
                help_text=f.hint,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose how far this is true: {f.title.lower()}.",
                    "invalid_choice": f"Choose a rating from 1 to 5 for {f.title.lower()}.",
                },
            )

    def scores(self) -> dict[str, int]:
        return {f.key: int(self.cleaned_data[f.key]) for f in FACTORS}


class ActionForm(SaysWhatToEnter, forms.Form):
    factor = forms.ChoiceField(
        label="Factor",
        choices=[(f.key, f.title) for f in FACTORS],
        error_messages={"invalid_choice": "Choose one of the ten factors."},
    )


class ActionStatusForm(SaysWhatToEnter, forms.Form):
    """Mark an action done or not started, with the version the person saw."""

    status = forms.ChoiceField(
        label="Status",
        choices=[("open", "Not started"), ("done", "Done")],
        error_messages={"invalid_choice": "Choose Done or Not started."},
    )
    version = WholeNumberField(label="Version", min_value=1, max_value=2**31 - 1)
