"""The shared form macros (core/macros.html): every field kind drawn the NHS.UK way."""

import datetime

from django import forms
from django.template import engines
from django.test import SimpleTestCase

from openqi.core.forms import NHSDateField


class SampleForm(forms.Form):
    name = forms.CharField(
        label="Project name", help_text="A short name", max_length=50
    )
    aim = forms.CharField(label="Aim", widget=forms.Textarea)
    method = forms.ChoiceField(
        label="Method", choices=[("", "Choose"), ("pdsa", "PDSA"), ("lean", "Lean")]
    )
    groups = forms.MultipleChoiceField(
        label="Staff groups",
        widget=forms.CheckboxSelectMultiple,
        choices=[("nursing", "Nursing"), ("medical", "Medical")],
    )
    direction = forms.ChoiceField(
        label="Improvement is",
        widget=forms.RadioSelect,
        choices=[("up", "Up"), ("down", "Down")],
    )
    is_public = forms.BooleanField(label="Share with the system", required=False)
    start = NHSDateField(label="Start date")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def render(form: forms.Form, source: str) -> str:
    template = engines["jinja2"].from_string(
        '{% from "core/macros.html" import field, error_summary %}' + source
    )
    return template.render({"form": form})


class FieldMacroTests(SimpleTestCase):
    def test_each_kind_renders_its_nhs_component(self) -> None:
        form = SampleForm(
            initial={"start": datetime.date(2025, 3, 15), "groups": ["medical"]}
        )
        expectations = {
            "name": [
                'class="nhsuk-input"',
                'id="id_name"',
                "A short name",
                'name="name" type="text"',
            ],
            "aim": ['class="nhsuk-textarea"', 'name="aim"'],
            "method": [
                'class="nhsuk-select"',
                '<option value="pdsa"',
                ">Choose</option>",
            ],
            "groups": [
                'class="nhsuk-checkboxes__input" id="id_groups"',
                'value="medical" checked',
                "<legend",
            ],
            "direction": [
                'class="nhsuk-radios__input" id="id_direction"',
                "Improvement is",
            ],
            "is_public": ['type="checkbox" value="true"', "Share with the system"],
            "start": [
                'id="id_start-day"',
                'name="start_day"',
                'value="15"',
                'value="2025"',
                "nhsuk-date-input",
            ],
            "secret": ['type="hidden" name="secret"'],
        }
        for name, fragments in expectations.items():
            html = render(form, "{{ field(form." + name + ") }}")
            for fragment in fragments:
                with self.subTest(field=name, fragment=fragment):
                    self.assertIn(fragment, html)

    def test_errors_show_on_the_field_and_in_the_summary(self) -> None:
        form = SampleForm(
            data={"start_day": "31", "start_month": "2", "start_year": "2025"}
        )
        self.assertFalse(form.is_valid())
        html = render(
            form,
            "{{ error_summary(form) }}{{ field(form.name) }}{{ field(form.start) }}{{ field(form.groups) }}",
        )
        self.assertIn("There is a problem", html)
        self.assertIn('href="#id_name"', html)
        self.assertIn('href="#id_start-day"', html)
        self.assertIn('href="#id_groups"', html)
        self.assertIn("nhsuk-form-group--error", html)
        self.assertIn("nhsuk-input--error", html)
        self.assertIn("Enter a real date", html)
        # What was typed is shown back.
        self.assertIn('value="31"', html)

    def test_valid_form_has_no_summary(self) -> None:
        form = SampleForm(
            data={
                "name": "Falls",
                "aim": "Fewer falls",
                "method": "pdsa",
                "groups": ["nursing"],
                "direction": "down",
                "start_day": "1",
                "start_month": "4",
                "start_year": "2025",
            }
        )
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["start"], datetime.date(2025, 4, 1))
        self.assertNotIn(
            "There is a problem", render(form, "{{ error_summary(form) }}")
        )

    def test_values_are_escaped(self) -> None:
        form = SampleForm(data={"name": '"><script>alert(1)</script>'})
        html = render(form, "{{ field(form.name) }}")
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;", html)


class DateFieldTests(SimpleTestCase):
    def test_empty_date_is_required(self) -> None:
        form = SampleForm(data={})
        form.is_valid()
        self.assertIn("start", form.errors)

    def test_partial_date_is_invalid(self) -> None:
        form = SampleForm(data={"start_day": "3", "start_year": "2025"})
        form.is_valid()
        self.assertEqual(
            form.errors["start"], ["Enter a real date, for example 15 3 2025."]
        )
