"""The typed environment readers behind settings.py: they parse or refuse, never guess."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from openqi.web.env import database_from_url, env_bool, env_int, env_list, env_str

NAME = "OPENQI_TEST_VARIABLE"


@pytest.fixture(autouse=True)
def _unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NAME, raising=False)


def test_unset_variables_give_the_defaults() -> None:
    assert env_str(NAME, "x") == "x"
    assert env_bool(NAME, True) is True
    assert env_int(NAME, 7) == 7
    assert env_list(NAME, ["a"]) == ["a"]
    assert env_list(NAME) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("YES", True), (" on ", True),
     ("false", False), ("0", False), ("No", False), ("off", False), ("", False)],
)  # fmt: skip
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, not expected) is expected


@pytest.mark.parametrize("raw", ["flase", "2", "enabled", "y"])
def test_env_bool_refuses_anything_else(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(
        ImproperlyConfigured, match=f"{NAME} must be true or false.*{raw!r}"
    ):
        env_bool(NAME, True)


def test_env_int_reads_a_whole_number_and_refuses_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(NAME, "3600")
    assert env_int(NAME, 1) == 3600
    monkeypatch.setenv(NAME, "")
    assert env_int(NAME, 1) == 1
    monkeypatch.setenv(NAME, "1h")
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} must be a whole number"):
        env_int(NAME, 1)


def test_env_list_splits_on_commas_and_drops_blanks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(NAME, " a.example.org, b.example.org ,,")
    assert env_list(NAME) == ["a.example.org", "b.example.org"]


def test_database_from_url_reads_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    database = database_from_url(
        "postgres://openqi:p%40ss%3Aword@db.internal:5433/openqi_live?sslmode=require"
    )
    assert database == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "openqi_live",
        "USER": "openqi",
        "PASSWORD": "p@ss:word",
        "HOST": "db.internal",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def test_database_from_url_takes_postgresql_without_port_or_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    database = database_from_url("postgresql://openqi@localhost/openqi")
    assert (database["HOST"], database["PORT"], database["PASSWORD"]) == (
        "localhost",
        "",
        "",
    )
    assert database["CONN_MAX_AGE"] == 0


def test_database_from_url_needs_a_database_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url("postgres://openqi@localhost/")


@pytest.mark.parametrize(
    ("url", "name"),
    [("sqlite:///openqi.sqlite3", "openqi.sqlite3"),
     ("sqlite:////var/lib/openqi/db.sqlite3", "/var/lib/openqi/db.sqlite3"),
     ("sqlite://", ":memory:")],
)  # fmt: skip
def test_database_from_url_reads_sqlite(url: str, name: str) -> None:
    database = database_from_url(url)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == name


def test_sqlite_waits_for_the_write_lock_in_wal_mode() -> None:
    options = database_from_url("sqlite:///openqi.sqlite3")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]
    assert "synchronous=NORMAL" in options["init_command"]


@pytest.mark.parametrize(
    "url", ["mysql://u:p@h/db", "db.sqlite3", "postgress://u@h/db"]
)
def test_database_from_url_refuses_other_schemes(url: str) -> None:
    with pytest.raises(
        ImproperlyConfigured, match="must start with postgres:// or sqlite://"
    ):
        database_from_url(url)
