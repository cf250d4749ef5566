"""Input checking for the project pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from openqi.accounts.models import User
from openqi.core.forms import (
    NHSDateField,
    SaysWhatToEnter,
    WholeNumberField,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.measures.models import Measure
from openqi.organisations.forms import offer_people_who_may_edit
from openqi.organisations.models import Organisation, Unit
from openqi.strategy.models import StrategicPriority

from .models import PROGRESS_SCALE, Partner, ProgressRating, Project, ProjectMeasure
from .services import tag_names


def _person(user: User) -> str:
    return user.full_name or user.email


class ProjectForm(VersionedForm):
    """A project; status, method and date rules come from ``Project.clean``."""

    aim_by_when = NHSDateField(label="By when", required=False)
    start_date = NHSDateField(label="Start date", required=False)
    end_date = NHSDateField(label="End date", required=False)
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=600,
        help_text="Separate tags with commas, for example: falls, older people, night shifts.",
    )
    #: Sent by the "Create anyway" button once similar projects have been shown.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = [
            "title",
            "problem",
            "aim_what",
            "aim_how_much",
            "aim_by_when",
            "unit",
            "priorities",
            "method",
            "method_other",
            "lead",
            "team",
            "status",
            "status_reason",
            "start_date",
            "end_date",
        ]
        labels = {
            "title": "Project title",
            "problem": "The problem",
            "aim_what": "What we will improve",
            "aim_how_much": "By how much",
            "unit": "Unit",
            "priorities": "Strategic priorities it supports",
            "method": "Improvement method",
            "method_other": "Name of the method",
            "lead": "Project lead",
            "team": "Team members",
            "status": "Status",
            "status_reason": "Reason for the status",
        }
        help_texts = {
            "title": "A few words that say what the project is about, for example "
            "Fewer falls at night on the stroke unit.",
            "problem": "What is happening now, for whom, and how you know.",
            "aim_what": "For example, reduce inpatient falls with harm on ward 7.",
            "aim_how_much": "For example, by 50% (from 6 to 3 a month).",
            "method_other": "Only if you chose Other.",
            "team": "Members of the organisation working on the project.",
            "status_reason": "Needed when a project stops; useful when it completes.",
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "aim_what": forms.Textarea(attrs={"rows": 2}),
            "status_reason": forms.Textarea(attrs={"rows": 3}),
            "priorities": forms.CheckboxSelectMultiple,
            "team": forms.CheckboxSelectMultiple,
            "method": forms.RadioSelect,
            "status": forms.RadioSelect,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["aim_what"].required = True
        model_choice_field(self, "unit").queryset = Unit.objects.for_organisation(
            organisation
        ).order_by("name")
        model_choice_field(self, "unit").empty_label = "No unit"
        model_choice_field(
            self, "priorities"
        ).queryset = StrategicPriority.objects.for_organisation(organisation)
        is_saved = self.instance.pk is not None
        offer_people_who_may_edit(
            model_choice_field(self, "lead"),
            organisation,
            refusal="Choose a member who may edit: a viewer cannot lead a project.",
            current=[self.instance.lead] if is_saved else [],
        )
        model_choice_field(self, "lead").empty_label = "No lead yet"
        model_choice_field(self, "lead").label_from_instance = _person  # type: ignore[method-assign,assignment]  # Django's documented way to label choices
        offer_people_who_may_edit(
            model_choice_field(self, "team"),
            organisation,
            refusal="Choose members who may edit: a viewer cannot be on a project team.",
            current=self.instance.team.all() if is_saved else [],
        )
        model_choice_field(self, "team").label_from_instance = _person  # type: ignore[method-assign,assignment]  # Django's documented way to label choices
        choice_field(self, "method").choices = Project.Method.choices
        choice_field(self, "status").choices = Project.Status.choices
        if self.instance.pk:
            self.initial["tags"] = ", ".join(t.name for t in self.instance.tags.all())

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_tags(self) -> list[str]:
        names = tag_names(self.cleaned_data["tags"])
        too_long = [n for n in names if len(n) > 60]
        if too_long:
            raise forms.ValidationError(
                f"Keep each tag to 60 characters or fewer ({too_long[0][:20]}… is longer)."
            )
        return names

    def project_fields(self) -> dict[str, Any]:
        """The cleaned data the services take (everything but the confirm flag)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm"}


