"""Input checking for a completion entered by hand (the API's ``POST …/completions``;
a page that enters one binds the same form)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from openqi.core.forms import NHSDateField, SaysWhatToEnter
from openqi.organisations.models import Organisation, StaffRecord

from . import services
from .models import EARLIEST_DATE, LATEST_DATE, CapabilityLevel, Completion, Programme


def _long_date(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


class CompletionForm(SaysWhatToEnter, forms.Form):
    """That a person reached a level on a date, with the programme if there was one.

    The person is found by employee number or e-mail address, as an enrolment's
    is; their unit and staff group are taken from the staff record now."""

    level = forms.ModelChoiceField(
        label="Level",
        queryset=CapabilityLevel.objects.none(),
        error_messages={
            "required": "Choose the level the person reached.",
            "invalid_choice": "Choose one of the framework's levels.",
        },
    )
    person = forms.CharField(
        label="Employee number or e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter the employee number or e-mail address of the person."
        },
    )
    completed_on = NHSDateField(
        label="Date completed",
        error_messages={"required": "Enter the date the person completed it."},
    )
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose one of the programmes."},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.staff_record: StaffRecord | None = None
        level = self.fields["level"]
        programme = self.fields["programme"]
        assert isinstance(level, forms.ModelChoiceField)
        assert isinstance(programme, forms.ModelChoiceField)
        level.queryset = services.levels_for(organisation)
        programme.queryset = services.programmes_for(organisation)

    def clean_person(self) -> str:
        text = self.cleaned_data["person"].strip()
        record = services.find_staff_record(self.organisation, text)
        if record is None:
            what = "e-mail address" if "@" in text else "employee number"
            raise forms.ValidationError(
                f"No staff record has the {what} {text}: check it against the staff records."
            )
        self.staff_record = record
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("completed_on")
        if day is not None:
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                self.add_error(
                    "completed_on",
                    f"The completion date must be between {EARLIEST_DATE.year} and "
                    f"{LATEST_DATE.year}: check the year.",
                )
            elif day > timezone.localdate():
                self.add_error(
                    "completed_on", "The completion date cannot be in the future."
                )
        level, programme = data.get("level"), data.get("programme")
        if level is not None and programme is not None and programme.level != level:
            self.add_error(
                "programme",
                f"{programme.name} confers {programme.level.name}, not {level.name}: "
                "choose that level, or another programme.",
            )
        if level is not None and self.staff_record is not None and not self.errors:
            assert day is not None
            if Completion.objects.filter(
                level=level, staff_record=self.staff_record, completed_on=day
            ).exists():
                self.add_error(
                    "completed_on",
                    f"{self.staff_record.reference} already has a completion of "
                    f"{level.name} on {_long_date(day)}.",
                )
        return data
