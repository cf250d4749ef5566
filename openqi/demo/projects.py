"""Demo step: Riverside's improvement projects, at every stage, with their evidence.

Twenty-six projects, read from ``data/projects.json``: ideas, active, sustaining, completed and
stopped (with the reason) projects across the divisions and methods, each with an
aim (what, how much, by when), a lead and team from the demo's people, patient and
carer partners (invented), notes, progress ratings by the team and by the QI coach
over time, and measures from :mod:`openqi.demo.measures` linked as outcome,
process or balancing measures. Seven have full driver diagrams with PDSA ramps
whose cycles were adopted, adapted or abandoned. They are saved one by one, so
they are on the audit trail as the demo command's.

At ``large`` the trust gets :data:`LARGE_PROJECTS` projects in all: the others are
made from topics and teams in turn, with ratings, a small driver diagram, a PDSA
ramp and measure links, inserted in bulk and, like the staff records, not put on
the audit trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import numpy as np
from django.db.models import Model

from openqi.accounts.models import User
from openqi.improvement.models import DriverNode, PDSACycle
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role, Unit
from openqi.projects.models import (
    Partner,
    ProgressRating,
    Project,
    ProjectMeasure,
    ProjectNote,
    Tag,
)
from openqi.strategy.models import StrategicPriority

from .base import Demo
from .measures import SEED, many_measure_names, units_by_name
from .organisations import PEOPLE
from .records import read, records

__all__ = ["LARGE_PROJECTS", "PROJECTS", "TODAY", "add_projects"]

#: The demo's "today": project dates, notes and ratings are set against it.
TODAY = datetime.date(2026, 11, 20)
#: Projects of the main trust at ``large`` (the curated ones included).
LARGE_PROJECTS = 2_000

S = Project.Status
M = Project.Method


@dataclass(frozen=True)
class _Cycle:
    title: str
    plan: str
    prediction: str
    start: datetime.date
    end: datetime.date | None = None
    do: str = ""
    study: str = ""
    act: str = ""
    act_notes: str = ""


@dataclass(frozen=True)
class _Idea:
    text: str
    #: A ramp: each cycle follows the one before.
    cycles: tuple[_Cycle, ...] = ()


class _Secondary(NamedTuple):
    """A secondary driver and its change ideas."""

    text: str
    ideas: tuple[_Idea, ...]


@dataclass(frozen=True)
class _Driver:
    """A primary driver with its secondary drivers and their change ideas."""

    text: str
    secondaries: tuple[_Secondary, ...]


class _Partner(NamedTuple):
    """A patient, carer, service user or community partner; every name is invented."""

    name: str
    kind: str
    contribution: str


class _Note(NamedTuple):
    on: datetime.date
    author: str
    text: str


class _Rating(NamedTuple):
    """A progress rating on the IHI scale: the team's, and the coach's if any."""

    on: datetime.date
    team: str
    coach: str | None


class _MeasureLink(NamedTuple):
    measure: str
    #: outcome, process or balancing
    role: str


@dataclass(frozen=True)
class _ProjectSpec:
    title: str
    unit: str
    lead: str
    coach: str
    status: str
    method: str
    start: datetime.date | None
    problem: str
    aim_what: str
    aim_how_much: str
    aim_by_when: datetime.date | None
    priorities: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    end: datetime.date | None = None
    status_reason: str = ""
    method_other: str = ""
    tags: tuple[str, ...] = ()
    partners: tuple[_Partner, ...] = ()
    notes: tuple[_Note, ...] = ()
    ratings: tuple[_Rating, ...] = ()
    measures: tuple[_MeasureLink, ...] = ()
    drivers: tuple[_Driver, ...] = ()


PROJECTS = records(_ProjectSpec, "projects", "projects")


# ----------------------------------------------------------------- the step


def add_projects(demo: Demo) -> None:
    """The curated projects; 2,000 projects in all at ``large``."""
    riverside = demo.organisations["riverside"]
    units = units_by_name(riverside)
    people = {
        p.name: demo.users[p.email] for p in PEOPLE if p.organisation == "riverside"
    }
    priorities = {
        p.title: p for p in StrategicPriority.objects.for_organisation(riverside)
    }
    measures = {m.name: m for m in Measure.objects.for_organisation(riverside)}
    existing = set(
        Project.objects.for_organisation(riverside)
        .filter(title__in=[p.title for p in PROJECTS])
        .values_list("title", flat=True)
    )
    tags: dict[str, Tag] = {}
    for spec in PROJECTS:
        if spec.title not in existing:
            _create(demo, riverside, spec, units, people, priorities, measures, tags)
    if demo.size == "large":
        _add_many(demo, riverside, units, people, priorities)


def _tag(
    organisation: Organisation, name: str, tags: dict[str, Tag], demo: Demo
) -> Tag:
    if name not in tags:
        tags[name], created = Tag.objects.get_or_create(
            organisation=organisation, name=name
        )
        demo.created["tags"] += created
    return tags[name]


def _create(
    demo: Demo,
    organisation: Organisation,
    spec: _ProjectSpec,
    units: dict[str, Unit],
    people: dict[str, User],
    priorities: dict[str, StrategicPriority],
    measures: dict[str, Measure],
    tags: dict[str, Tag],
) -> Project:
    lead, coach = people[spec.lead], people[spec.coach]
    project = Project.objects.create(
        organisation=organisation,
        unit=units[spec.unit],
        title=spec.title,
        problem=spec.problem,
        aim_what=spec.aim_what,
        aim_how_much=spec.aim_how_much,
        aim_by_when=spec.aim_by_when,
        method=spec.method,
        method_other=spec.method_other,
        lead=lead,
        status=spec.status,
        status_reason=spec.status_reason,
        start_date=spec.start,
        end_date=spec.end,
        created_by=lead,
    )
    # The timestamps say when it happened in the story, not when the demo ran;
    # update() leaves the audit trail as it is.
    began = spec.start or (spec.notes[0][0] if spec.notes else TODAY)
    Project.objects.filter(pk=project.pk).update(created_at=_moment(began, -14))
    project.priorities.set([priorities[t] for t in spec.priorities if t in priorities])
    project.team.set([people[name] for name in spec.team])
    project.tags.set([_tag(organisation, name, tags, demo) for name in spec.tags])
    for name, kind, contribution in spec.partners:
        Partner.objects.create(
            project=project, name=name, kind=kind, contribution=contribution
        )
    for when, author, text in spec.notes:
        note = ProjectNote.objects.create(
            project=project, author=people[author], text=text
        )
        ProjectNote.objects.filter(pk=note.pk).update(created_at=_moment(when))
    for when, team_score, coach_score in spec.ratings:
        ProgressRating.objects.create(
            project=project,
            score=Decimal(team_score),
            rated_by=ProgressRating.RatedBy.TEAM,
            rated_on=when,
            rater=lead,
        )
        if coach_score is not None:
            ProgressRating.objects.create(
                project=project,
                score=Decimal(coach_score),
                rated_by=ProgressRating.RatedBy.COACH,
                rated_on=when,
                rater=coach,
            )
    for name, role in spec.measures:
        if name in measures:  # the A&E measure is missing without its data
            ProjectMeasure.objects.create(
                project=project, measure=measures[name], role=role
            )
    cycles = 0
    for p, driver in enumerate(spec.drivers):
        primary = DriverNode.objects.create(
            project=project, kind=DriverNode.Kind.PRIMARY, text=driver.text, position=p
        )
        for s, (text, ideas) in enumerate(driver.secondaries):
            secondary = DriverNode.objects.create(
                project=project,
                parent=primary,
                kind=DriverNode.Kind.SECONDARY,
                text=text,
                position=s,
            )
            for c, idea in enumerate(ideas):
                change = DriverNode.objects.create(
                    project=project,
                    parent=secondary,
                    kind=DriverNode.Kind.CHANGE_IDEA,
                    text=idea.text,
                    position=c,
                )
                cycles += _ramp(project, change, idea.cycles)
    demo.created["projects"] += 1
    demo.created["PDSA cycles"] += cycles
    return project


def _ramp(project: Project, change: DriverNode, ramp: tuple[_Cycle, ...]) -> int:
    previous = None
    for cycle in ramp:
        stage = (
            PDSACycle.Stage.ACT
            if cycle.act
            else PDSACycle.Stage.STUDY
            if cycle.study
            else PDSACycle.Stage.DO
            if cycle.do
            else PDSACycle.Stage.PLAN
        )
        previous = PDSACycle.objects.create(
            project=project,
            change_idea=change,
            previous=previous,
            title=cycle.title,
            plan=cycle.plan,
            prediction=cycle.prediction,
            do=cycle.do,
            study=cycle.study,
            act=cycle.act,
            act_notes=cycle.act_notes,
            stage=stage,
            start_date=cycle.start,
            end_date=cycle.end,
        )
    return len(ramp)


def _moment(day: datetime.date, days: int = 0) -> datetime.datetime:
    """Ten in the morning, UTC, ``days`` after ``day``."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=days), datetime.time(10), datetime.UTC
    )


