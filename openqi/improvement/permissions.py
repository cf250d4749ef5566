"""Who may do what with a project's driver diagram and PDSA cycles: every member
reads them, everyone but a viewer changes them (deleting a node or a cycle with
history follows :func:`openqi.organisations.access.require_delete`)."""

from __future__ import annotations

from openqi.organisations.permissions import (
    define,
    is_lead_of_project,
    is_member,
    is_qi,
    may_change_work,
)

VIEW_IMPROVEMENT_WORK = define(
    "improvement.view_improvement_work",
    is_member,
    refused="Only members of this organisation can see its projects.",
)
CHANGE_IMPROVEMENT_WORK = define(
    "improvement.change_improvement_work",
    may_change_work,
    refused="Viewers can look at projects but not change them.",
)
#: An object rule on the adopting project: ``require(membership, ADOPT_CHANGE_IDEA,
#: project)``; without a project it admits the QI team and administrators alone.
ADOPT_CHANGE_IDEA = define(
    "improvement.adopt_change_idea",
    may_change_work & (is_qi | is_lead_of_project),
    refused="Only the adopting project's lead, the QI team or an administrator can "
    "adopt a change idea into it.",
)
