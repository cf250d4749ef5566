"""Who may do what in the value app."""

from __future__ import annotations
