"""Typed readers of environment variables for settings.

Each helper raises ``ImproperlyConfigured`` on a value it cannot parse; none
guesses. ``database_from_url`` turns a ``DATABASE_URL`` into Django's
``DATABASES["default"]``.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (1/0, yes/no, on/off); got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number; got {raw!r}"
        ) from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def sqlite_database(path: str) -> dict[str, Any]:
    """SQLite set up so a small team's writes wait their turn instead of failing.

    WAL lets reads carry on while one connection writes; ``IMMEDIATE`` takes the
    write lock when a transaction begins, so two transactions never both read and
    then try to upgrade to writing (which SQLite refuses at once, whatever the
    timeout, with "database is locked"); ``timeout`` is how long a writer waits
    for the lock, in seconds, and must outlast the longest import's commit.
    ``synchronous=NORMAL`` is safe with WAL: a power cut can lose the last
    commits, never corrupt the file.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }


def database_from_url(url: str) -> dict[str, Any]:
    """``postgres://user:pass@host:5432/name?sslmode=require`` or ``sqlite:///path``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative.db is relative; sqlite:////abs/path.db is absolute.
        return sqlite_database(unquote(parts.path)[1:] or ":memory:")
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                "DATABASE_URL names no database; use postgres://USER:PASSWORD@HOST:PORT/NAME"
            )
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite://; got {parts.scheme or url!r}"
    )
