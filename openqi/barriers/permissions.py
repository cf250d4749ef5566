"""Who may do what with the barrier log."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, is_qi, may_change_work

VIEW_BARRIERS = define(
    "barriers.view_barriers",
    is_member,
    refused="Only members of this organisation can see its barriers.",
)
#: Raising a barrier, changing it and flagging it for the board.
CHANGE_BARRIER = define(
    "barriers.change_barrier",
    may_change_work,
    refused="Viewers can look but not change anything here.",
)
DELETE_BARRIER = define(
    "barriers.delete_barrier",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can do this.",
)
