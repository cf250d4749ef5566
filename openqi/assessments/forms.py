"""Input checking for assessment rounds, anonymous links, survey answers and actions."""

from __future__ import annotations

from typing import Any

from django import forms

from openqi.core.categories import EnablerCategory
from openqi.core.forms import (
    NHSDateField,
    SaysWhatToEnter,
    WholeNumberField,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.organisations.forms import offer_people_who_may_edit
from openqi.organisations.models import Organisation, StaffRecord, Unit

from . import services
from .models import ActionItem, AssessmentRound, Instrument, RespondentGroup


class RoundForm(SaysWhatToEnter, forms.Form):
    instrument = forms.ModelChoiceField(
        queryset=Instrument.objects.none(),  # set per organisation
        label="Instrument",
        empty_label="Choose an instrument",
        error_messages={"required": "Choose the instrument to use."},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, Readiness assessment spring 2026.",
        error_messages={"required": "Enter a title for the round."},
    )
    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Units taking part",
        help_text="Leave all unticked to include the whole organisation.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "instrument").queryset = services.instruments_for(
            organisation
        )
        model_choice_field(self, "units").queryset = Unit.objects.filter(
            organisation=organisation
        ).order_by("name")

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()


class LinkForm(SaysWhatToEnter, forms.Form):
    count = WholeNumberField(
        label="How many links",
        min_value=1,
        max_value=services.MAX_LINKS,
        help_text=f"One link for each person you will send it to (at most {services.MAX_LINKS}).",
        error_messages={
            "required": "Enter how many links to make.",
            "invalid": "Enter a whole number, like 20.",
            "min_value": "Make at least 1 link.",
            "max_value": f"Make at most {services.MAX_LINKS} links at a time.",
        },
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label="Unit",
        empty_label="Not given",
    )
    staff_group = forms.ChoiceField(
        choices=[("", "Not given"), *StaffRecord.StaffGroup.choices],
        required=False,
        label="Staff group",
    )
    respondent_group = forms.ChoiceField(
        choices=RespondentGroup.choices,
        initial=RespondentGroup.STAFF,
        widget=forms.RadioSelect,
        label="Who will answer",
        help_text="They see only the questions asked of their group.",
        error_messages={"required": "Choose who will answer."},
    )

    def __init__(
        self, *args: Any, assessment_round: AssessmentRound, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "unit").queryset = services.round_units(
            assessment_round
        )
        if assessment_round.units.exists():
            self.fields["unit"].required = True
            model_choice_field(self, "unit").empty_label = "Choose a unit"
            self.fields["unit"].error_messages["required"] = (
                "Choose the unit: this round covers chosen units only."
            )


class SurveyForm(SaysWhatToEnter, forms.Form):
    """One radio question per item put to the link's respondent group; questions
    may be skipped, but a response needs at least one answer."""

    def __init__(
        self, *args: Any, sections: list[services.SurveySection], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections = sections
        self.questions = {q.item.key: q for s in sections for q in s.questions}
        for key, question in self.questions.items():
            self.fields[key] = forms.ChoiceField(
                label=question.item.text,
                choices=question.choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={
                    "invalid_choice": "Choose one of the answers, or leave it blank."
                },
            )

    def fields_of(self, section: services.SurveySection) -> list[forms.BoundField]:
        return [self[question.item.key] for question in section.questions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError(
                "Answer at least one question before sending your answers."
            )
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The answers given, as each item's scale stores them (skipped ones left out)."""
        return {
            key: self.questions[key].scale.parse_answer(value)
            for key, value in self.cleaned_data.items()
            if value
        }


class ActionForm(VersionedForm):
    due_date = NHSDateField(label="Due date", required=False)

    class Meta:
        model = ActionItem
        fields = [
            "title",
            "description",
            "category",
            "owner",
            "due_date",
            "status",
            "round",
            "section_key",
        ]
        labels = {
            "title": "Action",
            "description": "What will be done",
            "category": "Enabler category",
            "owner": "Owner",
            "status": "Status",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "status": forms.RadioSelect,
            "round": forms.HiddenInput,
            "section_key": forms.HiddenInput,
        }
        error_messages = {"title": {"required": "Enter the action."}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        owner = model_choice_field(self, "owner")
        offer_people_who_may_edit(
            owner,
            organisation,
            refusal="Choose a member who may edit: a viewer cannot own an action.",
            current=[self.instance.owner] if self.instance.pk else [],
        )
        owner.empty_label = "No owner yet"
        owner.label_from_instance = lambda user: user.full_name or user.email  # type: ignore[method-assign,assignment]  # Django's documented way to label choices
        model_choice_field(
            self, "round"
        ).queryset = AssessmentRound.objects.for_organisation(organisation)
        choice_field(self, "category").choices = [
            ("", "None"),
            *EnablerCategory.choices,
        ]

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()


class ActionFilterForm(SaysWhatToEnter, forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ActionItem.Status.choices],
        required=False,
        label="Status",
    )
    category = forms.ChoiceField(
        choices=[("", "Any category"), *EnablerCategory.choices],
        required=False,
        label="Enabler category",
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"status": "", "category": ""}
        return {
            "status": self.cleaned_data["status"],
            "category": self.cleaned_data["category"],
        }


class InstrumentImportForm(SaysWhatToEnter, forms.Form):
    """Load an instrument the organisation holds the rights to, from its definition file."""

    file = forms.FileField(
        label="Definition file (.json)",
        help_text="The instrument's definition in OpenQI's format, a JSON file.",
        error_messages={"required": "Choose the definition file to load."},
    )
