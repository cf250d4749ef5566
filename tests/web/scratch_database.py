"""Throwaway databases for tests that run the application in a process of its own.

Such a process reads ``DATABASE_URL`` itself and migrates from nothing, so it gets a
database of its own: a SQLite file in a temporary folder, or a PostgreSQL database
created on the test server (the role has CREATEDB, as `make test` needs) and dropped
afterwards.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

#: The server `make test` uses for its PostgreSQL pass (see the Makefile).
POSTGRES_URL = os.environ.get(
    "POSTGRES_URL", "postgres://openqi:openqi@127.0.0.1:5432/openqi"
)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres", "pgsql"))


def postgres_answers(url: str = POSTGRES_URL) -> bool:
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _libpq(url: str) -> str:
    return url.replace("pgsql://", "postgresql://", 1)


@contextmanager
def scratch_postgres(url: str = POSTGRES_URL) -> Iterator[str]:
    """A new, empty database on the server ``url`` names; yields its URL."""
    name = f"openqi_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        _drop(url, name)


def _drop(url: str, name: str) -> None:
    """Drop the scratch database. FORCE ends the test's own connections, but not an
    autovacuum worker's (it belongs to the superuser, so PostgreSQL refuses with
    InsufficientPrivilege): such a worker is gone within moments, so try again."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
        sql.Identifier(name)
    )
    for attempt in range(20):
        try:
            with psycopg.connect(_libpq(url), autocommit=True) as admin:
                admin.execute(drop)
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 19:
                raise
            time.sleep(0.5)
