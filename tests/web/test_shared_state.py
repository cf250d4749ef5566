"""Several application servers share one state: sessions, data and rate limits.

The settings pick the cache from ``OPENQI_CACHE_URL`` (openqi/web/env.py): Redis,
the database, or each process's memory; with none given, memory in debug mode and
the database otherwise. The end-to-end test starts two real gunicorn servers (two
workers each) on one PostgreSQL database (the test's own), as a load balancer would
see them, and shows that what is done through one is seen at once through the other:
a sign-in, a new strategic priority, a sign-out, and the API's limit on bad tokens.
It runs in the PostgreSQL pass of `make test` with the production default (the
database cache), and again with Redis where ``redis-server`` and the ``redis``
package are installed. A control with each process's own memory shows that the
rate-limit check would catch a cache that is not shared.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from openqi.accounts.models import ApiToken, User
from openqi.organisations.models import Membership, Organisation, Role
from openqi.web.env import CACHE_TABLE, cache_from_url, session_engine
from tests.web.scratch_database import is_postgres

REPO = Path(__file__).resolve().parents[2]
#: How long a server may take to start.
STARTUP_LIMIT_SECONDS = 120
#: "api_token_failed" in ACCOUNT_RATE_LIMITS (openqi/web/settings.py): bad tokens an
#: address may send in a minute.
BAD_TOKENS_PER_MINUTE = 30
#: As the container runs it (docker/entrypoint.sh); ``--preload`` loads the
#: application once per server rather than once per worker, to start sooner.
GUNICORN = [
    *(sys.executable, "-m", "gunicorn", "--preload"),
    *("--config", "python:openqi.web.gunicorn_config", "openqi.web.wsgi"),
]
EMAIL = "shared.state@example.org"
PASSWORD = secrets.token_urlsafe(16)
SLUG = "shared-trust"

# --- the settings: which cache, which sessions --------------------------------------


def test_with_no_cache_url_debug_mode_uses_each_process_memory() -> None:
    cache = cache_from_url("", debug=True)

    assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert session_engine(cache) == "django.contrib.sessions.backends.db"


def test_with_no_cache_url_a_server_uses_the_database() -> None:
    cache = cache_from_url("", debug=False)

    assert cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert cache["LOCATION"] == CACHE_TABLE
    assert session_engine(cache) == "django.contrib.sessions.backends.db"


@pytest.mark.parametrize(
    "url",
    [
        "redis://redis:6379/0",
        "rediss://:s3cret@cache.internal:6380/1",
        "unix:///run/r.sock",
    ],
)
def test_a_redis_url_uses_redis_and_caches_sessions_there_too(url: str) -> None:
    cache = cache_from_url(url, debug=False)

    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == url
    assert session_engine(cache) == "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("db", "db.DatabaseCache"),
        ("DB", "db.DatabaseCache"),
        ("locmem", "locmem.LocMemCache"),
    ],
)
def test_db_and_locmem_are_chosen_whatever_debug_says(url: str, backend: str) -> None:
    for debug in (True, False):
        cache = cache_from_url(url, debug=debug)
        assert cache["BACKEND"] == f"django.core.cache.backends.{backend}"


@pytest.mark.parametrize("url", ["memcached://cache:11211", "redis", "database"])
def test_any_other_cache_url_stops_the_application(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="OPENQI_CACHE_URL must be"):
        cache_from_url(url, debug=False)


def test_the_error_names_a_url_by_its_scheme_never_its_password() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        cache_from_url("memcached://user:s3cret@cache:11211", debug=False)

    assert "'memcached'" in str(refused.value)
    assert "s3cret" not in str(refused.value)


@pytest.mark.django_db
def test_the_migrations_create_the_database_cache_table() -> None:
    assert CACHE_TABLE in connection.introspection.table_names()
    cache = DatabaseCache(CACHE_TABLE, {})

    cache.set("shared-state-check", {"seen": True}, timeout=60)

    assert cache.get("shared-state-check") == {"seen": True}


# --- two real servers on one PostgreSQL database ------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 302 itself is the answer: it carries the session cookie


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    body: bytes
    cookies: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    """One gunicorn, as the load balancer reaches it; requests come from ``address``."""

    base: str
    address: str
    process: subprocess.Popen[bytes] = field(repr=False)

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        cookies: dict[str, str] | None = None,
        token: str | None = None,
        form: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
    ) -> Answer:
        headers = {
            # As the TLS proxy in front says (OPENQI_BEHIND_PROXY).
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": self.base.replace("http://", "https://"),
            "Referer": self.base.replace("http://", "https://") + path,
        }
        body = None
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
            if "csrftoken" in cookies:
                headers["X-CSRFToken"] = cookies["csrftoken"]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers
        )
        try:
            with _OPENER.open(request, timeout=30) as response:
                status, got, content = (
                    response.status,
                    response.headers,
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            status, got, content = error.code, error.headers, error.read()
        jar: SimpleCookie = SimpleCookie()
        for header in got.get_all("Set-Cookie") or []:
            jar.load(header)
        return Answer(status, content, {k: m.value for k, m in jar.items()})


def _environment(database_url: str, static_root: Path, secret: str) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENQI_", "DATABASE_", "GUNICORN_"))
    }
    return {
        **inherited,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{inherited.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "openqi.web.settings",
        "DATABASE_URL": database_url,
        # Production settings, as every server of a deployment has them: one secret.
        "OPENQI_DEBUG": "false",
        "OPENQI_SECRET_KEY": secret,
        "OPENQI_ALLOWED_HOSTS": "127.0.0.1",
        "OPENQI_BEHIND_PROXY": "true",
        "OPENQI_STATIC_ROOT": str(static_root),
        "OPENQI_WORKERS": "2",
    }


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files, collected as for a server (the sign-in page links them)."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not is_postgres(database_url):
        pytest.skip(
            "runs in the PostgreSQL pass of `make test` (DATABASE_URL=postgres://…)"
        )
    if importlib.util.find_spec("gunicorn") is None:
        pytest.skip(
            "gunicorn is not installed (`make install` installs the production extra)"
        )
    root = tmp_path_factory.mktemp("shared-state") / "static"
    environment = _environment(database_url, root, secrets.token_urlsafe(50))
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return root


@dataclass
class Deployment:
    """The servers' settings, on this test's own (migrated) PostgreSQL database,
    with an organisation, its administrator and the administrator's API token."""

    environment: dict[str, str]
    token: str
    logs: Path


