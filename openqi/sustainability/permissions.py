"""Who may do what in the sustainability app: every member reads the checks;
the QI team, an administrator or the project's lead opens a check and adds
actions; a member of the project's team (not a viewer) rates."""

from __future__ import annotations

from openqi.organisations.permissions import (
    define,
    is_lead_of_project,
    is_member,
    is_on_project_team,
    is_project_lead,
    is_qi,
    may_change_work,
)

__all__ = [
    "MANAGE_CHECK",
    "MANAGE_CHECK_OF",
    "RATE",
    "RATE_PROJECT",
    "VIEW_SUSTAINABILITY",
]

VIEW_SUSTAINABILITY = define(
    "sustainability.view",
    is_member,
    refused="Only members of this organisation can see its sustainability checks.",
)
#: Opening a check and adding actions to it: the roles that may (the page's rule) …
MANAGE_CHECK = define(
    "sustainability.manage_check",
    is_qi | is_project_lead,
    refused="Only the QI team, an administrator or a project's lead can open a sustainability check.",
)
#: … and, for one project, the QI team or that project's own lead.
MANAGE_CHECK_OF = define(
    "sustainability.manage_check_of",
    is_qi | is_lead_of_project,
    refused="Only the QI team, an administrator or this project's lead can open a sustainability check of it.",
)
RATE = define(
    "sustainability.rate",
    may_change_work,
    refused="Viewers can look but not rate.",
)
RATE_PROJECT = define(
    "sustainability.rate_project",
    may_change_work & is_on_project_team,
    refused="Only members of this project's team (or its lead) can rate its sustainability.",
)
