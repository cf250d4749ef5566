"""A required field left empty says what to enter, never Django's "This field is required."

core.forms.SaysWhatToEnter derives the message from the field's label and kind;
every form of the app uses it, and a label that would read badly after "Enter" or
"Choose" (a question, a colon) has a message of its own.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.test import SimpleTestCase

import openqi
from openqi.core.forms import (
    DJANGO_REQUIRED,
    NHSDateField,
    NumberField,
    SaysWhatToEnter,
    required_message,
)


def _form_modules() -> Iterator[object]:
    for app in pkgutil.iter_modules(openqi.__path__):
        if not app.ispkg:
            continue
        package = importlib.import_module(f"openqi.{app.name}")
        for module in pkgutil.iter_modules(package.__path__):
            if module.name == "forms" or module.name.endswith("_forms"):
                yield importlib.import_module(f"openqi.{app.name}.{module.name}")


def _app_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module in _form_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__  # type: ignore[attr-defined]  # a module object
                and hasattr(cls, "base_fields")
            ):
                found.append(cls)
    return found


class _Example(SaysWhatToEnter, forms.Form):
    title = forms.CharField(label="Project title")
    how_often = forms.ChoiceField(
        label="How often it is measured", choices=[("m", "Monthly")]
    )
    nhs_number = forms.CharField(label="NHS number")
    started = NHSDateField(label="Start date")
    size = NumberField(label="Size")
    report = forms.FileField(label="Report")
    own = forms.CharField(label="Own", error_messages={"required": "Say it yourself."})
    later = forms.CharField(label="What we will improve", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["later"].required = True  # made required after Django's set-up


class DerivedMessageTests(SimpleTestCase):
    def errors(self) -> dict[str, list[str]]:
        form = _Example(data={})
        self.assertFalse(form.is_valid())
        return {name: list(messages) for name, messages in form.errors.items()}

    def test_typed_fields_say_enter_and_picked_fields_say_choose(self) -> None:
        errors = self.errors()
        self.assertEqual(errors["title"], ["Enter the project title."])
        self.assertEqual(errors["started"], ["Enter the start date."])
        self.assertEqual(errors["size"], ["Enter the size."])
        self.assertEqual(errors["how_often"], ["Choose how often it is measured."])
        self.assertEqual(errors["report"], ["Choose the report to upload."])

    def test_an_abbreviation_keeps_its_capitals(self) -> None:
        self.assertEqual(self.errors()["nhs_number"], ["Enter the NHS number."])

    def test_a_message_the_form_sets_is_kept(self) -> None:
        self.assertEqual(self.errors()["own"], ["Say it yourself."])

    def test_a_field_made_required_after_set_up_says_what_to_enter(self) -> None:
        self.assertEqual(self.errors()["later"], ["Enter what we will improve."])

    def test_nothing_says_this_field_is_required(self) -> None:
        for messages in self.errors().values():
            self.assertNotIn(DJANGO_REQUIRED, messages)

    def test_the_label_shown_is_the_one_used(self) -> None:
        form = _Example(data={})
        form.fields["title"].label = "Name of the test"
        form.is_valid()
        self.assertEqual(form.errors["title"], ["Enter the name of the test."])

    def test_a_checkbox_and_a_select_of_models(self) -> None:
        self.assertEqual(
            required_message(forms.BooleanField(), "I agree"), "Tick “I agree”."
        )
        self.assertEqual(
            required_message(forms.MultipleChoiceField(), "Team members"),
            "Choose the team members.",
        )


class EveryFormTests(SimpleTestCase):
    def test_the_walk_finds_the_forms(self) -> None:
        names = {cls.__name__ for cls in _app_forms()}
        for expected in (
            "ProjectForm",
            "SurveyForm",
            "SignInForm",
            "OverviewFilterForm",
        ):
            self.assertIn(expected, names)

    def test_every_form_says_what_to_enter(self) -> None:
        missing = [
            f"{cls.__module__}.{cls.__name__}"
            for cls in _app_forms()
            if not issubclass(cls, SaysWhatToEnter)
        ]
        self.assertEqual(missing, [], "put SaysWhatToEnter first among their bases")

    def test_no_derived_message_reads_badly(self) -> None:
        """A question or a label with a colon needs a message of its own."""
        bad = []
        for cls in _app_forms():
            for name, field in cls.base_fields.items():
                if not field.required or isinstance(field.widget, forms.HiddenInput):
                    continue
                if str(field.error_messages.get("required")) != DJANGO_REQUIRED:
                    continue
                label = str(field.label or pretty_name(name))
                message = required_message(field, label)
                if any(mark in message for mark in ("?", ":", "the the ")):
                    bad.append(f"{cls.__name__}.{name}: {message}")
        self.assertEqual(bad, [])
