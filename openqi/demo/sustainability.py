"""Demo step: sustainability checks of Riverside's projects that are testing,
implementing or sustaining a change.

Each curated Active or Sustaining project with a team (``data/sustainability.json``)
has one to three checks over the past year, the last one to twenty-five days
before the demo's "today" (:data:`openqi.demo.projects.TODAY`). The data give each
check's typical rating of the ten factors; the lead and each team member rate every
factor within a point of it (the same on every run), so the team's medians and
spreads look like a real team's. Most projects' scores rise from check to check;
the antibiotic stewardship team's falls after its clinical lead moved on. The
checks, ratings and actions are made by the sustainability services, as the pages
make them: the two weakest factors of each check get their suggested actions, and
an earlier check's actions are marked done when the next check scored higher.

At ``large`` :data:`LARGE_CHECKED` of the extra projects that are Active or
Sustaining get two checks each, rated by the lead and a QI coach, inserted in bulk
and, like the other bulk rows, not put on the audit trail.

Idempotent: a project that has any check is left as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from openqi.accounts.models import User
from openqi.organisations.models import Organisation, Role
from openqi.projects.models import Project
from openqi.sustainability import services
from openqi.sustainability.builtin import FACTOR_KEYS, SCALE
from openqi.sustainability.models import (
    Rating,
    SustainabilityAction,
    SustainabilityCheck,
)
from openqi.sustainability.scoring import check_score

from .base import Demo
from .measures import SEED
from .organisations import PEOPLE
from .projects import TODAY
from .records import records

__all__ = ["CHECKS", "LARGE_CHECKED", "add_sustainability"]

#: Extra projects checked at ``large`` (two checks each).
LARGE_CHECKED = 150
#: How many of a check's weakest factors get an action.
ACTIONS_PER_CHECK = 2


@dataclass(frozen=True)
class _Check:
    days_ago: int
    #: The team's typical rating of each factor, in the order of FACTOR_KEYS.
    typical: tuple[int, ...]


@dataclass(frozen=True)
class _ProjectChecks:
    project: str
    checks: tuple[_Check, ...]


CHECKS = records(_ProjectChecks, "sustainability", "checks")


def add_sustainability(demo: Demo) -> None:
    """Checks of the curated projects; more in bulk at ``large``."""
    riverside = demo.organisations["riverside"]
    projects = {
        p.title: p
        for p in Project.objects.for_organisation(riverside)
        .filter(title__in=[c.project for c in CHECKS], status__in=services.CHECKABLE)
        .select_related("lead")
        .prefetch_related("team")
    }
    checked = set(
        SustainabilityCheck.objects.filter(
            project__in=list(projects.values())
        ).values_list("project_id", flat=True)
    )
    for number, spec in enumerate(CHECKS):
        project = projects.get(spec.project)
        if project is None or project.pk in checked:
            continue
        raters = _raters(project)
        if len(raters) < 2:
            continue
        _check_project(demo, project, raters, spec.checks, number)
    if demo.size == "large":
        _add_many(demo, riverside)


def _raters(project: Project) -> list[User]:
    """The lead and the team, the lead first."""
    team = sorted(project.team.all(), key=lambda u: u.pk)
    lead = [project.lead] if project.lead else []
    return lead + [u for u in team if u not in lead]


def _rate(
    typical: tuple[int, ...], rng: np.random.Generator, rater: int
) -> dict[str, int]:
    """One member's ratings: the typical ones, each a point up or down now and then
    (the lead, ``rater`` 0, less often)."""
    spread = (0.1, 0.8, 0.1) if rater == 0 else (0.2, 0.6, 0.2)
    shifts = rng.choice((-1, 0, 1), size=len(FACTOR_KEYS), p=spread)
    low, high = min(SCALE), max(SCALE)
    return {
        key: int(min(high, max(low, value + int(shift))))
        for key, value, shift in zip(FACTOR_KEYS, typical, shifts, strict=True)
    }


def _check_project(
    demo: Demo,
    project: Project,
    raters: list[User],
    specs: tuple[_Check, ...],
    number: int,
) -> None:
    made: list[tuple[SustainabilityCheck, float | None]] = []
    for index, spec in enumerate(specs):
        check = services.open_check(
            project,
            opened_on=TODAY - datetime.timedelta(days=spec.days_ago),
            opened_by=project.lead,
        )
        rng = np.random.default_rng([SEED, 14, number, index])
        for position, rater in enumerate(raters):
            services.save_ratings(check, rater.pk, _rate(spec.typical, rng, position))
        score = services.score_of(check)
        for weak in score.weakest[:ACTIONS_PER_CHECK]:
            services.add_action(check, weak.key)
            demo.created["sustainability actions"] += 1
        made.append((check, score.score))
        demo.created["sustainability checks"] += 1
    # An earlier plan was carried out when the next check scored higher.
    for (check, was), (_, then) in zip(made, made[1:], strict=False):
        if was is not None and then is not None and then > was:
            for action in services.actions_of(check):
                services.set_action_status(
                    action, SustainabilityAction.Status.DONE, action.version
                )


# ----------------------------------------------------------------- large


def _add_many(demo: Demo, organisation: Organisation) -> None:
    """Two checks each of the first extra Active or Sustaining projects, in bulk."""
    curated = {c.project for c in CHECKS}
    projects = list(
        Project.objects.for_organisation(organisation)
        .filter(status__in=services.CHECKABLE, lead__isnull=False)
        .exclude(title__in=curated)
        .order_by("pk")
        .values_list("pk", "lead_id", "start_date")[:LARGE_CHECKED]
    )
    checked = set(
        SustainabilityCheck.objects.filter(
            project_id__in=[pk for pk, _, _ in projects]
        ).values_list("project_id", flat=True)
    )
    projects = [p for p in projects if p[0] not in checked]
    if not projects:
        return
    coaches = [
        demo.users[p.email]
        for p in PEOPLE
        if p.organisation == "riverside" and p.role == Role.QI_TEAM
    ]
    checks: list[SustainabilityCheck] = []
    plans: list[tuple[np.random.Generator, list[int], int]] = []
    for project_id, lead_id, start in projects:
        rng = np.random.default_rng([SEED, 15, project_id])
        coach = coaches[project_id % len(coaches)].pk
        raters = [lead_id] if lead_id == coach else [lead_id, coach]
        level = int(rng.integers(2, 4))
        first = max(
            TODAY - datetime.timedelta(days=300),
            (start or TODAY) + datetime.timedelta(days=30),
        )
        days = sorted({min(first, TODAY), TODAY - datetime.timedelta(days=20)})
        for k, day in enumerate(days):
            checks.append(
                SustainabilityCheck(
                    project_id=project_id, opened_on=day, opened_by_id=lead_id
                )
            )
            plans.append((rng, raters, level + k))
    SustainabilityCheck.objects.bulk_create(checks, batch_size=1000)
    ratings: list[Rating] = []
    actions: list[SustainabilityAction] = []
    for check, (rng, raters, level) in zip(checks, plans, strict=True):
        typical = tuple(
            int(v) for v in np.clip(level + rng.integers(-1, 2, size=10), 1, 5)
        )
        given: dict[str, list[int]] = {key: [] for key in FACTOR_KEYS}
        for position, rater_id in enumerate(raters):
            for key, value in _rate(typical, rng, position).items():
                given[key].append(value)
                ratings.append(
                    Rating(
                        sustainability_check_id=check.pk,
                        rater_id=rater_id,
                        factor=key,
                        score=value,
                    )
                )
        weakest = check_score(given, len(raters)).weakest[:ACTIONS_PER_CHECK]
        for weak in weakest:
            actions.append(
                SustainabilityAction(
                    sustainability_check_id=check.pk,
                    factor=weak.key,
                    title=weak.action,
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=2000)
    SustainabilityAction.objects.bulk_create(actions, batch_size=2000)
    demo.created["sustainability checks"] += len(checks)
    demo.created["sustainability actions"] += len(actions)
