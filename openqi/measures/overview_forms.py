"""The measures overview's filter form (a GET form: it works without JavaScript)."""

from __future__ import annotations

from django import forms

from openqi.core.forms import SaysWhatToEnter

from .overview import GROUP_NAMES


class OverviewFilterForm(SaysWhatToEnter, forms.Form):
    q = forms.CharField(
        label="Measure or unit name",
        required=False,
        max_length=100,
        strip=True,
    )
    group = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Every group"), *GROUP_NAMES.items()],
    )
