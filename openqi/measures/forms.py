"""Input checking for the measure pages: the measure, its points, phase breaks,
annotations and the import's file and columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from openqi.core.forms import (
    NHSDateField,
    NumberField,
    SaysWhatToEnter,
    WholeNumberField,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.organisations.forms import offer_people_who_may_edit
from openqi.organisations.models import Organisation, Unit
from openqi.spc.charts import MIN_FIX_AFTER

from . import importing
from .models import Annotation, DataPoint, Measure, PhaseBreak

IMPORT_SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: The measure form's charts: empty for the kind's usual chart, or one chosen.
CHART_CHOICES: list[tuple[str, str]] = [
    ("", "The usual chart for this kind of measure"),
    *Measure.ChartType.choices,
]


def _person(user: Any) -> str:
    return str(user.full_name or user.email)


class MeasureForm(VersionedForm):
    """A measure; the rules that tie fields together come from ``Measure.clean``."""

    fix_after = WholeNumberField(
        label="Fix the limits after this many points (optional)",
        required=False,
        min_value=MIN_FIX_AFTER,
        max_value=Measure.MAX_FIX_AFTER,
        help_text="Freeze the baseline: the centre line and limits of each phase come "
        f"from its first points only (at least {MIN_FIX_AFTER}), and later points are "
        "judged against them. Leave empty to use every point.",
        error_messages={
            "min_value": f"Fix the limits after at least {MIN_FIX_AFTER} points: "
            "fewer make limits too uncertain to judge later points by.",
            "max_value": f"Fix the limits after at most {Measure.MAX_FIX_AFTER:,} points.",
        },
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "definition",
            "kind",
            "numerator_definition",
            "denominator_definition",
            "unit_label",
            "frequency",
            "improvement",
            "target",
            "chart_type",
            "fix_after",
            "multiplier",
            "unit",
            "owner",
        ]
        field_classes = {
            "target": NumberField,
            "multiplier": NumberField,
        }
        error_messages = {"name": {"required": "Enter the name of the measure."}}
        labels = {
            "name": "Name",
            "definition": "Operational definition",
            "kind": "Kind of measure",
            "numerator_definition": "Numerator",
            "denominator_definition": "Denominator",
            "unit_label": "Unit of measure",
            "frequency": "How often it is measured",
            "improvement": "Which way is better",
            "target": "Target (optional)",
            "chart_type": "Chart",
            "multiplier": "Multiplier",
            "unit": "Owning unit",
            "owner": "Owner (optional)",
        }
        help_texts = {
            "definition": "Exactly what is counted or measured, and where the data comes from, "
            "so that anyone would get the same number.",
            "numerator_definition": "What is counted on top: for example, patients "
            "seen within 4 hours.",
            "denominator_definition": "What it is counted out of: for example, all "
            "attendances.",
            "unit_label": "For example %, minutes, attendances, falls per 1,000 bed days.",
            "target": "In the units the chart shows (after the multiplier): 95 for 95%.",
            "multiplier": "The chart shows numerator ÷ denominator × this: 100 for a "
            "percentage, 1000 for a rate per 1,000. Leave 1 for anything else.",
            "owner": "The person who answers for the measure: told of its new "
            "signals and of data due, and who writes its board report commentary.",
        }
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "numerator_definition": forms.Textarea(attrs={"rows": 2}),
            "denominator_definition": forms.Textarea(attrs={"rows": 2}),
            "kind": forms.RadioSelect,
            "improvement": forms.RadioSelect,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        unit = model_choice_field(self, "unit")
        unit.queryset = Unit.objects.for_organisation(organisation).order_by("name")
        unit.empty_label = "No unit (the whole organisation)"
        owner = model_choice_field(self, "owner")
        offer_people_who_may_edit(
            owner,
            organisation,
            refusal="Choose a member of this organisation who may edit as the "
            "owner: the person chosen is not a member, or is a viewer.",
            current=[self.instance.owner] if self.instance.owner_id else [],
        )
        owner.empty_label = "No owner yet"
        owner.label_from_instance = _person  # type: ignore[method-assign,assignment]  # Django's documented way to label choices
        choice_field(self, "chart_type").choices = CHART_CHOICES
        choice_field(self, "frequency").choices = Measure.Frequency.choices
        instance = self.instance
        if not instance.pk:
            self.initial.setdefault("multiplier", 1)
        if instance.pk and instance.is_chart_automatic:
            # Keep following the kind (and the data), so a change of kind brings
            # its own chart.
            self.initial["chart_type"] = ""

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        twins = Measure.objects.for_organisation(self.instance.organisation).filter(
            name__iexact=name
        )
        if self.instance.pk:
            twins = twins.exclude(pk=self.instance.pk)
        if twins.exists():
            raise forms.ValidationError(f"There is already a measure called {name}.")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("kind") not in Measure.HAS_DENOMINATOR:
            cleaned["numerator_definition"] = ""
            cleaned["denominator_definition"] = ""
        # Empty: the usual chart, which Measure.save() fills in and marks automatic.
        self.instance.is_chart_automatic = not cleaned.get("chart_type")
        return cleaned

    def chart_items(self) -> list[dict[str, Any]]:
        """The chart radios, each with a sentence on what it is for."""
        from .charts import CHART_HINTS

        chosen = str(self["chart_type"].value() or "")
        items = []
        for value, text in CHART_CHOICES:
            hint = CHART_HINTS.get(str(value))
            if not value:
                hint = (
                    "XmR for counts and measurements, p for proportions, u for rates, "
                    "t and g for rare events; p′ or u′ instead of p or u once there "
                    "are enough points to show that the data vary more than a p or "
                    "u chart allows."
                )
            items.append(
                {
                    "value": str(value),
                    "text": str(text),
                    "hint": {"text": hint},
                    "checked": str(value) == chosen,
                }
            )
        return items


def _number_field(label: str, required: bool) -> NumberField:
    return NumberField(
        label=label,
        required=required,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter the {label.lower()} as a number, such as 42, 3.5 or "
            "5,000.",
        },
    )


def _not_in_future(period: Any, frequency: str) -> None:
    if problem := importing.future_problem(period, frequency, timezone.localdate()):
        raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")


class PointForm(VersionedForm):
    """One period's value (and denominator, for proportions and rates)."""

    period = NHSDateField(
        label="Period",
        error_messages={"required": "Enter a day in the period."},
        help_text="Any day in the period: it is kept as the period's first day "
        "(the Monday of a week, the 1st of a month or quarter).",
    )

    class Meta:
        model = DataPoint
        fields = [
            "period",
            "value",
            "denominator",
            "note",
            "is_excluded",
            "exclusion_reason",
        ]
        labels = {
            "note": "Note (optional)",
            "is_excluded": "Leave this point out of the calculations",
            "exclusion_reason": "Why it is left out",
        }
        help_texts = {
            "is_excluded": "It stays on the chart, drawn hollow, but the centre line, "
            "the limits and the rules ignore it: for a point known to be wrong or "
            "from a one-off event that is not part of the process.",
            "exclusion_reason": "Shown on the chart, for example: IT outage, half "
            "the month not recorded.",
        }

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.instance.measure = measure
        label = "Numerator" if measure.has_denominator() else "Value"
        self.fields["value"] = _number_field(label, True)
        if measure.has_denominator():
            self.fields["denominator"] = _number_field("Denominator", True)
            if measure.numerator_definition:
                self.fields["value"].help_text = measure.numerator_definition
            if measure.denominator_definition:
                self.fields["denominator"].help_text = measure.denominator_definition
        else:
            del self.fields["denominator"]
        if not self.instance.pk:
            # A new point is left in; excluding it is a change made afterwards.
            del self.fields["is_excluded"]
            del self.fields["exclusion_reason"]

    def clean_period(self) -> Any:
        period = importing.period_start(
            self.cleaned_data["period"], self.measure.frequency
        )
        _not_in_future(period, self.measure.frequency)
        twins = self.measure.points.filter(period=period)
        if self.instance.pk:
            twins = twins.exclude(pk=self.instance.pk)
        if twins.exists():
            words = importing.period_words(period, self.measure.frequency)
            raise forms.ValidationError(
                f"There is already a value for {words}: change that one instead."
            )
        return period

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "value" in cleaned and "denominator" not in self.errors:
            problems = importing.value_problems(
                self.measure.kind, cleaned["value"], cleaned.get("denominator")
            )
            for column, message in problems:
                self.add_error(
                    column if column in self.fields else None,
                    message[0].upper() + message[1:] + ".",
                )
        return cleaned


