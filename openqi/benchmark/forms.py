"""Input checking for benchmarks: defining one, adding a participant, reporting a
value and importing values from a CSV file (all or nothing)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

from django import forms

from openqi.core.forms import NumberField, SaysWhatToEnter, model_choice_field
from openqi.core.versioning import VersionedForm
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Unit

from .models import MAX_COUNT, Benchmark, Participant
from .services import ImportRow

#: The largest CSV file accepted, and the most rows.
MAX_IMPORT_BYTES = 2_000_000
MAX_IMPORT_ROWS = 20_000
#: How many bad rows an import lists before it stops listing.
MAX_ERRORS = 20
_PERIOD = re.compile(r"(\d{4})-(\d{2})(?:-01)?")
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def parse_period(text: str) -> datetime.date | None:
    """A month written 2024-03 (or 2024-03-01), or None."""
    found = _PERIOD.fullmatch(text.strip())
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (EARLIEST_YEAR <= year <= LATEST_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def check_counts(
    kind: str, numerator: float | None, denominator: float | None
) -> dict[str, str]:
    """What is wrong with a numerator and denominator, by field (empty when right)."""
    errors: dict[str, str] = {}
    if numerator is not None and not 0 <= numerator <= MAX_COUNT:
        errors["numerator"] = f"Enter a numerator from 0 to {MAX_COUNT:,}."
    if denominator is not None and not 0 < denominator <= MAX_COUNT:
        errors["denominator"] = (
            f"Enter a denominator above 0 and at most {MAX_COUNT:,}."
        )
    if (
        not errors
        and kind == Benchmark.Kind.PROPORTION
        and numerator is not None
        and denominator is not None
        and numerator > denominator
    ):
        errors["numerator"] = (
            "The numerator is more than the denominator: a proportion counts part of "
            "the denominator. Check the two figures."
        )
    return errors


class BenchmarkForm(VersionedForm):
    multiplier = NumberField(
        label="Multiplier",
        initial=100,
        help_text="100 shows a proportion as a percentage; 1 shows it as it is.",
    )

    class Meta:
        model = Benchmark
        fields = [
            "name",
            "numerator_definition",
            "denominator_definition",
            "kind",
            "frequency",
            "improvement",
            "multiplier",
            "overdispersion",
        ]
        labels = {
            "name": "Name",
            "numerator_definition": "Numerator",
            "denominator_definition": "Denominator",
            "kind": "Kind of measure",
            "frequency": "How often it is reported",
            "improvement": "Which way is better",
            "overdispersion": "Allow for over-dispersion",
        }
        help_texts = {
            "numerator_definition": "What is counted, e.g. discharge summaries sent within 24 hours.",
            "denominator_definition": "What it is counted out of, e.g. all discharges; for a ratio, the expected count.",
        }

    def clean_multiplier(self) -> float:
        value = self.cleaned_data["multiplier"]
        if value is None or not 0.001 <= value <= 1_000_000:
            raise forms.ValidationError("Enter a multiplier from 0.001 to 1,000,000.")
        return float(value)


class ParticipantForm(SaysWhatToEnter, forms.ModelForm):
    """A unit of the owning organisation, optionally with its own measure."""

    class Meta:
        model = Participant
        fields = ["name", "code", "unit", "measure"]
        labels = {
            "name": "Name",
            "code": "Short code",
            "unit": "Unit",
            "measure": "Measure to take its values from",
        }
        help_texts = {
            "code": "Used in CSV imports, e.g. WARD7. Letters, digits and hyphens.",
            "measure": "A proportion or rate measure of this unit; its data points become the values.",
        }

    def __init__(
        self,
        *args: Any,
        benchmark: Benchmark,
        organisation: Organisation,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.benchmark = benchmark
        model_choice_field(self, "unit").queryset = Unit.objects.filter(
            organisation=organisation
        ).order_by("name")
        model_choice_field(self, "measure").queryset = Measure.objects.filter(
            organisation=organisation, kind__in=sorted(Measure.HAS_DENOMINATOR)
        ).order_by("name")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9-]{1,20}", code):
            raise forms.ValidationError(
                "Enter a short code of up to 20 letters, digits or hyphens, e.g. WARD7."
            )
        if self.benchmark.participants.filter(code=code).exists():
            raise forms.ValidationError(
                f"{code} is taken in this benchmark: choose another code."
            )
        return code


class ValueForm(SaysWhatToEnter, forms.Form):
    period = forms.CharField(
        label="Month",
        max_length=10,
        help_text="The month the figures are for, written like 2024-03.",
    )
    numerator = NumberField(label="Numerator")
    denominator = NumberField(label="Denominator")

    def __init__(self, *args: Any, benchmark: Benchmark, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.benchmark = benchmark
        self.fields["numerator"].help_text = benchmark.numerator_definition[:300]
        self.fields["denominator"].help_text = benchmark.denominator_definition[:300]

    def clean_period(self) -> datetime.date:
        period = parse_period(self.cleaned_data["period"])
        if period is None:
            raise forms.ValidationError(
                f"Enter the month as year and month, like 2024-03, between "
                f"{EARLIEST_YEAR} and {LATEST_YEAR}."
            )
        return period

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in check_counts(
            self.benchmark.kind, data.get("numerator"), data.get("denominator")
        ).items():
            self.add_error(name, message)
        return data


class ImportForm(SaysWhatToEnter, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns code, period, numerator and denominator; one row per "
        "participant and month (period like 2024-03).",
    )

    def __init__(self, *args: Any, benchmark: Benchmark, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.benchmark = benchmark
        self.rows: list[ImportRow] = []

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB: split it "
                "into smaller files."
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                "The file is not UTF-8 text: save it as CSV UTF-8 and upload it again."
            ) from error
        rows, errors = read_csv(self.benchmark, text)
        if errors:
            raise forms.ValidationError(
                [f"Nothing was imported. {errors[0]}", *errors[1:]]
            )
        self.rows = rows
        return upload


def read_csv(benchmark: Benchmark, text: str) -> tuple[list[ImportRow], list[str]]:
    """Every row checked: the rows, or the messages ("row N, field: what is wrong;
    the fix"), at most :data:`MAX_ERRORS` of them."""
    codes = dict(benchmark.participants.values_list("code", "measure_id"))
    reader = csv.DictReader(io.StringIO(text))
    names = [name.strip().lower() for name in reader.fieldnames or []]
    needed = ["code", "period", "numerator", "denominator"]
    missing = [name for name in needed if name not in names]
    if missing:
        return [], [
            f"The file has no column {', '.join(missing)}: the first row must name the "
            "columns code, period, numerator and denominator."
        ]
    reader.fieldnames = names
    rows: list[ImportRow] = []
    errors: list[str] = []
    seen: set[tuple[str, datetime.date]] = set()
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            errors.append(f"The file has more than {MAX_IMPORT_ROWS:,} rows: split it.")
            break
        if len(errors) >= MAX_ERRORS:
            errors.append("There are more errors: fix these and upload again.")
            break
        code = (record.get("code") or "").strip()
        if code not in codes:
            errors.append(
                f"Row {number}, code: {code or 'an empty code'} is not a participant of "
                "this benchmark; use a code from the participants table."
            )
            continue
        if codes[code] is not None:
            errors.append(
                f"Row {number}, code: {code}'s values come from its measure; leave it "
                "out of the file."
            )
            continue
        period = parse_period(record.get("period") or "")
        if period is None:
            errors.append(
                f"Row {number}, period: “{(record.get('period') or '')[:20]}” is not a "
                "month; write it like 2024-03."
            )
            continue
        figures: dict[str, float] = {}
        for name in ("numerator", "denominator"):
            cell = (record.get(name) or "").strip().replace(",", "")
            try:
                figures[name] = float(cell)
            except ValueError:
                figures[name] = float("nan")
            if figures[name] != figures[name] or cell.lower() in (
                "inf",
                "-inf",
                "infinity",
            ):
                errors.append(
                    f"Row {number}, {name}: “{cell[:20]}” is not a number; enter a number such as 42."
                )
        if len(figures) != 2 or any(v != v for v in figures.values()):
            continue
        problems = check_counts(
            benchmark.kind, figures["numerator"], figures["denominator"]
        )
        for name, message in problems.items():
            errors.append(f"Row {number}, {name}: {message}")
        if problems:
            continue
        if (code, period) in seen:
            errors.append(
                f"Row {number}: {code} {period:%Y-%m} appears twice; keep one row."
            )
            continue
        seen.add((code, period))
        rows.append(
            ImportRow(code, period, figures["numerator"], figures["denominator"])
        )
    if not rows and not errors:
        errors.append("The file has no rows under its column names.")
    return rows, errors