@pytest.fixture
def deployment(static_root: Path, tmp_path: Path, transactional_db: None) -> Deployment:
    # Committed at once (a transactional test), so the servers see it; the test
    # database is emptied again after the test, once the servers have stopped.
    organisation = Organisation.objects.create(name="Shared Trust", slug=SLUG)
    hasher = PBKDF2PasswordHasher()  # the servers' hasher; few rounds, as it is a test
    user = User.objects.create_user(email=EMAIL)
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
    token = ApiToken.issue(user, "two servers")[1]
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database_url = urllib.parse.urlunsplit(
        parts._replace(path=f"/{connection.settings_dict['NAME']}")
    )
    secret = secrets.token_urlsafe(50)
    return Deployment(_environment(database_url, static_root, secret), token, tmp_path)


def _wait_until_healthy(server: Server, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"a server stopped ({server.process.returncode}):\n{log.read_text()}"
            )
        try:
            if server.request("/healthz").status == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.3)
    pytest.fail(f"/healthz never answered 200:\n{log.read_text()}")


@contextmanager
def _two_servers(
    deployment: Deployment, cache_url: str, address: str
) -> Iterator[tuple[Server, Server]]:
    """Servers A and B, each gunicorn with two workers, with ``OPENQI_CACHE_URL``
    set to ``cache_url`` (unset when empty: the production default)."""
    servers: list[Server] = []
    logs: list[Path] = []
    try:
        for name in ("a", "b"):
            port = _free_port()
            environment = {**deployment.environment, "OPENQI_BIND": f"127.0.0.1:{port}"}
            if cache_url:
                environment["OPENQI_CACHE_URL"] = cache_url
            log = deployment.logs / f"{name}-{port}.log"
            with log.open("wb") as output:
                process = subprocess.Popen(
                    GUNICORN,
                    cwd=REPO,
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            servers.append(Server(f"http://127.0.0.1:{port}", address, process))
            logs.append(log)
        for server, log in zip(servers, logs, strict=True):
            _wait_until_healthy(server, log)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            os.killpg(server.process.pid, signal.SIGTERM)
        for server in servers:
            server.process.wait(timeout=60)


def _sign_in(server: Server) -> dict[str, str]:
    page = server.request("/accounts/sign-in/")
    assert page.status == 200, page.body[:2000]
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert found, "the sign-in page should carry a CSRF token"
    cookies = dict(page.cookies)
    answer = server.request(
        "/accounts/sign-in/",
        method="POST",
        cookies=cookies,
        form={
            "csrfmiddlewaretoken": found.group(1).decode(),
            "login": EMAIL,
            "password": PASSWORD,
        },
    )
    assert answer.status == 302, answer.body[:2000]
    assert "sessionid" in answer.cookies
    return {**cookies, **answer.cookies}


PRIORITIES = f"/api/v1/organisations/{SLUG}/priorities"


def _titles(answer: Answer) -> list[str]:
    assert answer.status == 200, answer.body[:2000]
    return [item["title"] for item in answer.json()["items"]]


def _redis_server() -> str | None:
    return shutil.which("redis-server")


@contextmanager
def _redis() -> Iterator[str]:
    """A Redis of the test's own on a free loopback port, keeping nothing on disk."""
    port = _free_port()
    process = subprocess.Popen(
        [
            str(_redis_server()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server never answered")
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def _cache(kind: str) -> Iterator[str]:
    if kind == "redis":
        if _redis_server() is None:
            pytest.skip(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        if importlib.util.find_spec("redis") is None:
            pytest.skip(
                "the redis package is not installed (the production extra has it)"
            )
        with _redis() as url:
            yield url
    else:
        yield ""  # no OPENQI_CACHE_URL: the production default, the database


@pytest.mark.parametrize(
    ("kind", "address"),
    [("database (the default)", "203.0.113.10"), ("redis", "203.0.113.11")],
)
def test_a_change_through_one_server_is_seen_at_once_through_the_other(
    deployment: Deployment, kind: str, address: str
) -> None:
    with (
        _cache(kind) as cache_url,
        _two_servers(deployment, cache_url, address) as (a, b),
    ):
        # Signed in through A, the same browser is signed in on B.
        session = _sign_in(a)
        before = _titles(b.request(PRIORITIES, cookies=session))

        # A priority created through A with an API token is listed by B at once.
        title = f"Shared through {kind}"
        created = a.request(
            PRIORITIES,
            method="POST",
            token=deployment.token,
            data={"title": title, "period_start": "2026-04-01"},
        )
        assert created.status == 201, created.body[:2000]
        assert _titles(b.request(PRIORITIES, cookies=session)) == sorted(
            [*before, title]
        )
        assert _titles(b.request(PRIORITIES, token=deployment.token)).count(title) == 1

        # Signed out through B, the session no longer works on A.
        signed_out = b.request("/accounts/sign-out/", method="POST", cookies=session)
        assert signed_out.status == 302, signed_out.body[:2000]
        assert a.request(PRIORITIES, cookies=session).status == 401

        # Bad tokens sent through A (either worker) spend the address's allowance on
        # B too: B refuses even a good token from that address, as A does.
        for _ in range(BAD_TOKENS_PER_MINUTE):
            assert a.request(PRIORITIES, token="oqi_not-a-token").status == 401
        assert b.request(PRIORITIES, token=deployment.token).status == 429
        assert a.request(PRIORITIES, token=deployment.token).status == 429
        # Another address is not affected.
        other = Server(b.base, "198.51.100.7", b.process)
        assert other.request(PRIORITIES, token=deployment.token).status == 200


def test_with_each_process_memory_the_servers_count_rate_limits_apart(
    deployment: Deployment,
) -> None:
    """The control: with OPENQI_CACHE_URL=locmem the allowance spent through A is
    unknown to B, which is what the shared caches above put right."""
    with _two_servers(deployment, "locmem", "203.0.113.12") as (a, b):
        for _ in range(BAD_TOKENS_PER_MINUTE):
            assert a.request(PRIORITIES, token="oqi_not-a-token").status == 401

        assert b.request(PRIORITIES, token=deployment.token).status == 200
