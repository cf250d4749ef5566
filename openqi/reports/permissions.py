"""Who may see the home dashboard and compose, publish and read board reports."""

from __future__ import annotations

from typing import Any

import rules

from openqi.organisations.models import Membership
from openqi.organisations.permissions import define, is_member, is_qi, may_change_work

# The board report (openqi/reports/models.py) -------------------------------------


@rules.predicate
def owns_entry_measure(membership: Membership, entry: Any) -> bool:
    """The member owns the measure of this report entry (``Measure.owner``)."""
    return entry is not None and entry.measure.owner_id == membership.user_id


#: Every member reads the published reports.
VIEW_REPORTS = define(
    "reports.view_reports",
    is_member,
    refused="Only members of this organisation can read its board reports.",
)
#: Composing a report: its month, headings and measures; previewing and publishing it.
COMPOSE_REPORT = define(
    "reports.compose_report",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can compose "
    "and publish board reports.",
)
#: The page that edits commentary: anyone who may change work reaches it, and
#: :data:`EDIT_COMMENTARY` decides for the entry.
WRITE_COMMENTARY = define(
    "reports.write_commentary",
    may_change_work,
    refused="Viewers can read board reports but not write their commentary.",
)
#: An object rule: ``require(membership, EDIT_COMMENTARY, entry)``.
EDIT_COMMENTARY = define(
    "reports.edit_commentary",
    may_change_work & (is_qi | owns_entry_measure),
    refused="A measure's commentary is written by its owner, the QI team or an "
    "administrator.",
)


# The home dashboard (openqi/reports/attention.py, home_views.py) -----------------

#: The organisation's picture on the home page, and what only the QI team and
#: administrators are told of (overdue journey milestones, barriers escalated).
SEE_ORGANISATION_PICTURE = define(
    "reports.see_organisation_picture",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can see this.",
)
