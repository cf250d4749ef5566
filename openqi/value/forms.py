"""Input checking for benefits, investment and turnover (the API binds these forms)."""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms

from openqi.core.forms import (
    NHSDateField,
    NumberField,
    SaysWhatToEnter,
    WholeNumberField,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.projects.models import Project

from .models import (
    MAX_MONEY,
    MAX_QUANTITY,
    MAX_YEARS,
    MONEY_DOMAINS,
    Benefit,
    Domain,
    Investment,
)
from .services import linked_measures

FIRST_YEAR, LAST_YEAR = 2000, 2100
#: The largest annual turnover accepted (GBP): above any NHS organisation's.
MAX_TURNOVER = Decimal("100000000000")


class MoneyField(NumberField):
    """Pounds as people type them ("12,500.50"), cleaned to a Decimal to the penny,
    more than zero and at most ``maximum``."""

    def __init__(self, *args: Any, maximum: Decimal = MAX_MONEY, **kwargs: Any) -> None:
        self.maximum = maximum
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # NumberField cleans to float; this field hands on a Decimal
        number = super().to_python(value)
        if number is None:
            return None
        if not math.isfinite(number):
            raise forms.ValidationError("Enter an amount in pounds, such as 12,500.")
        if number <= 0:
            raise forms.ValidationError(
                "Enter an amount of more than £0 (a loss is not a benefit: leave it out "
                "or record the cost as investment)."
            )
        if number > self.maximum:
            raise forms.ValidationError(
                f"Enter an amount of at most £{self.maximum:,.0f}: check for extra noughts."
            )
        return Decimal(str(number)).quantize(Decimal("0.01"), ROUND_HALF_UP)


class QuantityField(NumberField):
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # cleans to a Decimal
        number = super().to_python(value)
        if number is None:
            return None
        if not math.isfinite(number) or number <= 0:
            raise forms.ValidationError(
                "Enter a quantity of more than 0, such as 120 bed days."
            )
        if number > MAX_QUANTITY:
            raise forms.ValidationError(
                f"Enter a quantity of at most {MAX_QUANTITY:,.0f}: check for extra noughts."
            )
        return Decimal(str(number)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _check_day(form: forms.BaseForm, name: str, day: datetime.date | None) -> None:
    if day and not (FIRST_YEAR <= day.year <= LAST_YEAR):
        form.add_error(name, f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}.")


class BenefitForm(VersionedForm):
    """A benefit of a project, in money (only in the money domains) and/or natural
    units. Money worked out from a quantity names the value of one unit."""

    money = MoneyField(label="Money (£)", required=False)
    quantity = QuantityField(label="Quantity in natural units", required=False)
    unit_value = MoneyField(
        label="Value of one unit (£)", required=False, maximum=Decimal("10000000")
    )
    start_date = NHSDateField(
        label="Start date",
        error_messages={
            "required": "Enter the date the benefit starts (or was realised)."
        },
    )
    end_date = NHSDateField(label="End date", required=False)
    change_per_period = NumberField(
        widget=forms.HiddenInput, required=False, min_value=-1e12, max_value=1e12
    )
    phase_began = forms.DateField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Benefit
        fields = [
            "title",
            "kind",
            "domain",
            "money",
            "quantity",
            "unit_label",
            "unit_value",
            "method",
            "confidence",
            "recurrence",
            "start_date",
            "end_date",
            "is_cash_releasing",
            "measure",
            "change_per_period",
            "phase_began",
        ]
        labels = {
            "title": "Benefit",
            "kind": "Expected or realised",
            "domain": "Domain",
            "unit_label": "Natural unit",
            "method": "How it was worked out",
            "confidence": "Confidence in the figure",
            "recurrence": "One-off or recurring",
            "is_cash_releasing": "Cash-releasing (the money can be spent elsewhere)",
            "measure": "Measure it comes from",
        }
        help_texts = {
            "title": "For example, Fewer bed days lost to delayed discharge.",
            "unit_label": "For example, bed days, staff hours, falls avoided.",
            "method": "The data, the sums and the assumptions, so that someone else could check it.",
        }
        error_messages = {
            "title": {"required": "Say what the benefit is."},
            "method": {"required": "Say how the figure was worked out."},
            "kind": {"required": "Choose whether the benefit is expected or realised."},
            "domain": {"required": "Choose the domain of the benefit."},
            "confidence": {"required": "Choose how confident you are in the figure."},
            "recurrence": {"required": "Choose one-off or recurring."},
        }
        widgets = {
            "method": forms.Textarea(attrs={"rows": 4}),
            "kind": forms.RadioSelect,
            "confidence": forms.RadioSelect,
            "recurrence": forms.RadioSelect,
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        choice_field(self, "kind").choices = Benefit.Kind.choices
        choice_field(self, "confidence").choices = Benefit.Confidence.choices
        choice_field(self, "recurrence").choices = Benefit.Recurrence.choices
        choice_field(self, "domain").choices = [
            ("", "Choose a domain"),
            *Domain.choices,
        ]
        measure = model_choice_field(self, "measure")
        measure.queryset = linked_measures(project)
        measure.empty_label = "None"

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_unit_label(self) -> str:
        return " ".join(self.cleaned_data["unit_label"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        money, quantity = data.get("money"), data.get("quantity")
        unit_label, unit_value = data.get("unit_label"), data.get("unit_value")
        domain = data.get("domain")
        errors = self.errors
        if (
            money is None
            and quantity is None
            and not {"money", "quantity"} & set(errors)
        ):
            if unit_value is None:
                self.add_error(
                    "money" if domain in MONEY_DOMAINS else "quantity",
                    "Enter the benefit in money, in natural units, or both.",
                )
        if quantity is not None and not unit_label:
            self.add_error("unit_label", "Name the natural unit, such as bed days.")
        if unit_label and quantity is None and "quantity" not in errors:
            self.add_error(
                "quantity", f"Enter how many {unit_label}, or clear the unit."
            )
        if unit_value is not None:
            if quantity is None:
                if "quantity" not in errors:
                    self.add_error(
                        "unit_value",
                        "The value of one unit needs a quantity to multiply.",
                    )
            else:
                worked = (quantity * unit_value).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
                if money is None:
                    if worked > MAX_MONEY:
                        self.add_error(
                            "unit_value",
                            "The quantity times the value of one unit is more than "
                            f"£{MAX_MONEY:,.0f}: check both figures.",
                        )
                    else:
                        data["money"] = money = worked
                elif money != worked:
                    self.add_error(
                        "money",
                        f"The money (£{money:,.2f}) is not the quantity times the value "
                        f"of one unit (£{worked:,.2f}): leave the money empty to use "
                        "that, or clear the value of one unit.",
                    )
        if money is not None and domain and domain not in MONEY_DOMAINS:
            self.add_error(
                "money",
                f"{Domain(domain).label} is counted in natural units, not money: "
                "record a cost avoidance, cost reduction or revenue benefit for the "
                "money, or clear it.",
            )
        start, end = data.get("start_date"), data.get("end_date")
        _check_day(self, "start_date", start)
        _check_day(self, "end_date", end)
        _check_day(self, "phase_began", data.get("phase_began"))
        recurrence = data.get("recurrence")
        if recurrence == Benefit.Recurrence.RECURRING:
            if end is None and "end_date" not in errors:
                self.add_error(
                    "end_date",
                    "Enter the date a recurring benefit ends (or is expected to end).",
                )
        elif recurrence == Benefit.Recurrence.ONE_OFF and end is not None:
            self.add_error(
                "end_date", "A one-off benefit has one date: leave the end date empty."
            )
        if start and end:
            if end < start:
                self.add_error(
                    "end_date", "The end date must be on or after the start date."
                )
            elif (end - start).days > MAX_YEARS * 366:
                self.add_error(
                    "end_date",
                    f"A recurring benefit may run at most {MAX_YEARS} years.",
                )
        if (
            data.get("kind") == Benefit.Kind.REALISED
            and start
            and start > datetime.date.today()
        ):
            self.add_error(
                "start_date",
                "A realised benefit has already begun: its start date cannot be in the "
                "future. Record it as expected instead.",
            )
        if data.get("is_cash_releasing") and domain not in MONEY_DOMAINS:
            self.add_error(
                "is_cash_releasing",
                "Only money (cost avoidance, cost reduction or revenue) can release cash.",
            )
        if data.get("measure") is None:
            data["change_per_period"] = None
            data["phase_began"] = None
        return data


def _year_field() -> WholeNumberField:
    return WholeNumberField(
        label="Financial year starting in",
        help_text="The year in April of which it starts: 2024 for 2024/25.",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "required": "Enter the year the financial year starts, such as 2024.",
            "min_value": f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}.",
            "max_value": f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}.",
        },
    )


class InvestmentForm(VersionedForm):
    year = _year_field()
    amount = MoneyField(
        label="Amount (£)", error_messages={"required": "Enter the amount in pounds."}
    )

    class Meta:
        model = Investment
        fields = ["year", "category", "amount", "note"]
        labels = {"category": "What it paid for", "note": "Note"}
        help_texts = {
            "note": "For example, two improvement advisers and a data analyst."
        }
        error_messages = {
            "category": {"required": "Choose what the investment paid for."}
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        category = choice_field(self, "category")
        category.choices = [("", "Choose a category"), *Investment.Category.choices]


class TurnoverForm(SaysWhatToEnter, forms.Form):
    year = _year_field()
    amount = MoneyField(
        label="Annual turnover (£)",
        maximum=MAX_TURNOVER,
        error_messages={"required": "Enter the year's turnover in pounds."},
    )
