"""Input checking for the capability pages (the API binds the same forms)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from openqi.core.forms import (
    NHSDateField,
    NumberField,
    SaysWhatToEnter,
    choice_field,
    model_choice_field,
)
from openqi.core.versioning import VersionedForm
from openqi.organisations.models import Organisation, StaffRecord, Unit

from . import services
from .models import (
    EARLIEST_DATE,
    HOURS_RANGE,
    LATEST_DATE,
    PERCENT_RANGE,
    RATIO_RANGE,
    Audience,
    CapabilityLevel,
    Cohort,
    Enrolment,
    Programme,
    ProjectRequirement,
    Target,
)


def _long_date(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _check_date(form: forms.BaseForm, name: str, what: str) -> None:
    """A date outside the years training records may have is refused as a slip."""
    day = form.cleaned_data.get(name)
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        form.add_error(
            name,
            f"The {what} must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}: "
            "check the year.",
        )


class LevelForm(VersionedForm):
    """A level of the framework; its place is changed with the framework's arrows."""

    class Meta:
        model = CapabilityLevel
        fields = ["name", "who_for", "description", "skills", "audience"]
        labels = {
            "name": "Name of the level",
            "who_for": "Who it is for",
            "description": "Description",
            "skills": "Skills and behaviours it covers",
            "audience": "Which group it serves",
        }
        help_texts = {
            "name": "For example, Improvement practitioner.",
            "who_for": "For example, staff who take part in an improvement project as members of its team.",
            "skills": "What someone at this level can do and how they work.",
        }
        error_messages = {
            "who_for": {"required": "Say who the level is for."},
            "skills": {"required": "Say what skills and behaviours the level covers."},
            "audience": {"required": "Choose which group the level serves."},
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "skills": forms.Textarea(attrs={"rows": 5}),
            "audience": forms.RadioSelect,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        choice_field(self, "audience").choices = Audience.choices

    def clean_name(self) -> str:
        name = _tidy(self.cleaned_data["name"])
        others = services.levels_for(self.instance.organisation).filter(
            name__iexact=name
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                f"The framework already has a level called {name}: choose another name."
            )
        return name

    def clean_who_for(self) -> str:
        return _tidy(self.cleaned_data["who_for"])

    def validate_unique(self) -> None:
        """Checked in clean_name, case-insensitively, with a message of our own."""


class ProgrammeForm(VersionedForm):
    duration_hours = NumberField(
        label="Duration in hours",
        required=False,
        help_text="The learning time, for example 3 or 1.5. Leave it empty if it varies.",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "level",
            "provider",
            "duration_hours",
            "format",
            "project_requirement",
        ]
        labels = {
            "name": "Name of the programme",
            "level": "Level it confers",
            "provider": "Provider",
            "format": "Format",
            "project_requirement": "Do participants need to take part in a project",
        }
        help_texts = {
            "name": "For example, Improvement foundations.",
            "provider": "Who runs it: the QI team, a university, an online course.",
            "project_requirement": "Learning by doing: participants can be asked to join or lead a real improvement project.",
        }
        error_messages = {
            "level": {"required": "Choose the level the programme confers."},
            "project_requirement": {
                "required": "Choose whether participants need to take part in a project."
            },
        }
        widgets = {
            "format": forms.RadioSelect,
            "project_requirement": forms.RadioSelect,
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        level = model_choice_field(self, "level")
        level.queryset = services.levels_for(organisation)
        level.empty_label = "Choose a level"
        choice_field(self, "format").choices = Programme.Format.choices
        choice_field(self, "project_requirement").choices = ProjectRequirement.choices

    def clean_name(self) -> str:
        name = _tidy(self.cleaned_data["name"])
        others = Programme.objects.for_organisation(self.instance.organisation).filter(
            name__iexact=name
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                f"There is already a programme called {name}: choose another name."
            )
        return name

    def clean_provider(self) -> str:
        return _tidy(self.cleaned_data.get("provider") or "")

    def clean_duration_hours(self) -> Decimal | None:
        hours = self.cleaned_data.get("duration_hours")
        if hours is None:
            return None
        low, high = HOURS_RANGE
        if not low <= Decimal(str(hours)) <= high:
            raise forms.ValidationError(
                f"The duration must be between {low} and {high:,} hours."
            )
        rounded = Decimal(str(hours)).quantize(Decimal("0.1"))
        if rounded != Decimal(str(hours)):
            raise forms.ValidationError(
                "Give the duration to the nearest tenth of an hour, for example 1.5."
            )
        return rounded

    def validate_unique(self) -> None:
        """Checked in clean_name, case-insensitively, with a message of our own."""


class CohortForm(VersionedForm):
    starts_on = NHSDateField(
        label="Start date",
        error_messages={"required": "Enter the date the cohort starts."},
    )
    ends_on = NHSDateField(
        label="End date",
        required=False,
        help_text="Leave it empty if the cohort has no fixed end.",
    )

    class Meta:
        model = Cohort
        fields = ["name", "starts_on", "ends_on", "project_requirement"]
        labels = {
            "name": "Name of the cohort",
            "project_requirement": "Does each participant need to take part in a project",
        }
        help_texts = {"name": "For example, Spring 2026 or Cohort 4."}
        error_messages = {
            "project_requirement": {
                "required": "Choose whether each participant needs to take part in a project."
            }
        }
        widgets = {"project_requirement": forms.RadioSelect}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        choice_field(self, "project_requirement").choices = ProjectRequirement.choices
        if not self.instance.pk:
            self.initial.setdefault(
                "project_requirement", programme.project_requirement
            )

    def clean_name(self) -> str:
        name = _tidy(self.cleaned_data["name"])
        others = self.instance.programme.cohorts.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                f"This programme already has a cohort called {name}: choose another name."
            )
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_date(self, "starts_on", "start date")
        _check_date(self, "ends_on", "end date")
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error(
                "ends_on", "The end date must be the same as or after the start date."
            )
        if starts and self.instance.pk:
            first = (
                self.instance.enrolments.filter(completed_on__isnull=False)
                .order_by("completed_on")
                .values_list("completed_on", flat=True)
                .first()
            )
            if first is not None and starts > first:
                self.add_error(
                    "starts_on",
                    f"Someone completed this cohort on {_long_date(first)}: the start "
                    "date must be on or before it.",
                )
        return data

    def validate_unique(self) -> None:
        """Checked in clean_name, case-insensitively, with a message of our own."""


class EnrolForm(SaysWhatToEnter, forms.Form):
    person = forms.CharField(
        label="Employee number or e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter the employee number or e-mail address of the person to enrol."
        },
        help_text="As in the organisation's staff records, for example 10234567 or sam.jones@example.nhs.uk.",
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.staff_record: StaffRecord | None = None

    def clean_person(self) -> str:
        text = self.cleaned_data["person"].strip()
        organisation = self.cohort.programme.organisation
        record = services.find_staff_record(organisation, text)
        if record is None:
            what = "e-mail address" if "@" in text else "employee number"
            raise forms.ValidationError(
                f"No staff record has the {what} {text}: check it against the staff records."
            )
        if not record.is_active:
            raise forms.ValidationError(
                f"{record.reference} is no longer an active member of staff."
            )
        if self.cohort.enrolments.filter(staff_record=record).exists():
            raise forms.ValidationError(
                f"{record.reference} is already enrolled in this cohort."
            )
        self.staff_record = record
        return text


class EnrolmentStatusForm(VersionedForm):
    completed_on = NHSDateField(label="Date completed", required=False)

    class Meta:
        model = Enrolment
        fields = ["status", "completed_on"]
        labels = {"status": "Status"}
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "status").choices = Enrolment.Status.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("status")
        completed = data.get("completed_on")
        _check_date(self, "completed_on", "completion date")
        if status == Enrolment.Status.COMPLETED:
            if completed is None and "completed_on" not in self.errors:
                self.add_error(
                    "completed_on", "Enter the date the person completed it."
                )
            elif completed is not None and "completed_on" not in self.errors:
                if completed > timezone.localdate():
                    self.add_error(
                        "completed_on", "The completion date cannot be in the future."
                    )
                starts = self.instance.cohort.starts_on
                if completed < starts:
                    self.add_error(
                        "completed_on",
                        f"The cohort started on {_long_date(starts)}: the completion "
                        "date must be on or after it.",
                    )
        elif completed is not None:
            self.add_error(
                "completed_on",
                "Only a completed enrolment has a completion date: leave it empty or choose Completed.",
            )
        return data


