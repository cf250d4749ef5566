"""Models of the sustainability app."""

from __future__ import annotations
