"""Who may do what in the benchmark app (predicates of openqi.organisations.permissions)."""

from __future__ import annotations
