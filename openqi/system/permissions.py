"""Who may do what in the system app (predicates of openqi.organisations.permissions)."""

from __future__ import annotations
