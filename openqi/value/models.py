"""Models of the value app."""

from __future__ import annotations
