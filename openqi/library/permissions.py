"""Who may do what in the library app (predicates of openqi.organisations.permissions)."""

from __future__ import annotations
