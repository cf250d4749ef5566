"""Secret tokens that are shown once and stored only as a hash (API tokens, invitations)."""

from __future__ import annotations

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    """A fresh URL-safe secret of 256 bits, with an optional recognisable prefix."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(raw: str) -> str:
    """The SHA-256 hex digest stored in place of the token."""
    return hashlib.sha256(raw.encode()).hexdigest()
