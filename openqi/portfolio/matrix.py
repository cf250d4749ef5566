"""The priority × unit matrix: the organisation's projects counted by strategic
priority (rows) and unit at one level (columns)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from openqi.organisations.models import Organisation, Unit
from openqi.projects.models import Project
from openqi.strategy.models import StrategicPriority

from .services import NONE, unit_rows

#: Matrix column keys that are not a unit.
NO_UNIT = "none"
ABOVE = "above"


@dataclass(frozen=True)
class MatrixCell:
    count: int
    query: dict[str, str] | None


@dataclass(frozen=True)
class MatrixRow:
    label: str
    cells: list[MatrixCell]
    total: MatrixCell


@dataclass(frozen=True)
class Matrix:
    level: str
    columns: list[str]
    rows: list[MatrixRow]
    totals: MatrixRow
    projects: int


def priority_unit_matrix(
    organisation: Organisation,
    *,
    level: str = Unit.Level.DIVISION,
    status: str = "",
) -> Matrix:
    """Projects counted by strategic priority (rows) and unit at ``level`` (columns).

    A project counts under the unit at ``level`` that holds its unit; projects of
    a unit above that level have their own column, and so do projects with no
    unit. A project linked to two priorities counts in both rows, so the
    "All projects" row counts each project once.
    """
    nodes = unit_rows(organisation)
    by_pk = {n.unit.pk: n.unit for n in nodes}
    columns_units = [n.unit for n in nodes if n.unit.level == level]

    def column_of(unit_id: int | None) -> int | str:
        if unit_id is None:
            return NO_UNIT
        unit: Unit | None = by_pk.get(unit_id)
        while unit is not None and unit.level != level:
            unit = by_pk.get(unit.parent_id) if unit.parent_id else None
        return unit.pk if unit is not None else ABOVE

    projects = Project.objects.for_organisation(organisation)
    if status:
        projects = projects.filter(status=status)
    column = {
        pk: column_of(unit_id) for pk, unit_id in projects.values_list("pk", "unit_id")
    }
    links = Project.priorities.through.objects.filter(project__in=projects).values_list(
        "project_id", "strategicpriority_id"
    )
    priorities_of: dict[int, set[int]] = defaultdict(set)
    for project_id, priority_id in links:
        priorities_of[project_id].add(priority_id)

    keys: list[int | str] = [u.pk for u in columns_units]
    labels = [u.name for u in columns_units]
    counts_above = sum(1 for c in column.values() if c == ABOVE)
    if counts_above:
        keys.append(ABOVE)
        labels.append(f"Above {Unit.Level(level).label.lower()} level")
    keys.append(NO_UNIT)
    labels.append("No unit")

    def query(
        priority: int | str | None, key: int | str | None
    ) -> dict[str, str] | None:
        if key == ABOVE:
            return None
        params = {"priority": priority, "unit": key, "status": status}
        return {k: str(v) for k, v in params.items() if v not in (None, "")}

    def row(label: str, priority: int | str | None, members: list[int]) -> MatrixRow:
        tally = Counter(column[pk] for pk in members)
        cells = [MatrixCell(tally[k], query(priority, k)) for k in keys]
        return MatrixRow(label, cells, MatrixCell(len(members), query(priority, None)))

    rows = []
    for priority in StrategicPriority.objects.for_organisation(organisation):
        members = [pk for pk in column if priority.pk in priorities_of[pk]]
        rows.append(row(priority.title, priority.pk, members))
    rows.append(
        row("No priority", NONE, [pk for pk in column if not priorities_of[pk]])
    )
    totals = row("All projects", None, list(column))
    return Matrix(level, labels, rows, totals, len(column))
