"""The capability framework, programmes, cohorts, enrolments, completions and
targets: finding them for a member, and every change pages and the API make."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet

from openqi.core.acting import acting_as
from openqi.core.versioning import VersionConflict
from openqi.core.wording import listed
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation, StaffRecord

from .builtin import BUILTIN_LEVELS
from .models import (
    CapabilityFramework,
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    Programme,
    Target,
)


class LevelInUse(Exception):
    """A level that programmes, completions or targets use cannot be deleted."""

    def __init__(self, level: CapabilityLevel, uses: list[str]) -> None:
        self.level = level
        self.uses = uses
        super().__init__(
            f"{level.name} cannot be deleted: {listed(uses)} use it. Move them to "
            "another level first, or keep this level."
        )


class FrameworkNotEmpty(Exception):
    """The built-in framework is only installed into a framework with no levels."""


class AlreadyEnrolled(Exception):
    pass


# Finding things ----------------------------------------------------------------


def levels_for(organisation: Organisation) -> QuerySet[CapabilityLevel]:
    return CapabilityLevel.objects.for_organisation(organisation).order_by(
        "position", "pk"
    )


def programmes_for(organisation: Organisation) -> QuerySet[Programme]:
    return (
        Programme.objects.for_organisation(organisation)
        .select_related("level")
        .order_by("level__position", "name", "pk")
    )


def cohorts_for(organisation: Organisation) -> QuerySet[Cohort]:
    return Cohort.objects.for_organisation(organisation).select_related(
        "programme__level", "programme__organisation"
    )


def targets_for(organisation: Organisation) -> QuerySet[Target]:
    return (
        Target.objects.for_organisation(organisation)
        .select_related("level", "unit")
        .order_by("level__position", "level__pk", "due_on", "pk")
    )


def get_level_for(membership: Membership, pk: int) -> CapabilityLevel:
    return find_for(
        membership,
        levels_for(membership.organisation),
        pk,
        "capability level",
        "capability/levels",
    )


def get_programme_for(membership: Membership, pk: int) -> Programme:
    return find_for(
        membership,
        programmes_for(membership.organisation),
        pk,
        "programme",
        "capability/programmes",
    )


def get_cohort_for(membership: Membership, pk: int) -> Cohort:
    return find_for(
        membership,
        cohorts_for(membership.organisation),
        pk,
        "cohort",
        "capability/programmes",
    )


def get_enrolment_for(membership: Membership, pk: int) -> Enrolment:
    enrolments = Enrolment.objects.for_organisation(
        membership.organisation
    ).select_related("cohort__programme__level", "staff_record")
    return find_for(membership, enrolments, pk, "enrolment", "capability/programmes")


def get_target_for(membership: Membership, pk: int) -> Target:
    return find_for(
        membership,
        targets_for(membership.organisation),
        pk,
        "capability target",
        "capability/targets",
    )


def get_staff_record_for(membership: Membership, pk: int) -> StaffRecord:
    records = StaffRecord.objects.for_organisation(
        membership.organisation
    ).select_related("unit")
    return find_for(membership, records, pk, "staff record", "staff")


def find_staff_record(organisation: Organisation, text: str) -> StaffRecord | None:
    """The organisation's staff record with this employee number or e-mail address."""
    text = text.strip()
    if not text:
        return None
    records = StaffRecord.objects.for_organisation(organisation)
    if "@" in text:
        return records.filter(email=text.lower()).first()
    return records.filter(reference=text).first()


# The framework -----------------------------------------------------------------


def install_builtin_framework(organisation: Organisation) -> list[CapabilityLevel]:
    """Put OpenQI's six built-in levels into the organisation's framework.

    Refused (:class:`FrameworkNotEmpty`) when it has levels of its own: an edited
    framework is never overwritten."""
    with transaction.atomic():
        framework, _ = CapabilityFramework.objects.get_or_create(
            organisation=organisation
        )
        framework = CapabilityFramework.objects.select_for_update().get(pk=framework.pk)
        if levels_for(organisation).exists():
            raise FrameworkNotEmpty(
                "The framework already has levels; the built-in one is only put "
                "into an empty framework."
            )
        levels = [
            CapabilityLevel.objects.create(
                organisation=organisation,
                position=position,
                name=level.name,
                description=level.description,
                who_for=level.who_for,
                skills=level.skills,
                audience=level.audience,
            )
            for position, level in enumerate(BUILTIN_LEVELS, start=1)
        ]
        if not framework.from_builtin:
            framework.from_builtin = True
            framework.save(update_fields=["from_builtin"])
    return levels


def framework_for(organisation: Organisation) -> list[CapabilityLevel]:
    """The organisation's levels in order; on the first visit ever, the built-in
    framework is installed (by OpenQI, as the trail says), never again after."""
    if not CapabilityFramework.objects.filter(organisation=organisation).exists():
        try:
            with acting_as(None, "system"):
                install_builtin_framework(organisation)
        except (FrameworkNotEmpty, IntegrityError):
            pass  # levels made another way, or a visit at the same moment did it
    return list(levels_for(organisation))


