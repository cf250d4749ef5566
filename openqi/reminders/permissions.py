"""Who may change reminder choices."""

from __future__ import annotations
