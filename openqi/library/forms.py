"""Input checking for the library: what to publish, the search, and adopting (the API
binds these forms)."""

from __future__ import annotations

from typing import Any

from django import forms

from openqi.core.forms import SaysWhatToEnter, model_choice_field
from openqi.improvement.models import DriverNode
from openqi.organisations.models import Organisation
from openqi.projects.models import Project

from .models import (
    MAX_KEYWORDS,
    MAX_OUTCOME,
    MAX_SUMMARY,
    Audience,
    Kind,
    Outcome,
    Publication,
    Setting,
    Topic,
)
from .services import MAX_QUERY, adoptable_projects


def _choices(choices: Any, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *choices]


class PublishForm(SaysWhatToEnter, forms.Form):
    """What goes to the library, and to whom. ``kind`` and the source come from the
    address; a change idea is chosen from the project's (``change_idea``)."""

    change_idea = forms.ModelChoiceField(
        queryset=DriverNode.objects.none(),
        label="Change idea",
        required=False,
        empty_label="Choose a change idea",
    )
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="Summary",
        max_length=MAX_SUMMARY,
        widget=forms.Textarea,
        help_text="What others need to know first: the problem, what you changed and "
        "what happened, in a few sentences. Never include anything about a patient.",
    )
    outcome_text = forms.CharField(
        label="What happened and what you learned (optional)",
        max_length=MAX_OUTCOME,
        widget=forms.Textarea,
        required=False,
    )
    topic = forms.ChoiceField(choices=_choices(Topic.choices, "Choose a topic"))
    setting = forms.ChoiceField(choices=_choices(Setting.choices, "Choose a setting"))
    method = forms.ChoiceField(
        label="Improvement method (optional)",
        choices=_choices(Project.Method.choices, "Not said"),
        required=False,
    )
    outcome = forms.ChoiceField(
        label="What it improved (optional)",
        choices=_choices(Outcome.choices, "Not said"),
        required=False,
    )
    keywords = forms.CharField(
        label="Keywords (optional)",
        max_length=MAX_KEYWORDS,
        required=False,
        help_text="Other words people might search for, such as sepsis, NEWS2, frailty.",
    )
    audience = forms.ChoiceField(
        label="Who may see it",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who may see it."},
    )
    includes_measures = forms.BooleanField(
        label="Include the definitions of the project's measures",
        required=False,
    )
    includes_series = forms.BooleanField(
        label="Include the measures' aggregate data (period, value, denominator; "
        "never notes, never patient-level data)",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        organisation: Organisation,
        project: Project | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.organisation = organisation
        if kind == Kind.CHANGE_IDEA and project is not None:
            ideas = model_choice_field(self, "change_idea")
            ideas.queryset = DriverNode.objects.filter(
                project=project, kind=DriverNode.Kind.CHANGE_IDEA
            ).order_by("position", "pk")
            ideas.required = True
            ideas.error_messages["required"] = "Choose the change idea to publish."
        else:
            del self.fields["change_idea"]
        if kind != Kind.PROJECT:
            del self.fields["includes_measures"]
        if kind not in (Kind.PROJECT, Kind.MEASURE):
            del self.fields["includes_series"]
        elif kind == Kind.MEASURE:
            self.fields["includes_series"].label = (
                "Include the measure's aggregate data (period, value, denominator; "
                "never notes, never patient-level data)"
            )
        if not organisation.system_id and organisation.kind != Organisation.Kind.SYSTEM:
            self.fields["audience"].help_text = (
                f"{organisation.name} belongs to no system, so only “every organisation” "
                "can be chosen."
            )

    def clean_audience(self) -> str:
        audience: str = self.cleaned_data["audience"]
        if audience == Audience.SYSTEM and not (
            self.organisation.system_id
            or self.organisation.kind == Organisation.Kind.SYSTEM
        ):
            raise forms.ValidationError(
                f"{self.organisation.name} belongs to no system: choose every "
                "organisation on this server."
            )
        return audience

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.kind == Kind.PROJECT
            and data.get("includes_series")
            and not data.get("includes_measures")
        ):
            self.add_error(
                "includes_series",
                "Tick “Include the definitions of the project's measures” too: "
                "data is shared only with its measure's definition.",
            )
        return data

    def publication_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name, False)
            for name in (
                "title",
                "summary",
                "outcome_text",
                "topic",
                "setting",
                "method",
                "outcome",
                "keywords",
                "audience",
                "includes_measures",
                "includes_series",
            )
        }

    @staticmethod
    def initial_from(publication: Publication | None, title: str) -> dict[str, Any]:
        """A publish form's starting values: the live publication it updates, if any."""
        if publication is None:
            return {"title": title}
        return {
            name: getattr(publication, name)
            for name in (
                "title",
                "summary",
                "outcome_text",
                "topic",
                "setting",
                "method",
                "outcome",
                "keywords",
                "audience",
                "includes_measures",
                "includes_series",
            )
        }


class SearchForm(SaysWhatToEnter, forms.Form):
    q = forms.CharField(
        label="Search the library", max_length=MAX_QUERY, required=False
    )
    kind = forms.ChoiceField(
        label="What", choices=_choices(Kind.choices, "Anything"), required=False
    )
    topic = forms.ChoiceField(
        choices=_choices(Topic.choices, "Any topic"), required=False
    )
    setting = forms.ChoiceField(
        choices=_choices(Setting.choices, "Any setting"), required=False
    )
    method = forms.ChoiceField(
        choices=_choices(Project.Method.choices, "Any method"), required=False
    )
    outcome = forms.ChoiceField(
        label="What it improved",
        choices=_choices(Outcome.choices, "Anything"),
        required=False,
    )
    audience = forms.ChoiceField(
        label="Shared with",
        choices=[
            ("", "Anyone"),
            (Audience.SYSTEM, "Our system"),
            (Audience.EVERYONE, "Every organisation"),
        ],
        required=False,
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "q" and value
        }

    def text(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class AdoptForm(SaysWhatToEnter, forms.Form):
    """For a change idea or a driver diagram: the adopter's project to add it to."""

    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        label="Add it to which of your projects",
        empty_label="Choose a project",
        error_messages={
            "invalid_choice": "Choose one of your organisation's open projects."
        },
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        needs_project: bool,
        offered: list[Project] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if needs_project:
            # Any open project of the organisation is accepted; ``offered`` (a page
            # of them, or those a title search found) are the ones listed.
            projects = model_choice_field(self, "project")
            projects.queryset = adoptable_projects(organisation)
            if offered is not None:
                projects.choices = [("", "Choose a project")] + [
                    (p.pk, p.title) for p in offered
                ]
        else:
            del self.fields["project"]