def save_level(level: CapabilityLevel, **fields: Any) -> CapabilityLevel:
    """Create or change a level; a new one goes to the end of the framework."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(level, name, value)
        if level.pk is None:
            CapabilityFramework.objects.get_or_create(organisation=level.organisation)
            last = levels_for(level.organisation).aggregate(last=Max("position"))
            level.position = (last["last"] or 0) + 1
        level.save()
    return level


def move_level(level: CapabilityLevel, direction: str) -> bool:
    """Move a level one place up or down the framework; False at either end."""
    with transaction.atomic():
        levels = list(levels_for(level.organisation).select_for_update())
        index = next(i for i, each in enumerate(levels) if each.pk == level.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(levels):
            return False
        levels[index], levels[other] = levels[other], levels[index]
        for position, each in enumerate(levels, start=1):
            if each.position != position:
                each.position = position
                each.save(update_fields=["position", "updated_at"])
    return True


def delete_level(level: CapabilityLevel) -> None:
    """Delete a level nothing uses; :class:`LevelInUse` says what uses it."""
    uses = level.uses()
    if uses:
        raise LevelInUse(level, uses)
    level.delete()


def level_uses(organisation: Organisation) -> dict[int, int]:
    """Level id → how many programmes, completions and targets use it: one grouped
    count each (no join of the three, which would multiply their rows)."""
    uses: dict[int, int] = {}
    for model in (Programme, Completion, Target):
        rows = (
            model.objects.filter(level__organisation=organisation)
            .values("level")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            uses[row["level"]] = uses.get(row["level"], 0) + row["n"]
    return uses


# Programmes, cohorts and enrolments --------------------------------------------


def save_programme(programme: Programme, **fields: Any) -> Programme:
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save()
    return programme


def save_cohort(cohort: Cohort, **fields: Any) -> Cohort:
    for name, value in fields.items():
        setattr(cohort, name, value)
    cohort.save()
    return cohort


def cohorts_of(programme: Programme) -> QuerySet[Cohort]:
    return programme.cohorts.annotate(
        n_enrolled=Count("enrolments"),
        n_completed=Count("enrolments", filter=Q(enrolments__status="completed")),
    ).order_by("-starts_on", "name", "pk")


def enrolments_of(cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort.enrolments.select_related("staff_record__unit").order_by(
        "staff_record__reference", "pk"
    )


def enrol(cohort: Cohort, staff_record: StaffRecord) -> Enrolment:
    """Enrol a staff record in a cohort (:class:`AlreadyEnrolled` the second time)."""
    if cohort.enrolments.filter(staff_record=staff_record).exists():
        raise AlreadyEnrolled(
            f"{staff_record.reference} is already enrolled in {cohort.name}."
        )
    try:
        with transaction.atomic():
            return Enrolment.objects.create(cohort=cohort, staff_record=staff_record)
    except IntegrityError:
        raise AlreadyEnrolled(
            f"{staff_record.reference} is already enrolled in {cohort.name}."
        ) from None


def set_enrolment_status(
    enrolment: Enrolment, status: str, completed_on: datetime.date | None
) -> Enrolment:
    """Mark an enrolment enrolled, completed on a date, or withdrawn.

    Completing it records the completion of the programme's level (with the
    person's unit and staff group now); taking the completion back removes it."""
    with transaction.atomic():
        enrolment.status = status
        enrolment.completed_on = (
            completed_on if status == Enrolment.Status.COMPLETED else None
        )
        enrolment.save()  # the checked save first: a conflict leaves nothing half-done
        completion = Completion.objects.filter(enrolment=enrolment).first()
        if status != Enrolment.Status.COMPLETED:
            if completion is not None:
                completion.delete()
            return enrolment
        assert completed_on is not None  # the form requires it for a completion
        if completion is None:
            programme = enrolment.cohort.programme
            person = enrolment.staff_record
            Completion.objects.create(
                level=programme.level,
                completed_on=completed_on,
                staff_record=person,
                unit=person.unit,
                staff_group=person.staff_group,
                programme=programme,
                cohort=enrolment.cohort,
                enrolment=enrolment,
            )
        elif completion.completed_on != completed_on:
            completion.completed_on = completed_on
            completion.save(update_fields=["completed_on"])
    return enrolment


def record_completion(
    staff_record: StaffRecord,
    level: CapabilityLevel,
    completed_on: datetime.date,
    programme: Programme | None = None,
) -> Completion:
    """Record by hand that a person reached a level (with the person's unit and
    staff group now, as an enrolment's completion is)."""
    return Completion.objects.create(
        level=level,
        completed_on=completed_on,
        staff_record=staff_record,
        unit=staff_record.unit,
        staff_group=staff_record.staff_group,
        programme=programme,
    )


# Removing what nothing uses yet, or what was entered wrongly ---------------------


class InUse(Exception):
    """A programme or cohort on people's training records cannot be deleted."""


