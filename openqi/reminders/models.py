"""Each person's choice of reminders, and the digests sent."""

from __future__ import annotations
