"""Build the demo: run its steps in turn, and describe what was made.

``build_demo(size)`` runs every step in :data:`STEPS` in turn, in one
transaction, with the changes attributed on the audit trail to the ``demo``
command. Each step takes the :class:`Demo` context, finds what earlier steps
made (``demo.organisations["riverside"]``, ``demo.users[email]``) and creates
what is missing, so running the demo twice changes nothing. A later app adds
its demo data by writing a step in ``openqi/demo/<app>.py`` (its content in
``openqi/demo/data/<app>.json``) and appending it to :data:`STEPS`.

The ``demo`` management command (``python manage.py demo``, and ``openqi demo``
through it) calls :func:`build_demo` and prints :func:`describe`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from openqi.audit.services import acting_as

from .assessments import add_assessments
from .barriers import add_barriers
from .base import PASSWORD, SIZES, Demo, DemoError, SignIn
from .benchmark import add_benchmark
from .capability import add_capability
from .journey import add_journey
from .library import add_library
from .measures import add_measures
from .organisations import add_organisations
from .projects import add_projects
from .reports import add_reports
from .spread import add_spread
from .strategy import add_priorities
from .sustainability import add_sustainability
from .system import add_system
from .value import add_value

__all__ = [
    "PASSWORD",
    "SIZES",
    "STEPS",
    "Demo",
    "DemoError",
    "SignIn",
    "build_demo",
    "describe",
    "ensure_migrated",
]

#: The demo's steps, in order. Each app appends its own.
STEPS: list[Callable[[Demo], None]] = [
    add_organisations,
    add_measures,
    add_priorities,
    add_projects,
    add_spread,
    add_sustainability,
    add_value,
    add_assessments,
    add_journey,
    add_barriers,
    add_capability,
    add_system,
    add_benchmark,
    add_library,
    add_reports,
]


def build_demo(size: str = "small") -> Demo:
    """Create whatever is missing of the demo at ``size`` ("small" or "large")."""
    if size not in SIZES:
        raise DemoError(f"size must be one of {', '.join(SIZES)}; got {size!r}")
    demo = Demo(size=size)
    with transaction.atomic(), acting_as(None, "command"):
        for step in STEPS:
            step(demo)
    return demo


def ensure_migrated() -> None:
    """Raise :class:`DemoError` unless every migration has been applied."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise DemoError(
            f"the database is not ready ({len(plan)} migrations to apply): "
            "run python manage.py migrate first"
        )


def describe(demo: Demo) -> str:
    """The sign-in details, and what this run created, as text to print."""
    created = ", ".join(f"{n:,} {what}" for what, n in demo.created.items() if n)
    lines = [
        f"The OpenQI demo is ready (size {demo.size}).",
        f"Created: {created}."
        if created
        else "Nothing to create: the demo was already there.",
        "",
        f"Every demo account signs in with the password: {PASSWORD}",
        "",
    ]
    headings = ("E-mail address", "Role", "Organisation")
    rows = [(s.email, s.role, s.organisation) for s in demo.sign_ins]
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(2)]
    for email, role, organisation in [headings, *rows]:
        lines.append(f"{email:<{widths[0]}}  {role:<{widths[1]}}  {organisation}")
    if demo.notes:
        lines += ["", *demo.notes]
    return "\n".join(lines) + "\n"
