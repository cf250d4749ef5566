"""Who may do what with assessments: every member reads the instruments, rounds,
results and the action plan; administrators and the QI team load instruments,
run rounds and keep the action plan.

The anonymous survey (survey_views.py) is answered by link, without signing in,
so it names no permission.
"""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, is_qi

__all__ = ["CHANGE_ASSESSMENTS", "VIEW_ASSESSMENTS"]

VIEW_ASSESSMENTS = define(
    "assessments.view",
    is_member,
    refused="Only members of this organisation can see its work.",
)
#: Loading instruments, running rounds (links, opening, closing) and keeping the
#: action plan.
CHANGE_ASSESSMENTS = define(
    "assessments.change",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can do this.",
)
