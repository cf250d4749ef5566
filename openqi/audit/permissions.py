"""Who may read the audit trail: an organisation's administrators."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_admin

VIEW_TRAIL = define(
    "audit.view_trail",
    is_admin,
    refused="Only an administrator of this organisation can do this.",
)
