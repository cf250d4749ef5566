"""Who may do what with the organisation's strategic priorities."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, is_qi

VIEW_PRIORITIES = define(
    "strategy.view_priorities",
    is_member,
    refused="Only members of this organisation can see its priorities.",
)
#: Setting the organisation's priorities ("true north") is the QI team's and the
#: administrators' job.
CHANGE_PRIORITY = define(
    "strategy.change_priority",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can do this.",
)
