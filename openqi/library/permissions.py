"""Who may do what in the library app (predicates of openqi.organisations.permissions).

- every member of an organisation reads and searches what its audience takes in
  (the publication's audience decides *what*; these rules decide *who*);
- the QI team and administrators publish their organisation's work and withdraw it;
- whoever may create projects and measures in their organisation adopts.
"""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, is_qi, may_change_work

VIEW_LIBRARY = define(
    "library.view",
    is_member,
    refused="Only members of this organisation can read the shared learning library.",
)
PUBLISH = define(
    "library.publish",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can publish "
    "its work to the library or withdraw it.",
)
ADOPT = define(
    "library.adopt",
    may_change_work,
    refused="Viewers cannot adopt work from the library: ask someone who can start "
    "projects in this organisation.",
)
