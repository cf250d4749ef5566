"""Input checking for the organisation pages: units, members and invitations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q

from openqi.core.forms import SaysWhatToEnter
from openqi.core.versioning import VersionedForm

from .access import people_who_may_edit
from .models import Membership, Organisation, Role, Unit


def _unit_with_level(unit: Unit) -> str:
    return f"{unit.name} ({unit.get_level_display().lower()})"


def offer_people_who_may_edit(
    field: forms.ModelChoiceField,
    organisation: Organisation,
    *,
    refusal: str,
    current: Iterable[Any] = (),
) -> None:
    """Offer in a person picker (one person or several) only the members who may
    edit: a viewer may not lead a project or own an action or a barrier.

    Anyone else posted is refused with ``refusal``. People already chosen
    (``current``) stay listed so that the form shows who holds the place now,
    but if their role no longer lets them edit, saving them again is refused
    too, rather than the place being emptied without a word.
    """
    editors = people_who_may_edit(organisation)
    kept = [person.pk for person in current if person is not None]
    field.queryset = (
        get_user_model()
        .objects.filter(Q(pk__in=editors.values("pk")) | Q(pk__in=kept))
        .order_by("full_name", "email")
    )
    field.error_messages["invalid_choice"] = refusal

    def may_edit(value: Any) -> None:
        chosen = value if isinstance(value, list | tuple) else [value]
        pks = {str(getattr(person, "pk", person)) for person in chosen}
        if editors.filter(pk__in=pks).count() != len(pks):
            raise ValidationError(refusal, code="invalid_choice")

    field.validators.append(may_edit)


class UnitForm(VersionedForm):
    """A unit of the organisation; the level and parent rules come from ``Unit.clean``."""

    class Meta:
        model = Unit
        fields = ["name", "level", "parent"]
        labels = {"name": "Name", "level": "Level", "parent": "Sits under"}
        error_messages = {"name": {"required": "Enter the name of the unit."}}
        help_texts = {
            "parent": "A directorate sits under a division, a team under a directorate. "
            "Leave empty for a division."
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        parents = Unit.objects.for_organisation(organisation).exclude(
            level=Unit.Level.TEAM
        )
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        level = self.fields["level"]
        parent = self.fields["parent"]
        assert isinstance(level, forms.ChoiceField)
        assert isinstance(parent, forms.ModelChoiceField)
        level.choices = [("", "Choose a level"), *Unit.Level.choices]
        parent.queryset = parents.order_by("level", "name")
        parent.empty_label = "Nothing (a division)"
        parent.label_from_instance = _unit_with_level  # type: ignore[assignment,method-assign]  # Django's documented way to label choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and "parent" not in self.errors:
            # The database only enforces this under a parent (NULLs differ).
            twins = Unit.objects.for_organisation(self.instance.organisation).filter(
                parent=cleaned.get("parent"), name__iexact=name
            )
            if self.instance.pk:
                twins = twins.exclude(pk=self.instance.pk)
            if twins.exists():
                self.add_error("name", f"There is already a unit called {name} here.")
        level = cleaned.get("level")
        if (
            self.instance.pk
            and level
            and level != self.initial.get("level")
            and self.instance.children.exists()
        ):
            self.add_error(
                "level",
                "This unit has units under it, so its level cannot change.",
            )
        return cleaned


class MembershipForm(VersionedForm):
    class Meta:
        model = Membership
        fields = ["role", "unit"]
        labels = {"role": "Role", "unit": "Unit"}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = Unit.objects.for_organisation(organisation)
        unit.empty_label = "No unit"


class InvitationForm(SaysWhatToEnter, forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)
    unit = forms.ModelChoiceField(
        label="Unit",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="No unit",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = Unit.objects.for_organisation(organisation)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        members = Membership.objects.for_organisation(self.organisation)
        if members.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(
                f"{email} is already a member of {self.organisation}."
            )
        return email


class SwitchForm(SaysWhatToEnter, forms.Form):
    organisation = forms.SlugField(
        error_messages={"required": "Choose an organisation."}
    )


class SecurityForm(SaysWhatToEnter, forms.Form):
    admins_must_use_mfa = forms.BooleanField(
        label="Administrators must use multi-factor authentication",
        required=False,
        help_text="An administrator without it is sent to set up an authenticator "
        "app before reaching this organisation's pages. People who sign in through "
        "your organisation's own account (OpenID Connect) use its second factor instead.",
    )
