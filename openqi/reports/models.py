"""The board report and its monthly snapshots."""

from __future__ import annotations
