"""Who may see the home dashboard and compose, publish and read board reports."""

from __future__ import annotations
