"""Form pieces shared by every app: the NHS.UK date input, typed numbers, and
required fields that say what to enter."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms

from openqi.core.jinja2 import DayMonthYearWidget

__all__ = [
    "DayMonthYearWidget",
    "NHSDateField",
    "NumberField",
    "SaysWhatToEnter",
    "TypedNumberInput",
    "WholeNumberField",
]


class NHSDateField(forms.DateField):
    """A date typed as day, month and year (the NHS.UK date input pattern)."""

    widget = DayMonthYearWidget
    default_error_messages = {
        "invalid": "Enter a real date, for example 15 3 2025.",
    }


#: A number with a comma between each group of three digits: 5,000 or -12,345.6.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


class TypedNumberInput(forms.TextInput):
    """A text input that shows a stored whole number without its ".0" (1, not 1.0)."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        return super().format_value(value)


class NumberField(forms.FloatField):
    """A number as people type it, with or without thousands separators.

    The pages show 12,345.6, so "12,345.6" is taken as well as "12345.6"; a comma
    anywhere else ("5,00", "1,2345") is refused, since it may be a decimal comma
    or a slip. Drawn as a text input (the NHS.UK design system's advice for
    numbers): a browser's number input throws away "5,000" before the form sees it.
    Every form field that takes a typed number uses this field or
    :class:`WholeNumberField`; uploaded files and the JSON API keep their own rules.
    """

    widget = TypedNumberInput(attrs={"inputmode": "decimal"})
    default_error_messages = {
        "invalid": "Enter a number, such as 42, 3.5 or 5,000.",
        "grouping": "Put a comma only between groups of three digits, as in 5,000 or "
        "12,345.6, or leave the commas out.",
    }

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # django-stubs give FloatField IntegerField's int
        if isinstance(value, str):
            text = value.strip()
            if "," in text:
                if not _GROUPED.fullmatch(text):
                    raise forms.ValidationError(
                        self.error_messages["grouping"], code="grouping"
                    )
                text = text.replace(",", "")
            if "_" in text:  # Python's float() takes 1_000; people do not write it
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                )
            value = text
        number: float | None = super().to_python(value)
        return number


class WholeNumberField(NumberField):
    """A whole number as people type it ("5,000" too); cleans to an ``int``."""

    widget = TypedNumberInput(attrs={"inputmode": "numeric"})
    default_error_messages = {
        "invalid": "Enter a whole number, such as 20 or 5,000.",
        "whole": "Enter a whole number, such as 20 or 5,000.",
    }

    def to_python(self, value: Any) -> int | None:
        number = super().to_python(value)
        if number is None:
            return None
        if not float(number).is_integer():
            raise forms.ValidationError(self.error_messages["whole"], code="whole")
        return int(number)


#: Django's message for an empty required field, which says nothing about what to give.
DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])

#: Labels starting with these words name what to give without an article:
#: "Choose how often it is measured", not "Choose the how often it is measured".
_NO_ARTICLE = frozenset(
    "a an the how which what where when who whose why whether if its their your "
    "our his her my this these".split()
)


def required_message(field: forms.Field, label: str) -> str:
    """What an empty required field says, from its label and kind, in the NHS.UK
    style ("Enter the project title.", "Choose the status."): "Enter" for what is
    typed (text, numbers, dates), "Choose" for what is picked (a select, radios,
    checkboxes or a file). A label that is a question or has a colon reads badly
    after a verb; such a field sets its own message (tests/core/test_required_messages.py)."""
    text = " ".join(str(label).split()).rstrip(".")
    if len(text) > 1 and text[1].isupper():  # an abbreviation, such as NHS number
        noun = text
    else:
        noun = text[:1].lower() + text[1:]
    first = noun.split(" ", 1)[0].lower()
    what = noun if first in _NO_ARTICLE else f"the {noun}"
    if isinstance(field, forms.BooleanField):
        return f"Tick “{text}”."
    if isinstance(field, forms.FileField):
        return f"Choose {what} to upload."
    if isinstance(field, forms.ChoiceField):  # ModelChoiceField too
        return f"Choose {what}."
    return f"Enter {what}."


class SaysWhatToEnter:
    """Mixed into every form: a required field left empty says what to enter
    (:func:`required_message`, from the label the field has when the form is
    checked) rather than Django's "This field is required."; a message the form
    sets itself is kept. Put it first among the bases:
    ``class NoteForm(SaysWhatToEnter, forms.Form)``. (A plain class, so that each
    form keeps the types of the form it is mixed into.)"""

    def full_clean(self) -> None:
        form = cast(forms.BaseForm, self)
        for name, field in form.fields.items():
            if str(field.error_messages.get("required", "")) == DJANGO_REQUIRED:
                field.error_messages["required"] = required_message(
                    field, str(form[name].label or name)
                )
        super().full_clean()  # type: ignore[misc]  # the Django form it is mixed into has it


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name`` as a choice field, typed so its choices may be set
    (``form.fields`` is typed as plain ``Field``)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a choice field")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name`` as a model choice field (one or several), typed so
    its queryset, empty label and labels may be set."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a model choice field")
    return field
