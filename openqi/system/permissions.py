"""Who may do what in the system app (predicates of openqi.organisations.permissions).

- everyone with a role in the system organisation reads the system's portfolio
  (the pages check the organisation is a system; a member organisation's people
  see it only if they also hold a role in the system organisation);
- every member of a member organisation reads what it shares with its system;
- only its administrators change that: sharing outside the organisation is a
  decision about the organisation's data, like managing its members.
"""

from __future__ import annotations

from openqi.organisations.permissions import define, is_admin, is_member

VIEW_SYSTEM_PORTFOLIO = define(
    "system.view_portfolio",
    is_member,
    refused="Only people with a role in this system can see its portfolio.",
)
VIEW_SHARING = define(
    "system.view_sharing",
    is_member,
    refused="Only members of this organisation can see what it shares with its system.",
)
CHANGE_SHARING = define(
    "system.change_sharing",
    is_admin,
    refused="Only an administrator of this organisation can change what it shares "
    "with its system.",
)
