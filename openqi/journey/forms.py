"""Input checking for the journey: a step's status and notes, milestones, evidence."""

from __future__ import annotations

from typing import Any

from django import forms

from openqi.core.forms import NHSDateField, SaysWhatToEnter, choice_field
from openqi.core.versioning import VersionedForm

from .models import Evidence, JourneyStep, Milestone


class StepForm(VersionedForm):
    class Meta:
        model = JourneyStep
        fields = ["status", "notes"]
        labels = {"status": "Where this step stands", "notes": "Notes"}
        help_texts = {
            "notes": "What has been done, what is planned, who leads it.",
        }
        widgets = {
            "status": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = choice_field(self, "status")
        status.choices = JourneyStep.Status.choices


class MilestoneForm(VersionedForm):
    due_on = NHSDateField(label="Due", required=False)
    done_on = NHSDateField(
        label="Done",
        required=False,
        help_text="The date it was done. Leave empty while it is still to do.",
    )

    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]
        labels = {"title": "Milestone"}
        help_texts = {"title": "For example, Board development session on QI held."}

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class EvidenceForm(SaysWhatToEnter, forms.ModelForm):
    link = forms.URLField(
        label="Link (optional)",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="Where to find it, if it is online.",
    )

    class Meta:
        model = Evidence
        fields = ["title", "description", "link"]
        labels = {
            "title": "Evidence",
            "description": "What it shows",
        }
        help_texts = {
            "title": "For example, Board minutes approving the QI strategy.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())