# ----------------------------------------------------------------- large

#: The topics of the extra projects at ``large``, each tried in every team in turn.
TOPICS: tuple[str, ...] = read(tuple[str, ...], "projects", "large_topics")
#: (status, weight) of the extra projects at ``large``.
_STATUS_MIX = (
    (S.IDEA, 15),
    (S.ACTIVE, 45),
    (S.SUSTAINING, 15),
    (S.COMPLETED, 18),
    (S.STOPPED, 7),
)
_METHODS = (M.MODEL_FOR_IMPROVEMENT, M.LEAN, M.SIX_SIGMA, M.EBCD)
_SCORES = [Decimal(s) for s in ("1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5")]


def many_project_titles(units: dict[str, Unit], count: int) -> list[str]:
    """The titles of the extra projects at ``large``: each topic in each team, in turn."""
    teams = sorted(n for n, u in units.items() if u.level == Unit.Level.TEAM)
    titles = []
    for n in range(count):
        topic = TOPICS[n % len(TOPICS)]
        team = teams[(n // len(TOPICS)) % len(teams)]
        wave = n // (len(TOPICS) * len(teams))
        titles.append(f"{topic}: {team}" + (f", phase {wave + 1}" if wave else ""))
    return titles


def _add_many(
    demo: Demo,
    organisation: Organisation,
    units: dict[str, Unit],
    people: dict[str, User],
    priorities: dict[str, StrategicPriority],
) -> None:
    """The extra projects at ``large``, in bulk (not on the audit trail)."""
    titles = many_project_titles(units, LARGE_PROJECTS - len(PROJECTS))
    existing = set(
        Project.objects.for_organisation(organisation)
        .filter(title__in=titles)
        .values_list("title", flat=True)
    )
    missing = [(n, t) for n, t in enumerate(titles) if t not in existing]
    if not missing:
        return
    leads = [
        people[p.name]
        for p in PEOPLE
        if p.organisation == "riverside" and p.role in (Role.PROJECT_LEAD, Role.MEMBER)
    ]
    coaches = [
        people[p.name]
        for p in PEOPLE
        if p.organisation == "riverside" and p.role == Role.QI_TEAM
    ]
    statuses = [s for s, _ in _STATUS_MIX]
    weights = np.array([w for _, w in _STATUS_MIX], dtype=float)
    new, plans = [], []
    for n, title in missing:
        rng = np.random.default_rng([SEED, 2, n])
        status = statuses[rng.choice(len(statuses), p=weights / weights.sum())]
        topic, team = title.split(", phase")[0].split(": ", 1)
        start = TODAY - datetime.timedelta(days=int(rng.integers(30, 1500)))
        is_idea = status == S.IDEA
        is_over = status in (S.COMPLETED, S.STOPPED)
        end = (
            min(TODAY, start + datetime.timedelta(days=int(rng.integers(120, 600))))
            if is_over
            else None
        )
        new.append(
            Project(
                organisation=organisation,
                unit=units[team],
                title=title,
                problem=f"The team wants to improve: {topic.lower()}.",
                aim_what=f"{topic} in {team}",
                aim_how_much=f"by {int(rng.integers(2, 6)) * 10}%",
                aim_by_when=start + datetime.timedelta(days=365),
                method=_METHODS[int(rng.integers(len(_METHODS)))],
                lead=leads[int(rng.integers(len(leads)))],
                status=status,
                status_reason="The team moved to a larger project on the same topic."
                if status == S.STOPPED
                else "",
                start_date=None if is_idea else start,
                end_date=end,
            )
        )
        plans.append((rng, status, start))
    projects = Project.objects.bulk_create(new, batch_size=500)
    _need_ids(projects)

    priority_links, ratings, primaries = [], [], []
    Through = Project.priorities.through
    chosen = list(priorities.values())
    for project, (rng, status, start) in zip(projects, plans, strict=True):
        for i in rng.choice(len(chosen), size=int(rng.integers(1, 3)), replace=False):
            priority_links.append(
                Through(project_id=project.pk, strategicpriority_id=chosen[i].pk)
            )
        if status == S.IDEA:
            continue
        level = int(rng.integers(0, len(_SCORES) - 3))
        for k in range(int(rng.integers(1, 5))):
            when = min(TODAY, start + datetime.timedelta(days=60 + 90 * k))
            score = _SCORES[min(len(_SCORES) - 1, level + k)]
            ratings.append(
                ProgressRating(
                    project=project,
                    score=score,
                    rated_by=ProgressRating.RatedBy.TEAM,
                    rated_on=when,
                    rater=project.lead,
                )
            )
            ratings.append(
                ProgressRating(
                    project=project,
                    score=_SCORES[max(0, _SCORES.index(score) - int(rng.integers(2)))],
                    rated_by=ProgressRating.RatedBy.COACH,
                    rated_on=when,
                    rater=coaches[int(rng.integers(len(coaches)))],
                )
            )
        primaries.append(
            DriverNode(
                project=project,
                kind=DriverNode.Kind.PRIMARY,
                text="Reliable processes, every shift",
            )
        )
    Through.objects.bulk_create(priority_links, batch_size=2000)
    ProgressRating.objects.bulk_create(ratings, batch_size=2000)
    _many_drivers(
        demo, primaries, plans_by_project=dict(zip(projects, plans, strict=True))
    )
    _many_links(organisation, units, projects)
    demo.created["projects"] += len(projects)


def _many_drivers(
    demo: Demo,
    primaries: list[DriverNode],
    plans_by_project: dict[Project, tuple[np.random.Generator, str, datetime.date]],
) -> None:
    """Primary → secondary → two change ideas, and a ramp of up to three cycles."""
    DriverNode.objects.bulk_create(primaries, batch_size=2000)
    _need_ids(primaries)
    secondaries = [
        DriverNode(
            project=p.project,
            parent_id=p.pk,
            kind=DriverNode.Kind.SECONDARY,
            text="Everyone knows what to do",
        )
        for p in primaries
    ]
    DriverNode.objects.bulk_create(secondaries, batch_size=2000)
    _need_ids(secondaries)
    ideas = [
        DriverNode(
            project=s.project,
            parent_id=s.pk,
            kind=DriverNode.Kind.CHANGE_IDEA,
            text=text,
            position=i,
        )
        for s in secondaries
        for i, text in enumerate(("A checklist at handover", "A visual prompt"))
    ]
    DriverNode.objects.bulk_create(ideas, batch_size=2000)
    _need_ids(ideas)
    # Ramps on the first idea of each project, built a cycle-number at a time so
    # each cycle can name the one before it.
    acts = (PDSACycle.Act.ADOPT, PDSACycle.Act.ADAPT, PDSACycle.Act.ABANDON)
    ramps = []
    for idea in ideas[::2]:
        rng, _, start = plans_by_project[idea.project]
        length = int(rng.integers(0, 4))
        ramps.append((idea, start, [acts[int(rng.integers(3))] for _ in range(length)]))
    previous: dict[int, PDSACycle] = {}
    total = 0
    for step in range(3):
        batch = []
        for idea, start, decisions in ramps:
            if step < len(decisions):
                begin = start + datetime.timedelta(days=30 + 28 * step)
                batch.append(
                    PDSACycle(
                        project=idea.project,
                        change_idea=idea,
                        previous=previous.get(idea.pk),
                        title=f"Test {step + 1}: {idea.text.lower()}",
                        plan="Try it for one week on one shift pattern.",
                        prediction="Most shifts will use it.",
                        do="Ran as planned.",
                        study="Results against the prediction recorded.",
                        act=decisions[step],
                        stage=PDSACycle.Stage.ACT,
                        start_date=begin,
                        end_date=begin + datetime.timedelta(days=6),
                    )
                )
        PDSACycle.objects.bulk_create(batch, batch_size=2000)
        _need_ids(batch)
        previous.update({c.change_idea_id: c for c in batch})
        total += len(batch)
    demo.created["PDSA cycles"] += total


def _many_links(
    organisation: Organisation, units: dict[str, Unit], projects: list[Project]
) -> None:
    """Each extra measure joins one extra project as its outcome measure."""
    from .measures import LARGE_MEASURES, MEASURES

    names = many_measure_names(units, LARGE_MEASURES - len(MEASURES) - 1)
    measures = list(
        Measure.objects.for_organisation(organisation)
        .filter(name__in=names)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not measures or not projects:
        return
    step = max(1, len(projects) // len(measures))
    links = [
        ProjectMeasure(project=projects[(i * step) % len(projects)], measure_id=pk)
        for i, pk in enumerate(measures)
    ]
    ProjectMeasure.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)


def _need_ids(rows: Sequence[Model]) -> None:
    if rows and rows[0].pk is None:
        raise RuntimeError(
            "the database returned no ids from a bulk insert; the large demo needs "
            "SQLite 3.35 or later, or PostgreSQL"
        )
