"""Input checking for the barrier log."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from openqi.accounts.models import User
from openqi.core.categories import BarrierCategory
from openqi.core.forms import (
    NHSDateField,
    SaysWhatToEnter,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.organisations.forms import offer_people_who_may_edit
from openqi.organisations.models import Organisation, Unit
from openqi.projects.models import Project

from .models import Barrier


def _person(user: User) -> str:
    return user.full_name or user.email


class BarrierForm(VersionedForm):
    """A barrier. A new one is always open; changing one may also change its status."""

    raised_on = NHSDateField(
        label="Raised on",
        error_messages={"required": "Enter the date the barrier was raised."},
    )
    resolved_on = NHSDateField(label="Resolved on", required=False)

    class Meta:
        model = Barrier
        fields = [
            "title",
            "category",
            "description",
            "severity",
            "unit",
            "owner",
            "raised_on",
            "projects",
            "escalate_to_board",
            "status",
            "resolved_on",
            "resolution",
        ]
        labels = {
            "title": "Barrier",
            "category": "Category",
            "description": "What gets in the way",
            "severity": "Severity",
            "unit": "Unit",
            "owner": "Owner",
            "projects": "Projects it affects",
            "escalate_to_board": "Escalate to the board report",
            "status": "Status",
            "resolution": "How it was resolved",
        }
        help_texts = {
            "title": "For example, No protected time for teams to test changes.",
            "owner": "Who is working to remove it.",
            "projects": "The organisation's projects this barrier holds back.",
            "resolution": "A sentence on what removed the barrier.",
        }
        error_messages = {"title": {"required": "Say what the barrier is."}}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "resolution": forms.Textarea(attrs={"rows": 3}),
            "severity": forms.RadioSelect,
            "status": forms.RadioSelect,
            "projects": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        if not self.instance.pk:
            for name in ("status", "resolved_on", "resolution"):
                del self.fields[name]
            self.initial.setdefault("raised_on", timezone.localdate())
        else:
            choice_field(self, "status").choices = Barrier.Status.choices
        category = choice_field(self, "category")
        category.choices = [("", "Choose a category"), *BarrierCategory.choices]
        severity = choice_field(self, "severity")
        severity.choices = Barrier.Severity.choices
        unit = model_choice_field(self, "unit")
        unit.queryset = Unit.objects.for_organisation(organisation)
        unit.empty_label = "The whole organisation"
        owner = model_choice_field(self, "owner")
        offer_people_who_may_edit(
            owner,
            organisation,
            refusal="Choose a member who may edit: a viewer cannot own a barrier.",
            current=[self.instance.owner] if self.instance.pk else [],
        )
        owner.empty_label = "No owner yet"
        owner.label_from_instance = _person  # type: ignore[method-assign,assignment]  # Django's documented way to label choices
        projects = cast(
            "forms.ModelMultipleChoiceField[Project]", self.fields["projects"]
        )
        projects.queryset = Project.objects.for_organisation(organisation).order_by(
            "title"
        )

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        raised = data.get("raised_on")
        if raised and raised > today:
            self.add_error("raised_on", "The date raised cannot be in the future.")
        if "status" not in self.fields:
            return data
        status = data.get("status")
        resolved = data.get("resolved_on")
        resolution = (data.get("resolution") or "").strip()
        data["resolution"] = resolution
        if status == Barrier.Status.RESOLVED:
            if not resolved and "resolved_on" not in self.errors:
                self.add_error(
                    "resolved_on", "Enter the date the barrier was resolved."
                )
            if not resolution:
                self.add_error("resolution", "Say in a sentence how it was resolved.")
        elif resolved:
            self.add_error(
                "resolved_on",
                "Only a resolved barrier has a resolved date: leave it empty or choose Resolved.",
            )
        if resolved and resolved > today:
            self.add_error("resolved_on", "The resolved date cannot be in the future.")
        if resolved and raised and resolved < raised:
            self.add_error(
                "resolved_on", "The resolved date must be on or after the date raised."
            )
        return data


class BarrierSearchForm(SaysWhatToEnter, forms.Form):
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Any category"), *BarrierCategory.choices],
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Barrier.Status.choices],
    )
    unit = forms.ModelChoiceField(
        label="Unit",
        required=False,
        queryset=Unit.objects.none(),
        empty_label="Any unit",
    )
    severity = forms.ChoiceField(
        label="Severity",
        required=False,
        choices=[("", "Any severity"), *Barrier.Severity.choices],
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = model_choice_field(self, "unit")
        unit.queryset = Unit.objects.for_organisation(organisation)


class EscalateForm(SaysWhatToEnter, forms.Form):
    """The forum's toggle: ``escalate`` is "true" to flag, anything else to unflag."""

    escalate = forms.BooleanField(required=False)
