"""Input checking for strategic priorities."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from openqi.core.forms import NHSDateField, WholeNumberField
from openqi.core.versioning import VersionedForm
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation

from .models import StrategicPriority


class PriorityForm(VersionedForm):
    """A priority of the organisation; the period rule comes from the model's ``clean``."""

    period_start = NHSDateField(
        label="Starts",
        error_messages={"required": "Enter the date the priority starts."},
    )
    period_end = NHSDateField(
        label="Ends", required=False, help_text="Leave empty if it has no end date yet."
    )

    class Meta:
        model = StrategicPriority
        fields = [
            "title",
            "description",
            "period_start",
            "period_end",
            "headline_measure",
            "position",
        ]
        labels = {
            "title": "Priority",
            "description": "What it means for the organisation",
            "headline_measure": "Headline measure",
            "position": "Position in the list",
        }
        help_texts = {
            "title": "For example, Reduce harm from falls.",
            "headline_measure": "The measure that shows whether the priority is being achieved.",
            "position": "Priorities are listed from the lowest number.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"position": WholeNumberField}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        measure = cast(
            "forms.ModelChoiceField[Measure]", self.fields["headline_measure"]
        )
        measure.queryset = Measure.objects.for_organisation(organisation).order_by(
            "name"
        )
        measure.empty_label = "None yet"

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        twins = StrategicPriority.objects.for_organisation(
            self.instance.organisation
        ).filter(title__iexact=title)
        if self.instance.pk:
            twins = twins.exclude(pk=self.instance.pk)
        if twins.exists():
            raise forms.ValidationError(f"There is already a priority called {title}.")
        return title
