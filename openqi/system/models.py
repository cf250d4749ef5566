"""What each member shares with its system."""

from __future__ import annotations
