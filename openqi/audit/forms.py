"""The audit trail's filters (a GET form: bookmarkable, and works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from openqi.core.forms import NHSDateField, SaysWhatToEnter

from .models import AuditEvent


class AuditFilterForm(SaysWhatToEnter, forms.Form):
    model = forms.ChoiceField(label="What", required=False)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *AuditEvent.Action.choices],
    )
    person = forms.ChoiceField(label="Who", required=False)
    date_from = NHSDateField(label="From", required=False)
    date_to = NHSDateField(label="To", required=False)

    def __init__(
        self,
        *args: Any,
        events: QuerySet[AuditEvent],
        model_names: dict[str, str],
        people: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        """``people``: (id, name) of everyone on the trail, when the caller has
        them already (read from ``events`` otherwise)."""
        super().__init__(*args, **kwargs)
        model = self.fields["model"]
        assert isinstance(model, forms.ChoiceField)
        model.choices = [("", "Anything")] + sorted(
            model_names.items(), key=lambda item: item[1]
        )
        if people is None:
            people = trail_people(events)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = [("", "Anyone")] + [
            (str(pk), label) for pk, label in dict(people).items()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", "The end date must be on or after the start date."
            )
        return cleaned

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """``events`` narrowed by the valid filters (all of them for an unbound form)."""
        if not self.is_bound or not self.is_valid():
            return events
        data = self.cleaned_data
        if data["model"]:
            events = events.filter(model=data["model"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["person"]:
            events = events.filter(actor_id=data["person"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
        return events


def trail_people(events: QuerySet[AuditEvent]) -> list[tuple[int, str]]:
    """(id, name) of everyone who made a change on the trail, by name."""
    return list(
        events.exclude(actor=None)
        .values_list("actor_id", "actor_label")
        .order_by("actor_label")
        .distinct()
    )
