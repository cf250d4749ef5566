"""The portfolio's filter forms (GET forms: they work without JavaScript)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from openqi.core.forms import SaysWhatToEnter, choice_field
from openqi.organisations.models import Unit
from openqi.projects.models import PROGRESS_SCALE, Project
from openqi.strategy.models import StrategicPriority

from . import services

_SCORES = [("", "Any")] + [
    (str(score), f"{score} – {label}") for score, (label, _) in PROGRESS_SCALE.items()
]


class PortfolioFilterForm(SaysWhatToEnter, forms.Form):
    priority = forms.ChoiceField(label="Strategic priority", required=False)
    unit = forms.ChoiceField(label="Unit (and the units beneath it)", required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Project.Status.choices]
    )
    method = forms.ChoiceField(
        required=False, choices=[("", "Any method"), *Project.Method.choices]
    )
    score_min = forms.ChoiceField(
        label="Team rating from", required=False, choices=_SCORES
    )
    score_max = forms.ChoiceField(label="to", required=False, choices=_SCORES)

    def __init__(
        self,
        data: Any,
        *,
        nodes: list[services.UnitRow],
        priorities: list[StrategicPriority],
    ) -> None:
        super().__init__(data)
        choice_field(self, "priority").choices = [
            ("", "Any priority"),
            *((str(p.pk), p.title) for p in priorities),
            (services.NONE, "No priority"),
        ]
        choice_field(self, "unit").choices = [
            ("", "Any unit"),
            *((str(n.unit.pk), n.path) for n in nodes),
            (services.NONE, "No unit"),
        ]

    @staticmethod
    def _key(value: str) -> int | str | None:
        if not value:
            return None
        return value if value == services.NONE else int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("score_min"), data.get("score_max")
        if low and high and Decimal(low) > Decimal(high):
            self.add_error(
                "score_max", "The highest rating must not be below the lowest."
            )
        return data

    def filters(self) -> services.Filters:
        data = self.cleaned_data
        return services.Filters(
            priority=self._key(data["priority"]),
            unit=self._key(data["unit"]),
            status=data["status"],
            method=data["method"],
            score_min=Decimal(data["score_min"]) if data["score_min"] else None,
            score_max=Decimal(data["score_max"]) if data["score_max"] else None,
        )


class MatrixForm(SaysWhatToEnter, forms.Form):
    level = forms.ChoiceField(
        label="Columns", required=False, choices=Unit.Level.choices
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Project.Status.choices]
    )