class PhaseBreakForm(SaysWhatToEnter, forms.ModelForm):
    period = NHSDateField(
        label="New phase starts",
        error_messages={"required": "Enter the date the new phase starts."},
        help_text="The first period after the change, for example 1 3 2025.",
    )

    class Meta:
        model = PhaseBreak
        fields = ["period", "reason"]
        labels = {"reason": "What changed"}
        help_texts = {"reason": "For example: new triage process adopted."}

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.instance.measure = measure
        self.fields["reason"].error_messages["required"] = (
            "Say what changed, so readers know why the limits were recalculated."
        )

    def clean_period(self) -> Any:
        period = importing.period_start(
            self.cleaned_data["period"], self.measure.frequency
        )
        if self.measure.phase_breaks.filter(period=period).exists():
            when = importing.period_phrase(period, self.measure.frequency)
            raise forms.ValidationError(f"A new phase already starts {when}.")
        return period


class AnnotationForm(SaysWhatToEnter, forms.ModelForm):
    period = NHSDateField(
        label="Period",
        help_text="For example, 1 3 2025.",
        error_messages={"required": "Enter the period the note is about."},
    )

    class Meta:
        model = Annotation
        fields = ["period", "text"]
        labels = {"text": "Note"}
        help_texts = {"text": "For example: new triage process started."}

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.instance.measure = measure
        self.fields["text"].error_messages["required"] = "Write the note."

    def clean_period(self) -> Any:
        return importing.period_start(
            self.cleaned_data["period"], self.measure.frequency
        )


