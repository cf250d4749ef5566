"""Who may see the portfolio: every member of the organisation (it only reads)."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member

VIEW_PORTFOLIO = define(
    "portfolio.view_portfolio",
    is_member,
    refused="Only members of this organisation can see its portfolio.",
)