class TargetForm(VersionedForm):
    value = NumberField(
        label="Target",
        error_messages={"required": "Enter the target, for example 80 or 20."},
        help_text="For a share, the per cent of staff (for example 80); for a ratio, the N in one per N staff (for example 20).",
    )
    starts_on = NHSDateField(
        label="Start date",
        error_messages={"required": "Enter the date the target starts."},
    )
    due_on = NHSDateField(
        label="Date due",
        error_messages={"required": "Enter the date the target is due."},
    )

    class Meta:
        model = Target
        fields = [
            "level",
            "kind",
            "value",
            "unit",
            "staff_group",
            "starts_on",
            "due_on",
        ]
        labels = {
            "level": "Level",
            "kind": "Kind of target",
            "unit": "Unit",
            "staff_group": "Staff group",
        }
        help_texts = {
            "unit": "A unit's target counts the staff of the unit and every unit under it.",
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        level = model_choice_field(self, "level")
        level.queryset = services.levels_for(organisation)
        level.empty_label = "Choose a level"
        choice_field(self, "kind").choices = Target.Kind.choices
        unit = model_choice_field(self, "unit")
        unit.queryset = Unit.objects.for_organisation(organisation).order_by("name")
        unit.empty_label = "The whole organisation"
        choice_field(self, "staff_group").choices = [
            ("", "All staff groups"),
            *StaffRecord.StaffGroup.choices,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), data.get("value")
        if value is not None and kind:
            number = Decimal(str(value))
            if kind == Target.Kind.SHARE:
                low, high = PERCENT_RANGE
                if not low <= number <= high:
                    self.add_error(
                        "value", f"Enter a share between {low} and {high} per cent."
                    )
                elif number != number.quantize(Decimal("0.1")):
                    self.add_error(
                        "value",
                        "Give the share to one decimal place, for example 72.5.",
                    )
                else:
                    data["value"] = number.quantize(Decimal("0.1"))
            else:
                low_n, high_n = RATIO_RANGE
                if number != number.to_integral_value():
                    self.add_error(
                        "value",
                        "For a ratio, enter a whole number of staff, for example 20.",
                    )
                elif not low_n <= number <= high_n:
                    self.add_error(
                        "value",
                        f"For a ratio, enter a number of staff between {low_n} and {high_n:,}.",
                    )
                else:
                    data["value"] = number.quantize(Decimal("0.1"))
        _check_date(self, "starts_on", "start date")
        _check_date(self, "due_on", "date due")
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due <= starts:
            self.add_error("due_on", "The date due must be after the start date.")
        level = data.get("level")
        if level is not None and due and not self.errors:
            same = Target.objects.for_organisation(self.instance.organisation).filter(
                level=level,
                unit=data.get("unit"),
                staff_group=data.get("staff_group") or "",
                due_on=due,
            )
            if self.instance.pk:
                same = same.exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "due_on",
                    f"There is already a target for {level.name} for these staff due "
                    f"on {_long_date(due)}: change that one, or choose another date.",
                )
        return data


class StaffSearchForm(SaysWhatToEnter, forms.Form):
    person = forms.CharField(
        label="Employee number or e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter the employee number or e-mail address of the person."
        },
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.staff_record: StaffRecord | None = None

    def clean_person(self) -> str:
        text = self.cleaned_data["person"].strip()
        record = services.find_staff_record(self.organisation, text)
        if record is None:
            what = "e-mail address" if "@" in text else "employee number"
            raise forms.ValidationError(
                f"No staff record has the {what} {text}: check it against the staff records."
            )
        self.staff_record = record
        return text


class EraseForm(SaysWhatToEnter, forms.Form):
    confirm = forms.BooleanField(
        label="I confirm that this person has asked for their training record to be erased",
        error_messages={
            "required": "Confirm that the person has asked for their training record to be erased."
        },
    )
