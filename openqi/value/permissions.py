"""Who may do what in the value app (the predicates are
:mod:`openqi.organisations.permissions`'):

- every member reads benefits, the investment and the programme's return;
- a project's benefits are recorded by its lead, the QI team and administrators
  (pages and the API admit project leads, the QI team and administrators; the
  object rule :data:`RECORD_PROJECT_BENEFITS` then needs the lead of that project);
- administrators and the QI team record the investment and the turnover.
"""

from __future__ import annotations

from openqi.organisations.permissions import (
    define,
    is_lead_of_project,
    is_member,
    is_project_lead,
    is_qi,
    may_change_work,
)

VIEW_VALUE = define(
    "value.view_value",
    is_member,
    refused="Only members of this organisation can see its benefits and return.",
)
RECORDED_BY = (
    "Only the project's lead, the QI team or an administrator records its benefits."
)
RECORD_BENEFITS = define(
    "value.record_benefits",
    may_change_work & (is_qi | is_project_lead),
    refused=RECORDED_BY,
)
#: An object rule: ``require(membership, RECORD_PROJECT_BENEFITS, project)``.
RECORD_PROJECT_BENEFITS = define(
    "value.record_project_benefits",
    may_change_work & (is_qi | is_lead_of_project),
    refused=RECORDED_BY,
)
RECORD_INVESTMENT = define(
    "value.record_investment",
    is_qi,
    refused="Only the QI team or an administrator records the investment and turnover.",
)
