"""Published work and its adoptions."""

from __future__ import annotations
