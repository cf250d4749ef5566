"""Input checking for the measure pages: the measure, its points, phase breaks,
annotations and the import's file and columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms

from openqi.core.forms import NHSDateField
from openqi.organisations.models import Organisation, Unit

from . import importing
from .models import Annotation, DataPoint, Measure, PhaseBreak

#: Largest file the import takes (bytes).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
IMPORT_SUFFIXES = (".csv", ".xlsx", ".xlsm")


class MeasureForm(forms.ModelForm):
    """A measure; the rules that tie fields together come from ``Measure.clean``."""

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
            "multiplier",
            "unit",
        ]
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
        units = Unit.objects.for_organisation(organisation).order_by("name")
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = "No unit (the whole organisation)"
        self.fields["chart_type"].choices = [
            ("", "The usual chart for this kind of measure"),
            *Measure.ChartType.choices,
        ]
        self.fields["frequency"].choices = Measure.Frequency.choices
        instance = self.instance
        if not instance.pk:
            self.initial.setdefault("multiplier", 1)
        if instance.pk and instance.chart_type == Measure.DEFAULT_CHART.get(
            Measure.Kind(instance.kind)
        ):
            # Keep following the kind, so a change of kind brings its own chart.
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
        return cleaned

    def chart_items(self) -> list[dict[str, Any]]:
        """The chart radios, each with a sentence on what it is for."""
        from .services import CHART_HINTS

        chosen = str(self["chart_type"].value() or "")
        items = []
        for value, text in self.fields["chart_type"].choices:
            hint = CHART_HINTS.get(str(value))
            if not value:
                hint = (
                    "XmR for counts and measurements, p for proportions, u for rates, "
                    "t and g for rare events."
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


def _number_field(label: str, required: bool) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter the {label.lower()} as a number, such as 42 or 3.5.",
        },
    )


class PointForm(forms.ModelForm):
    """One period's value (and denominator, for proportions and rates)."""

    period = NHSDateField(
        label="Period",
        help_text="Any day in the period: it is kept as the period's first day "
        "(the Monday of a week, the 1st of a month or quarter).",
    )

    class Meta:
        model = DataPoint
        fields = ["period", "value", "denominator", "note"]
        labels = {"note": "Note (optional)"}

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

    def clean_period(self) -> Any:
        period = importing.period_start(
            self.cleaned_data["period"], self.measure.frequency
        )
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


class PhaseBreakForm(forms.ModelForm):
    period = NHSDateField(
        label="New phase starts",
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
            words = importing.period_words(period, self.measure.frequency)
            raise forms.ValidationError(f"A new phase already starts in {words}.")
        return period


class AnnotationForm(forms.ModelForm):
    period = NHSDateField(label="Period", help_text="For example, 1 3 2025.")

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


class MeasureFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="Unit", queryset=Unit.objects.none(), required=False, empty_label="All"
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "All"), *Measure.Kind.choices], required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_organisation(
            organisation
        ).order_by("name")


class ImportForm(forms.Form):
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
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB: "
                "split it into smaller files."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload

    def clean_token(self) -> str:
        from .services import is_import_token

        token: str = self.cleaned_data["token"]
        if not is_import_token(token):
            raise forms.ValidationError("Reload the page and upload the file again.")
        return token


class ColumnForm(forms.Form):
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
