"""Who may do what with a project's driver diagram and PDSA cycles: every member
reads them, everyone but a viewer changes them (deleting a node or a cycle with
history follows :func:`openqi.organisations.access.require_delete`)."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, may_change_work

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
