"""Who may do what with the organisation's measures and their data."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, may_change_work

VIEW_MEASURES = define(
    "measures.view_measures",
    is_member,
    refused="Only members of this organisation can see its measures.",
)
#: Defining a measure, its data points (by hand or by import), phase breaks and notes.
CHANGE_MEASURE = define(
    "measures.change_measure",
    may_change_work,
    refused="Viewers can look but not change anything here.",
)
