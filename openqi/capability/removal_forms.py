"""The forms of a completion entered on a person's training record page, and of
the confirmation pages that delete a programme, a cohort or a completion."""

from __future__ import annotations

from typing import Any

from django import forms

from openqi.core.forms import SaysWhatToEnter
from openqi.organisations.models import Organisation, StaffRecord

from .completion_form import CompletionForm

#: What a confirmation page says when the record changed after it was loaded.
CHANGED_MEANWHILE = (
    "Someone else changed this after you opened this page, so nothing is deleted "
    "yet: check what is saved now, below, then delete it again if you still mean to."
)


class RecordCompletionForm(CompletionForm):
    """A completion of the person whose training record the page shows: the API's
    checks (level, dates, the programme confers the level, no duplicates) without
    asking who."""

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        staff_record: StaffRecord,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        del self.fields["person"]
        self.staff_record = staff_record


class ConfirmDeleteForm(SaysWhatToEnter, forms.Form):
    """A confirmation page's form: the version of the record the page showed."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        max_value=2_000_000_000,
        label="Version",
    )

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version

    def changed_meanwhile(self, version: int) -> None:
        """Say so, and carry the version saved now so that confirming again deletes."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict; the stubs say Mapping
        data["version"] = str(version)
        self.data = data
        self.add_error(None, CHANGED_MEANWHILE)