class MadeByEnrolment(Exception):
    """A completion an enrolment recorded changes with the enrolment."""

    MESSAGE = (
        "This completion was recorded when its enrolment in a cohort was marked "
        "completed, so it cannot be removed on its own: change that enrolment's "
        "status instead."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


def _locked_version(instance: Any, version: int | None) -> bool:
    """Lock the row (until the transaction ends) and check the version the person
    loaded; False when the row is gone already."""
    current = (
        type(instance)
        .objects.select_for_update()
        .filter(pk=instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is None:
        return False
    if version is not None and version != current:
        raise VersionConflict(instance, version)
    return True


def _counted(*counts: tuple[int, str, str]) -> list[str]:
    return [f"{n:,} {one if n == 1 else many}" for n, one, many in counts if n]


def programme_in_use(programme: Programme) -> str:
    """Why the programme cannot be deleted (the enrolments in its cohorts and the
    completions that record it); empty when it may go."""
    uses = _counted(
        (
            Enrolment.objects.filter(cohort__programme=programme).count(),
            "enrolment",
            "enrolments",
        ),
        (
            Completion.objects.filter(
                Q(programme=programme) | Q(cohort__programme=programme)
            ).count(),
            "completion",
            "completions",
        ),
    )
    if not uses:
        return ""
    return (
        f"{programme.name} cannot be deleted: {listed(uses)} use it. It stays on the "
        "training records of the people who took it: change its details instead, "
        "or keep it."
    )


def cohort_in_use(cohort: Cohort) -> str:
    """Why the cohort cannot be deleted; empty when it may go."""
    uses = _counted(
        (cohort.enrolments.count(), "enrolment", "enrolments"),
        (cohort.completions.count(), "completion", "completions"),
    )
    if not uses:
        return ""
    return (
        f"{cohort.name} cannot be deleted: {listed(uses)} use it. It stays on the "
        "training records of the people enrolled: change its details instead, or "
        "keep it."
    )


def delete_programme(programme: Programme, version: int | None = None) -> None:
    """Delete a programme no one has taken, with its cohorts (none has anyone
    enrolled); :class:`InUse` says what uses it, ``VersionConflict`` when it changed
    after ``version`` was loaded."""
    with transaction.atomic():
        if not _locked_version(programme, version):
            return
        # An enrolment or completion saved meanwhile waits for these locks.
        list(Cohort.objects.select_for_update().filter(programme=programme))
        refusal = programme_in_use(programme)
        if refusal:
            raise InUse(refusal)
        programme.delete()


def delete_cohort(cohort: Cohort, version: int | None = None) -> None:
    """Delete a cohort no one is enrolled in; :class:`InUse` says what uses it."""
    with transaction.atomic():
        if not _locked_version(cohort, version):
            return
        refusal = cohort_in_use(cohort)
        if refusal:
            raise InUse(refusal)
        cohort.delete()


def delete_completion(completion: Completion, version: int | None = None) -> None:
    """Remove a completion entered by hand or imported by mistake; one an
    enrolment recorded is refused (:class:`MadeByEnrolment`): change the enrolment."""
    with transaction.atomic():
        if not _locked_version(completion, version):
            return
        if completion.enrolment_id is not None:
            raise MadeByEnrolment()
        completion.delete()


# Targets -----------------------------------------------------------------------


def save_target(target: Target, **fields: Any) -> Target:
    for name, value in fields.items():
        setattr(target, name, value)
    target.save()
    return target


# A person's training record ----------------------------------------------------


@dataclass(frozen=True)
class TrainingRecord:
    staff_record: StaffRecord
    enrolments: list[Enrolment]
    completions: list[Completion]


def training_record(staff_record: StaffRecord) -> TrainingRecord:
    enrolments = list(
        staff_record.enrolments.select_related("cohort__programme__level").order_by(
            "-cohort__starts_on", "pk"
        )
    )
    completions = list(
        staff_record.completions.select_related("level", "programme").order_by(
            "-completed_on", "pk"
        )
    )
    return TrainingRecord(staff_record, enrolments, completions)


@dataclass(frozen=True)
class Erased:
    enrolments: int
    completions: int


def erase_training_record(staff_record: StaffRecord) -> Erased:
    """Erase a person's training record on request, keeping the aggregate counts.

    Their enrolments are deleted; each completion stays, with its level, date,
    unit and staff group, but no longer names the person; the e-mail address
    kept for matching imports is removed. The staff record itself (the
    organisation's employee number, unit and staff group) stays. Every step is on
    the audit trail."""
    with transaction.atomic():
        completions = list(staff_record.completions.all())
        for completion in completions:
            completion.staff_record = None
            completion.enrolment = None
            completion.save(update_fields=["staff_record", "enrolment"])
        enrolments = list(staff_record.enrolments.all())
        for enrolment in enrolments:
            enrolment.delete()
        if staff_record.email:
            staff_record.email = ""
            staff_record.save(update_fields=["email"])
    return Erased(enrolments=len(enrolments), completions=len(completions))
