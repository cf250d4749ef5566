"""Who may do what in the sustainability app."""

from __future__ import annotations