class MeasureFilterForm(SaysWhatToEnter, forms.Form):
    unit = forms.ModelChoiceField(
        label="Unit", queryset=Unit.objects.none(), required=False, empty_label="All"
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "All"), *Measure.Kind.choices], required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = model_choice_field(self, "unit")
        unit.queryset = Unit.objects.for_organisation(organisation).order_by("name")


class ImportForm(SaysWhatToEnter, forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A CSV or Excel (.xlsx) file with a header row and the columns period, "
        "value and, for proportions and rates, denominator.",
        error_messages={"required": "Choose a CSV or Excel file to upload."},
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix == ".xls":
            raise forms.ValidationError(
                "Old-style .xls workbooks cannot be read: save it as .xlsx or CSV."
            )
        if suffix not in IMPORT_SUFFIXES:
            raise forms.ValidationError(
                "The file must be a CSV or an Excel .xlsx file."
            )
        limit = settings.OPENQI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {limit / (1024 * 1024):,.0f} MB, the most "
                "one upload may be: split it into smaller files and upload them one "
                "at a time."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload

    def clean_token(self) -> str:
        from .imports import is_import_token

        token: str = self.cleaned_data["token"]
        if not is_import_token(token):
            raise forms.ValidationError("Reload the page and upload the file again.")
        return token


class ColumnForm(SaysWhatToEnter, forms.Form):
    """Which of the file's columns holds the period, the value and the denominator."""

    def __init__(
        self, *args: Any, names: list[str], has_denominator: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a column"), *((n, n) for n in names)]
        self.fields["period"] = forms.ChoiceField(
            label="Period",
            choices=choices,
            help_text="The date or month of each row.",
            error_messages={"required": "Choose the column with the periods."},
        )
        label = "Numerator" if has_denominator else "Value"
        self.fields["value"] = forms.ChoiceField(
            label=label,
            choices=choices,
            error_messages={
                "required": f"Choose the column with the {label.lower()}s."
            },
        )
        if has_denominator:
            self.fields["denominator"] = forms.ChoiceField(
                label="Denominator",
                choices=choices,
                error_messages={"required": "Choose the column with the denominators."},
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        chosen = [v for v in cleaned.values() if v]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("Choose a different column for each.")
        return cleaned

    def mapping(self) -> dict[str, str | None]:
        return {
            column: self.cleaned_data.get(column) or None
            for column in ("period", "value", "denominator")
        }


class ImportFilterForm(SaysWhatToEnter, forms.Form):
    """Keep only the rows whose ``column`` holds ``value``: one trust's series
    from a national file, say (org_code = RJZ)."""

    column = forms.ChoiceField(
        label="Column",
        error_messages={"required": "Choose the column to pick rows by."},
    )
    value = forms.CharField(
        label="Value",
        max_length=200,
        help_text="Rows whose cell in that column holds exactly this (any case), "
        "such as RJZ.",
        error_messages={"required": "Enter the value the rows to keep hold."},
    )

    def __init__(self, *args: Any, names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "column").choices = [
            ("", "Choose a column"),
            *((n, n) for n in names),
        ]

    def clean_value(self) -> str:
        return str(self.cleaned_data["value"]).strip()
