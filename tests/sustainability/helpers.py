"""Small builders for the sustainability tests (house style: no factory library)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.organisations.models import Organisation
from openqi.projects.models import Project
from openqi.sustainability.builtin import FACTOR_KEYS
from openqi.sustainability.models import Rating, SustainabilityCheck


def make_project(organisation: Organisation, **fields: Any) -> Project:
    team = fields.pop("team", [])
    fields.setdefault("title", "Discharge before midday on the respiratory ward")
    fields.setdefault("status", Project.Status.SUSTAINING)
    project = Project.objects.create(organisation=organisation, **fields)
    if team:
        project.team.set(team)
    return project


def make_check(project: Project, **fields: Any) -> SustainabilityCheck:
    fields.setdefault("opened_on", datetime.date(2025, 6, 2))
    return SustainabilityCheck.objects.create(project=project, **fields)


def rate_all(check: SustainabilityCheck, rater: Any, scores: list[int]) -> None:
    """``rater`` rates the ten factors, in the order of FACTORS."""
    for key, score in zip(FACTOR_KEYS, scores, strict=True):
        Rating.objects.create(
            sustainability_check=check, rater=rater, factor=key, score=score
        )


def rating_data(scores: list[int] | None = None) -> dict[str, str]:
    """The rating form as a browser posts it (all 4s unless given)."""
    scores = scores or [4] * len(FACTOR_KEYS)
    return {key: str(s) for key, s in zip(FACTOR_KEYS, scores, strict=True)}


def team_project(cast: Any, **fields: Any) -> Project:
    """A sustaining project led by the cast's lead, with every other member of
    organisation A on its team (the page crawl's smaller cast has no lead: its
    administrator leads)."""
    fields.setdefault("lead", getattr(cast, "lead", cast.editor))
    names = ("editor", "qi_lead", "member", "viewer")
    fields.setdefault("team", [getattr(cast, n) for n in names if hasattr(cast, n)])
    return make_project(cast.org, **fields)
