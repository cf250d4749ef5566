"""Input checking for the system app: a member's sharing settings and the
filters of the system's project list."""

from __future__ import annotations

from typing import Any

from django import forms

from openqi.core.forms import SaysWhatToEnter, choice_field
from openqi.core.versioning import VersionedForm
from openqi.projects.models import Project

from .models import PARTS, Sharing
from .services import NOT_RATED, RATINGS


class SharingForm(VersionedForm):
    """What the member shares: three yes/no choices (unticked shares nothing)."""

    class Meta:
        model = Sharing
        fields = ["portfolio", "capability", "readiness"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, hint in PARTS:
            self.fields[name].label = label
            self.fields[name].help_text = hint


#: The longest filter value read (member slugs and priority titles are shorter).
_LONGEST = 200


class ProjectFilterForm(SaysWhatToEnter, forms.Form):
    """The shared projects list's filters; each choice is offered from what is shared."""

    member = forms.ChoiceField(label="Member", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    rating = forms.ChoiceField(label="Latest progress rating", required=False)
    priority = forms.ChoiceField(label="Strategic priority", required=False)

    def __init__(
        self,
        data: Any,
        *,
        members: list[tuple[str, str]],
        priorities: list[str],
    ) -> None:
        if data is not None:
            data = {k: str(data.get(k, ""))[:_LONGEST] for k in self.base_fields}
        super().__init__(data)
        any_ = [("", "Any")]
        choice_field(self, "member").choices = any_ + members
        choice_field(self, "status").choices = any_ + [
            (value, str(label)) for value, label in Project.Status.choices
        ]
        choice_field(self, "rating").choices = (
            any_ + [(str(r), str(r)) for r in RATINGS] + [("none", NOT_RATED)]
        )
        choice_field(self, "priority").choices = any_ + [(p, p) for p in priorities]
        for name in self.fields:
            field = choice_field(self, name)
            field.error_messages["invalid_choice"] = (
                f"Choose a {str(field.label).lower()} from the list; "
                "the one in the address is not offered."
            )
