"""Similar work beyond the organisation's own projects.

The similar-project check (``services.similar_projects``) compares a new project
with the organisation's own. A higher app that holds projects of other
organisations (the shared learning library) registers a finder here in its
``AppConfig.ready()``; the check then also shows what each finder returns. The
projects app imports nothing of the app that registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from openqi.organisations.models import Organisation

from . import similarity

__all__ = ["Elsewhere", "Finder", "find", "register"]


@dataclass(frozen=True)
class Elsewhere:
    """A similar piece of work elsewhere: its title, where it is (``where``: whose and
    what, in words), the page to read it at, and the match (score, shared terms)."""

    title: str
    where: str
    href: str
    match: similarity.Match


#: Takes the organisation starting a project and its words; returns matches, best first.
Finder = Callable[[Organisation, similarity.Text], list[Elsewhere]]

_FINDERS: list[Finder] = []


def register(finder: Finder) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def find(
    organisation: Organisation, *, title: str, aim: str = "", problem: str = ""
) -> list[Elsewhere]:
    """Every registered finder's matches for these words, best first."""
    text = similarity.Text(None, title, aim, problem)
    if not text.title.strip():
        return []
    found = [match for finder in _FINDERS for match in finder(organisation, text)]
    return sorted(found, key=lambda e: -e.match.score)