class ProjectSearchForm(SaysWhatToEnter, forms.Form):
    q = forms.CharField(label="Title contains", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Project.Status.choices],
    )
    priority = forms.ModelChoiceField(
        label="Priority",
        required=False,
        queryset=StrategicPriority.objects.none(),
        empty_label="Any priority",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(
            self, "priority"
        ).queryset = StrategicPriority.objects.for_organisation(organisation)


class SimilarForm(SaysWhatToEnter, forms.Form):
    """The words to compare, sent as someone types (htmx) or from the check page."""

    title = forms.CharField(label="Project title", required=False, max_length=200)
    aim_what = forms.CharField(
        label="What we will improve", required=False, widget=forms.Textarea
    )
    aim_how_much = forms.CharField(label="By how much", required=False)
    problem = forms.CharField(
        label="The problem", required=False, widget=forms.Textarea
    )
    #: The project being edited, left out of its own matches.
    exclude = WholeNumberField(required=False, widget=forms.HiddenInput)


class NoteForm(SaysWhatToEnter, forms.Form):
    text = forms.CharField(
        label="Add a note to the timeline",
        max_length=5000,
        error_messages={"required": "Enter the note."},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened, what was decided, what you learned.",
    )

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Enter the note.")
        return text


class RatingForm(SaysWhatToEnter, forms.Form):
    score = forms.TypedChoiceField(
        label="Progress score",
        choices=[(str(s), str(s)) for s in PROGRESS_SCALE],
        coerce=lambda value: next(s for s in PROGRESS_SCALE if str(s) == value),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a level of the progress scale."},
    )
    rated_by = forms.ChoiceField(
        label="Whose rating is this?",
        choices=ProgressRating.RatedBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whose rating this is."},
    )
    rated_on = NHSDateField(label="Date of the rating")
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The evidence behind the score.",
    )

    def __init__(
        self, *args: Any, sources: list[str], source: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "rated_by").choices = [
            (value, label)
            for value, label in ProgressRating.RatedBy.choices
            if value in sources
        ]
        self.fields["rated_by"].initial = source
        self.fields["rated_on"].initial = timezone.localdate()

    def clean_rated_on(self) -> Any:
        rated_on = self.cleaned_data["rated_on"]
        if rated_on > timezone.localdate():
            raise forms.ValidationError(
                "The date of the rating cannot be in the future."
            )
        return rated_on


class PartnerForm(SaysWhatToEnter, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "contribution"]
        labels = {
            "name": "Name",
            "kind": "They take part as a",
            "contribution": "How they contribute",
        }
        help_texts = {
            "name": "The name they want used, for example a first name or initials.",
            "contribution": "For example, attends the fortnightly project meeting.",
        }
        widgets = {"kind": forms.RadioSelect}
        error_messages = {
            "name": {"required": "Enter their name."},
            "kind": {"required": "Choose how they take part."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = Partner.Kind.choices


class MeasureLinkForm(SaysWhatToEnter, forms.Form):
    """One of the organisation's measures not yet linked, and its role.

    Any such measure is accepted; a page offers only a short list of them
    (:meth:`offer`, a search's matches), never all of an organisation's measures.
    """

    measure = forms.ModelChoiceField(
        label="Measure",
        queryset=Measure.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a measure to link."},
    )
    role = forms.ChoiceField(
        label="Its role in the project",
        choices=ProjectMeasure.Role.choices,
        initial=ProjectMeasure.Role.OUTCOME,
        widget=forms.RadioSelect,
        help_text="Outcome: the aim itself. Process: the steps that lead to it. "
        "Balancing: what might get worse elsewhere.",
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "measure").queryset = (
            Measure.objects.for_organisation(project.organisation)
            .exclude(project_links__project=project)
            .order_by("name")
        )

    def offer(self, measures: list[Measure]) -> None:
        """Show only ``measures`` to choose from (validation still accepts any
        measure the project may link)."""
        model_choice_field(self, "measure").choices = [
            (measure.pk, measure.name) for measure in measures
        ]


class MeasureSearchForm(SaysWhatToEnter, forms.Form):
    """The words a measure's name must contain, for the "Link a measure" picker."""

    q = forms.CharField(
        label="Search the measures by name", required=False, max_length=200
    )
