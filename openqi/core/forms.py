"""Form pieces shared by every app: the NHS.UK date input."""

from __future__ import annotations

from django import forms

from openqi.core.jinja2 import DayMonthYearWidget

__all__ = ["DayMonthYearWidget", "NHSDateField"]


class NHSDateField(forms.DateField):
    """A date typed as day, month and year (the NHS.UK date input pattern)."""

    widget = DayMonthYearWidget
    default_error_messages = {
        "invalid": "Enter a real date, for example 15 3 2025.",
    }
