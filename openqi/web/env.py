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


#: The database cache's table, created by a migration (openqi/core/migrations) on
#: every database, so switching OPENQI_CACHE_URL to ``db`` needs no other step.
CACHE_TABLE = "openqi_cache"
#: Room for every measure of a large trust (the overview keeps a line per measure).
#: The database cache culls a third of its rows past this; Redis has its own policy.
CACHE_MAX_ENTRIES = 20000


def cache_from_url(url: str, *, debug: bool) -> dict[str, Any]:
    """Django's ``CACHES["default"]`` from ``OPENQI_CACHE_URL``.

    ``redis://HOST:PORT/DB`` (or ``rediss://`` for TLS, ``unix://`` for a socket)
    is Redis; ``db`` the table ``openqi_cache`` in the database; ``locmem`` each
    process's own memory. Empty: local memory in debug mode (one process on a
    laptop), else the database, so every worker and server counts the same
    sign-in and API rate limits without a Redis to run.
    """
    kind = url.strip()
    if not kind:
        kind = "locmem" if debug else "db"
    scheme = urlsplit(kind).scheme.lower() if "://" in kind else ""
    if scheme in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": kind,
        }
    if kind.lower() == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES},
        }
    if kind.lower() == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES},
        }
    raise ImproperlyConfigured(
        "OPENQI_CACHE_URL must be redis://HOST:PORT/DB (or rediss://, unix://), "
        f"db or locmem; got {scheme or kind!r}"  # a URL's scheme only: no password
    )


def session_engine(cache: dict[str, Any]) -> str:
    """Sessions live in the database, which every server shares. With Redis they are
    also cached there (``cached_db``), saving a query a request; never in a
    per-process cache, where a server would go on trusting a session that another
    had ended."""
    if cache["BACKEND"].endswith("RedisCache"):
        return "django.contrib.sessions.backends.cached_db"
    return "django.contrib.sessions.backends.db"
