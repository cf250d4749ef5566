"""Input checking for the board report: its month, title and headings, the measures
chosen, and each measure's commentary."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from openqi.core.forms import SaysWhatToEnter, WholeNumberField
from openqi.core.versioning import VersionedForm
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation

from .models import HEADING_LENGTH, MOST_HEADINGS, BoardReport, ReportEntry

#: Months a report may be composed for: this one and the two years before it.
MONTHS_BACK = 24
COMMENTARY_LENGTH = 4000
SEARCH_LENGTH = 100


def month_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    day = (today or timezone.localdate()).replace(day=1)
    choices = []
    for _ in range(MONTHS_BACK):
        choices.append((day.isoformat(), day.strftime("%B %Y")))
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return choices


def headings_text(headings: list[str]) -> str:
    return "\n".join(headings)


class ReportForm(VersionedForm):
    """A report's month, title and headings (one a line)."""

    month = forms.TypedChoiceField(
        label="Month",
        coerce=datetime.date.fromisoformat,
        help_text="The figures are as at the last day of this month.",
        error_messages={
            "invalid_choice": "Choose a month from the list: this month or one of the "
            f"{MONTHS_BACK - 1} before it."
        },
    )
    headings = forms.CharField(
        label="Headings",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MOST_HEADINGS * (HEADING_LENGTH + 2),
        help_text="One a line, in the order the board reads them. Measures are "
        "grouped under them.",
        error_messages={"required": "Enter at least one heading, one a line."},
    )

    class Meta:
        model = BoardReport
        fields = ["month", "title", "headings"]
        labels = {"title": "Title"}
        help_texts = {"title": "For example, Integrated quality report, March 2027."}
        error_messages = {"title": {"required": "Enter a title for the report."}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        month_field = self.fields["month"]
        assert isinstance(month_field, forms.ChoiceField)
        choices = month_choices()
        current = self.instance.month if self.instance.pk else None
        if current and current.isoformat() not in dict(choices):
            choices.append((current.isoformat(), current.strftime("%B %Y")))
        month_field.choices = choices
        if self.instance.pk:
            self.initial["month"] = self.instance.month.isoformat()
            self.initial["headings"] = headings_text(self.instance.headings)

    def clean_headings(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["headings"].splitlines()]
        headings = [line for line in lines if line]
        if not headings:
            raise forms.ValidationError("Enter at least one heading, one a line.")
        if len(headings) > MOST_HEADINGS:
            raise forms.ValidationError(
                f"Enter at most {MOST_HEADINGS} headings; there are {len(headings)}."
            )
        long = [h for h in headings if len(h) > HEADING_LENGTH]
        if long:
            raise forms.ValidationError(
                f"Keep each heading to {HEADING_LENGTH} characters or fewer: "
                f"“{long[0][:30]}…” is {len(long[0])}."
            )
        seen: set[str] = set()
        for heading in headings:
            if heading.lower() in seen:
                raise forms.ValidationError(
                    f"“{heading}” is listed twice: give each heading once."
                )
            seen.add(heading.lower())
        return headings

    def clean_month(self) -> datetime.date:
        month: datetime.date = self.cleaned_data["month"]
        taken = BoardReport.objects.for_organisation(self.organisation).filter(
            month=month
        )
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"There is already a report for {month:%B %Y}: open it from the list "
                "of reports, or choose another month."
            )
        return month


class EntryForm(SaysWhatToEnter, forms.Form):
    """Add a measure (found by the search) under a heading."""

    measure = WholeNumberField(
        label="Measure",
        min_value=1,
        error_messages={"required": "Choose a measure from the search results."},
    )
    heading = forms.ChoiceField(label="Heading")

    def __init__(
        self, *args: Any, report: BoardReport, organisation: Organisation, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        heading = self.fields["heading"]
        assert isinstance(heading, forms.ChoiceField)
        heading.choices = [(h, h) for h in report.headings]
        heading.error_messages["invalid_choice"] = (
            "Choose one of the report's headings; change the headings first to add another."
        )

    def clean_measure(self) -> Measure:
        pk = self.cleaned_data["measure"]
        measure = (
            Measure.objects.for_organisation(self.organisation).filter(pk=pk).first()
        )
        if measure is None:
            raise forms.ValidationError(
                "There is no such measure here: search for it again and choose it."
            )
        return measure


class SearchForm(SaysWhatToEnter, forms.Form):
    q = forms.CharField(
        label="Search for a measure",
        required=False,
        max_length=SEARCH_LENGTH,
        help_text="Part of its name or its unit's name.",
    )
    heading = forms.CharField(required=False, max_length=HEADING_LENGTH)


class CommentaryForm(VersionedForm):
    class Meta:
        model = ReportEntry
        fields = ["commentary"]
        labels = {"commentary": "Commentary"}
        help_texts = {
            "commentary": "What the chart shows, why, and what is being done: a few "
            "sentences for the board."
        }
        widgets = {"commentary": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commentary = self.fields["commentary"]
        assert isinstance(commentary, forms.CharField)
        commentary.max_length = COMMENTARY_LENGTH
        commentary.validators.append(MaxLengthValidator(COMMENTARY_LENGTH))
        commentary.error_messages["max_length"] = (
            f"Keep the commentary to {COMMENTARY_LENGTH:,} characters or fewer."
        )


class PublishForm(SaysWhatToEnter, forms.Form):
    confirm = forms.BooleanField(
        label="I understand that once published the report cannot be changed",
        error_messages={
            "required": "Tick the box to confirm: a published report cannot be changed."
        },
    )
