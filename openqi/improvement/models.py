"""The improvement methods of a project: its driver diagram (aim → primary
drivers → secondary drivers → change ideas) and the PDSA cycles that test its
change ideas, chained into ramps.

The models moved here from the projects app and keep its tables
(``projects_drivernode``, ``projects_pdsacycle``); see migrations/0001_initial.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from openqi.core.versioning import VersionedModel
from openqi.projects.models import Project, ProjectChild


class DriverNode(ProjectChild, VersionedModel):
    """A node of the project's driver diagram; the project's aim is the root."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary driver"
        SECONDARY = "secondary", "Secondary driver"
        CHANGE_IDEA = "change_idea", "Change idea"

    #: What may sit under what (None: directly under the aim).
    PARENT_KIND = {
        Kind.PRIMARY: (None,),
        Kind.SECONDARY: (Kind.PRIMARY,),
        Kind.CHANGE_IDEA: (Kind.SECONDARY, Kind.PRIMARY),
    }

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="driver_nodes"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=11, choices=Kind.choices)
    text = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    # Spread (openqi/improvement/spread.py): a change idea adopted from another
    # project's proven one. ``spread_source`` is the original the spread is counted
    # to (the source itself, or its own source for an adoption of an adoption);
    # ``adopted_from_text`` keeps the source's wording and project if it is deleted.
    adopted_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adoptions",
    )
    spread_source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spread_adoptions",
    )
    adopted_from_text = models.CharField(max_length=520, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        # The table keeps the name it had when the projects app held the model.
        db_table = "projects_drivernode"

    def __str__(self) -> str:
        return self.text

    def has_history(self) -> bool:
        """Whether it, or a node under it, has PDSA cycles (deleting it deletes them)."""
        nodes = {self.pk}
        found = {self.pk}
        while found:
            found = set(
                DriverNode.objects.filter(parent__in=found).values_list("pk", flat=True)
            )
            nodes |= found
        return PDSACycle.objects.filter(change_idea__in=nodes).exists()

    def clean(self) -> None:
        allowed = self.PARENT_KIND.get(self.Kind(self.kind), ()) if self.kind else ()
        parent_kind = self.parent.kind if self.parent is not None else None
        if parent_kind not in allowed:
            where = (
                "the aim"
                if parent_kind is None
                else f"a {parent_kind.replace('_', ' ')}"
            )
            raise ValidationError(
                {
                    "parent": f"A {self.get_kind_display().lower()} cannot sit under {where}."
                }
            )
        if self.parent is not None and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": "Choose a node of the same project."})


class PDSACycle(ProjectChild, VersionedModel):
    """Plan (with a prediction), do, study (against the prediction), act — on one change idea.

    Cycles chain into a ramp through ``previous``.
    """

    class Act(models.TextChoices):
        ADOPT = "adopt", "Adopt"
        ADAPT = "adapt", "Adapt"
        ABANDON = "abandon", "Abandon"

    class Stage(models.TextChoices):
        PLAN = "plan", "Planning"
        DO = "do", "Doing"
        STUDY = "study", "Studying"
        ACT = "act", "Decided"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="cycles"
    )
    change_idea = models.ForeignKey(
        DriverNode,
        on_delete=models.CASCADE,
        related_name="cycles",
        limit_choices_to={"kind": "change_idea"},
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_cycle",
    )
    title = models.CharField(max_length=200)
    plan = models.TextField("plan: what we will test, who, where, when")
    prediction = models.TextField("prediction: what we expect to happen")
    do = models.TextField("do: what happened when we ran the test", blank=True)
    study = models.TextField("study: results against the prediction", blank=True)
    act = models.CharField(max_length=7, choices=Act.choices, blank=True)
    act_notes = models.TextField("act: what we will do next", blank=True)
    stage = models.CharField(max_length=5, choices=Stage.choices, default=Stage.PLAN)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = "PDSA cycle"
        db_table = "projects_pdsacycle"

    def __str__(self) -> str:
        return self.title

    def has_history(self) -> bool:
        """Whether it has been run: its Do or Study is recorded."""
        return bool(self.do.strip() or self.study.strip())

    def clean(self) -> None:
        errors = {}
        if self.change_idea_id:
            if self.change_idea.kind != DriverNode.Kind.CHANGE_IDEA:
                errors["change_idea"] = "PDSA cycles test a change idea."
            elif self.project_id and self.change_idea.project_id != self.project_id:
                errors["change_idea"] = "Choose a change idea of this project."
        if (
            self.previous is not None
            and self.previous.change_idea_id != self.change_idea_id
        ):
            errors["previous"] = (
                "A ramp follows one change idea: choose a cycle on the same idea."
            )
        if self.act and not self.study.strip():
            errors["study"] = (
                "Study the results against the prediction before deciding what to do."
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be after the start date."
        if errors:
            raise ValidationError(errors)
