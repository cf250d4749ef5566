"""Who may do what with the capability framework, programmes, cohorts and targets.

Every member reads them; the QI team and administrators change them. A person's
own training record (with the e-mail address matching uses) is read only by the
QI team and administrators, and only an administrator erases it."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_admin, is_member, is_qi

VIEW_CAPABILITY = define(
    "capability.view",
    is_member,
    refused="Only members of this organisation can see its improvement capability.",
)
#: The framework's levels, programmes, cohorts, enrolments and targets.
CHANGE_CAPABILITY = define(
    "capability.change",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can do this.",
)
VIEW_TRAINING_RECORDS = define(
    "capability.view_training_records",
    is_qi,
    refused="Only administrators and the QI team can read a person's training record.",
)
ERASE_TRAINING_RECORD = define(
    "capability.erase_training_record",
    is_admin,
    refused="Only an administrator of this organisation can erase a person's training record.",
)
