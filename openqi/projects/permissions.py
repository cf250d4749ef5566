"""Who may do what with the organisation's projects (the predicates are
:mod:`openqi.organisations.permissions`').

- every member reads projects;
- everyone but a viewer starts and changes them: details, partners, measure
  links and the timeline;
- deleting a project is for its lead, the QI team and administrators (and, once it
  has history, for the QI team and administrators alone: the deletion rule of
  :func:`openqi.organisations.access.require_delete`);
- the team's progress rating is given by the lead, the team, the QI team or an
  administrator; the QI coach's rating by the QI team or an administrator.
"""

from __future__ import annotations

from openqi.organisations.permissions import (
    define,
    is_lead_of_project,
    is_member,
    is_on_project_team,
    is_qi,
    may_change_work,
)

VIEW_PROJECTS = define(
    "projects.view_projects",
    is_member,
    refused="Only members of this organisation can see its projects.",
)
CHANGE_PROJECT = define(
    "projects.change_project",
    may_change_work,
    refused="Viewers can look at projects but not change them.",
)
#: An object rule: ``require(membership, DELETE_PROJECT, project)``.
DELETE_PROJECT = define(
    "projects.delete_project",
    may_change_work & (is_qi | is_lead_of_project),
    refused="Only the project's lead, the QI team or an administrator can delete it.",
)
#: An object rule: the team's rating of ``project``.
RATE_AS_TEAM = define(
    "projects.rate_as_team",
    may_change_work & (is_qi | is_on_project_team),
    refused="The team's rating is given by the project's lead and team, the QI team "
    "and administrators.",
)
RATE_AS_COACH = define(
    "projects.rate_as_coach",
    may_change_work & is_qi,
    refused="The QI coach's rating is given by the QI team and administrators.",
)
