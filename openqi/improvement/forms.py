"""Input checking for the driver diagram and PDSA cycles.

The rules live on the models (``DriverNode.clean``, ``PDSACycle.clean``); these
forms run them and show their messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from openqi.core.forms import (
    NHSDateField,
    SaysWhatToEnter,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.projects.models import Project

from . import services
from .models import DriverNode, PDSACycle


class _ModelRulesForm(VersionedForm):
    """Shows a model rule about a field this form does not have as an error of the whole form."""

    def add_error(self, field: str | None, error: Any) -> None:
        if field is None and hasattr(error, "error_dict"):
            for name in list(error.error_dict):
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    super().add_error(None, error.error_dict.pop(name))
        super().add_error(field, error)


_TEXT_REQUIRED = {"text": {"required": "Enter the text."}}


class DriverNodeForm(_ModelRulesForm):
    """A new node under ``parent`` (None: under the aim)."""

    class Meta:
        model = DriverNode
        fields = ["kind", "text"]
        labels = {"kind": "What is it?", "text": "Text"}
        error_messages = {**_TEXT_REQUIRED, "kind": {"required": "Choose what it is."}}
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, project: Project, parent: DriverNode | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.instance.parent = parent
        # Only the kinds allowed here are offered; a stale or altered post of
        # another kind meets DriverNode.clean and its message.
        self.allowed_kinds = services.allowed_kinds(parent)
        if not self.allowed_kinds:
            raise ValueError(
                f"nothing can sit under a {parent.get_kind_display().lower() if parent else 'node'}"
            )
        self.initial.setdefault("kind", self.allowed_kinds[0])
        if len(self.allowed_kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()


class DriverNodeTextForm(_ModelRulesForm):
    class Meta:
        model = DriverNode
        fields = ["text"]
        labels = {"text": "Text"}
        error_messages = _TEXT_REQUIRED
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class MoveForm(SaysWhatToEnter, forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={"required": "Choose which way to move it."},
    )


class CycleCreateForm(_ModelRulesForm):
    """Plan a new cycle on a change idea, following on from its ramp by default."""

    follow_on = forms.BooleanField(
        label="Follow on from the last cycle on this change idea",
        help_text="The new cycle joins the idea's ramp after its latest cycle.",
        required=False,
        initial=True,
    )
    start_date = NHSDateField(label="When the test starts (optional)", required=False)

    class Meta:
        model = PDSACycle
        fields = ["change_idea", "title", "plan", "prediction", "start_date"]
        labels = {
            "change_idea": "Change idea to test",
            "title": "Name of the test",
            "plan": "Plan: what will you test, who, where and when?",
            "prediction": "Prediction: what do you expect to happen?",
        }
        error_messages = {
            "plan": {"required": "Say what you will test, who, where and when."},
            "prediction": {
                "required": "Write your prediction: what you expect to happen."
            },
        }
        help_texts = {
            "title": "For example, Bedside falls checklist on one bay for a week.",
            "prediction": "Say what you expect, so the study can compare. "
            "For example, at least 8 of 10 patients will have the checklist done within 6 hours.",
        }
        widgets = {
            "plan": forms.Textarea(attrs={"rows": 4}),
            "prediction": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        ideas = services.change_ideas(project)
        field = model_choice_field(self, "change_idea")
        field.queryset = DriverNode.objects.filter(
            project=project, kind=DriverNode.Kind.CHANGE_IDEA
        )
        # Diagram order, not alphabetical: ideas sit near their drivers.
        field.choices = [("", "Choose a change idea")] + [
            (idea.pk, idea.text) for idea in ideas
        ]
        self.fields["plan"].required = True
        self.fields["prediction"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        idea = cleaned.get("change_idea")
        self.instance.previous = (
            services.last_cycle(idea) if idea and cleaned.get("follow_on") else None
        )
        return cleaned


class PlanForm(_ModelRulesForm):
    start_date = NHSDateField(label="When the test starts (optional)", required=False)

    class Meta:
        model = PDSACycle
        fields = ["title", "plan", "prediction", "start_date"]
        labels = CycleCreateForm.Meta.labels
        error_messages = CycleCreateForm.Meta.error_messages
        help_texts = CycleCreateForm.Meta.help_texts
        widgets = CycleCreateForm.Meta.widgets


class DoForm(_ModelRulesForm):
    class Meta:
        model = PDSACycle
        fields = ["do"]
        labels = {"do": "Do: what happened when you ran the test?"}
        help_texts = {
            "do": "What you did, what you observed, problems and surprises, the data you collected."
        }
        widgets = {"do": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["do"].required = True
        self.fields["do"].error_messages["required"] = "Say what happened."


class StudyForm(_ModelRulesForm):
    class Meta:
        model = PDSACycle
        fields = ["study"]
        labels = {"study": "Study: how did the results compare with your prediction?"}
        help_texts = {"study": "What you learnt, and whether the prediction held."}
        widgets = {"study": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].required = True
        self.fields["study"].error_messages["required"] = (
            "Compare the results with the prediction."
        )


class ActForm(_ModelRulesForm):
    end_date = NHSDateField(label="When the test finished (optional)", required=False)

    class Meta:
        model = PDSACycle
        fields = ["act", "act_notes", "end_date"]
        labels = {
            "act": "Act: what will you do with the change?",
            "act_notes": "Next steps",
        }
        help_texts = {
            "act_notes": "For an adapted change, what the next cycle will test differently."
        }
        widgets = {
            "act": forms.RadioSelect,
            "act_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = choice_field(self, "act")
        field.required = True
        field.choices = [
            (PDSACycle.Act.ADOPT, "Adopt: keep the change and make it standard work"),
            (PDSACycle.Act.ADAPT, "Adapt: change it and test again"),
            (PDSACycle.Act.ABANDON, "Abandon: stop testing this change"),
        ]
        field.error_messages["required"] = "Choose adopt, adapt or abandon."


STEP_FORMS: dict[str, type[VersionedForm]] = {
    PDSACycle.Stage.PLAN: PlanForm,
    PDSACycle.Stage.DO: DoForm,
    PDSACycle.Stage.STUDY: StudyForm,
    PDSACycle.Stage.ACT: ActForm,
}
