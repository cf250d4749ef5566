"""The shared number fields: numbers typed as the pages show them (5,000) are taken."""

from __future__ import annotations

from django import forms
from django.test import SimpleTestCase

from openqi.core.forms import NumberField, WholeNumberField


class SampleForm(forms.Form):
    amount = NumberField(label="Amount", required=False)
    count = WholeNumberField(label="Count", required=False, min_value=1)


def cleaned(**data: str) -> dict[str, object]:
    form = SampleForm(data)
    assert form.is_valid(), form.errors
    return form.cleaned_data


def errors(**data: str) -> dict[str, list[str]]:
    form = SampleForm(data)
    assert not form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


class NumberFieldTests(SimpleTestCase):
    def test_thousands_separators_are_accepted(self) -> None:
        for typed, expected in {
            "5,000": 5000.0,
            "12,345.6": 12345.6,
            "-1,234,567": -1234567.0,
            " 1,000 ": 1000.0,
            "1000": 1000.0,
            "3.5": 3.5,
            "0.25": 0.25,
        }.items():
            with self.subTest(typed):
                self.assertEqual(cleaned(amount=typed)["amount"], expected)

    def test_badly_grouped_numbers_are_refused_with_how_to_write_them(self) -> None:
        for typed in ("5,00", "1,2345", ",500", "5,000,00", "1,000.5,0", "12,3.4"):
            with self.subTest(typed):
                self.assertEqual(
                    errors(amount=typed)["amount"],
                    [
                        "Put a comma only between groups of three digits, as in "
                        "5,000 or 12,345.6, or leave the commas out."
                    ],
                )

    def test_text_underscores_and_infinity_are_not_numbers(self) -> None:
        for typed in ("five", "1_000", "inf", "nan", "5,000a"):
            with self.subTest(typed):
                self.assertIn("amount", errors(amount=typed))

    def test_empty_is_none(self) -> None:
        self.assertIsNone(cleaned(amount="")["amount"])

    def test_a_stored_whole_number_is_shown_without_a_trailing_zero(self) -> None:
        form = SampleForm(initial={"amount": 100.0})
        self.assertIn('value="100"', str(form["amount"]))
        form = SampleForm(initial={"amount": 2.5})
        self.assertIn('value="2.5"', str(form["amount"]))

    def test_it_is_drawn_as_a_text_input_so_the_browser_keeps_the_commas(self) -> None:
        html = str(SampleForm()["amount"])
        self.assertIn('type="text"', html)
        self.assertIn('inputmode="decimal"', html)
        self.assertIn('inputmode="numeric"', str(SampleForm()["count"]))


class WholeNumberFieldTests(SimpleTestCase):
    def test_grouped_whole_numbers_clean_to_int(self) -> None:
        value = cleaned(count="12,000")["count"]
        self.assertEqual(value, 12000)
        self.assertIsInstance(value, int)
        self.assertEqual(cleaned(count="20.0")["count"], 20)

    def test_fractions_and_bad_grouping_are_refused(self) -> None:
        self.assertEqual(
            errors(count="2.5")["count"], ["Enter a whole number, such as 20 or 5,000."]
        )
        self.assertIn("three digits", errors(count="1,00")["count"][0])

    def test_bounds_still_apply(self) -> None:
        self.assertIn("count", errors(count="0"))


class EveryTypedNumberUsesTheSharedFieldTests(SimpleTestCase):
    def test_the_numeric_fields_of_every_app_take_thousands_separators(self) -> None:
        from openqi.assessments.forms import LinkForm
        from openqi.measures.forms import MeasureForm
        from openqi.strategy.forms import PriorityForm

        fields = {
            "LinkForm.count": LinkForm.base_fields["count"],
            "MeasureForm.target": MeasureForm.base_fields["target"],
            "MeasureForm.multiplier": MeasureForm.base_fields["multiplier"],
            "MeasureForm.fix_after": MeasureForm.base_fields["fix_after"],
            "PriorityForm.position": PriorityForm.base_fields["position"],
        }
        for name, field in fields.items():
            with self.subTest(name):
                self.assertIsInstance(field, NumberField)

    def test_no_form_module_declares_a_plain_django_number_field(self) -> None:
        import re
        from pathlib import Path

        import openqi

        root = Path(openqi.__file__).parent
        plain = re.compile(r"forms\.(IntegerField|FloatField|DecimalField)\(")
        found = [
            f"{path.relative_to(root)}:{number}"
            for path in sorted(root.glob("*/forms*.py"))
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if plain.search(line)
        ]
        self.assertEqual(found, [])

    def test_no_template_draws_a_number_field_as_a_browser_number_input(self) -> None:
        # A browser's number input drops "5,000" before the form sees it.
        import re
        from pathlib import Path

        import openqi

        root = Path(openqi.__file__).parent
        number_input = re.compile(r"""input_type=["']number["']|type=["']number["']""")
        found = [
            f"{path.relative_to(root)}:{number}"
            for path in sorted(root.glob("*/templates/**/*.html"))
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if number_input.search(line)
        ]
        self.assertEqual(found, [])
