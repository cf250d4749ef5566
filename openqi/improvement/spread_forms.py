"""Input checking for spread (openqi/improvement/spread.py): adopting a proven change
idea into another project, and the spreading view's filters. The API binds the same
adoption form."""

from __future__ import annotations

from typing import Any

from django import forms

from openqi.core.forms import SaysWhatToEnter, model_choice_field
from openqi.organisations.models import Organisation
from openqi.projects.models import Project

from .models import DriverNode
from .spread import AdoptionRefused, SpreadRow, check_adoption, drivers_of


class AdoptForm(SaysWhatToEnter, forms.Form):
    """The adopting project and the driver the idea goes under; the rules of
    :func:`openqi.improvement.spread.check_adoption` as field errors."""

    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        label="The project that adopts it",
        empty_label="Choose a project",
        error_messages={
            "required": "Choose the project that adopts the change idea.",
            "invalid_choice": "Choose one of this organisation's projects listed.",
        },
    )
    parent = forms.ModelChoiceField(
        queryset=DriverNode.objects.none(),
        label="Put it under this driver",
        empty_label="Choose a driver",
        required=False,
        error_messages={
            "invalid_choice": "Choose one of the adopting project's drivers listed.",
        },
    )

    def __init__(
        self,
        *args: Any,
        idea: DriverNode,
        organisation: Organisation,
        choices: Any = None,
        need_parent: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.idea = idea
        self.need_parent = need_parent
        projects = model_choice_field(self, "project")
        # Any project of the organisation is accepted (the rules below say why one is
        # refused); ``choices`` are the ones offered.
        projects.queryset = Project.objects.for_organisation(organisation)
        if choices is not None:
            projects.choices = [("", "Choose a project")] + [
                (p.pk, p.title) for p in choices
            ]
        parents = model_choice_field(self, "parent")
        parents.queryset = DriverNode.objects.for_organisation(organisation).filter(
            kind__in=DriverNode.PARENT_KIND[DriverNode.Kind.CHANGE_IDEA]
        )

    def offer_drivers(self, project: Project) -> list[DriverNode]:
        """Offer the drivers of ``project`` as the parent's choices."""
        drivers = list(drivers_of(project))
        model_choice_field(self, "parent").choices = [("", "Choose a driver")] + [
            (d.pk, f"{d.get_kind_display()}: {d.text}") for d in drivers
        ]
        return drivers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        project = data.get("project")
        parent = data.get("parent")
        if project is None:
            return data
        try:
            check_adoption(self.idea, project)
        except AdoptionRefused as refused:
            self.add_error(
                None if refused.field == "idea" else refused.field, refused.message
            )
            return data
        if not self.need_parent:
            return data
        if parent is None and "parent" not in self.errors:
            self.add_error(
                "parent",
                f"Choose the driver of {project.title} to put the change idea under.",
            )
        elif parent is not None and parent.project_id != project.pk:
            self.add_error(
                "parent",
                f"Choose a driver of {project.title}: that one belongs to another project.",
            )
        return data


class SpreadFilterForm(SaysWhatToEnter, forms.Form):
    """The spreading view's filters: the source project's priority and unit, offered
    from the proven ideas themselves (no query of their own)."""

    priority = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Strategic priority",
        error_messages={"invalid_choice": "Choose one of the priorities listed."},
    )
    unit = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Unit",
        error_messages={"invalid_choice": "Choose one of the units listed."},
    )

    def __init__(self, *args: Any, rows: list[SpreadRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        priorities = sorted(
            {p for row in rows for p in row.priorities}, key=lambda p: p[1].lower()
        )
        units = sorted(
            {(row.unit_pk, row.unit_name) for row in rows if row.unit_pk},
            key=lambda u: u[1].lower(),
        )
        field = self.fields["priority"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All priorities"), *priorities]
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All units"), *units]
