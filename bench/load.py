"""Pages under load (issue 11): gunicorn on PostgreSQL serving the large demo to 1, 4
and 16 signed-in users at once.

A dedicated database (``openqi_bench_load``) is created on the PostgreSQL server of
``POSTGRES_URL`` (the Makefile's; by default the role openqi on 127.0.0.1:5432, which
needs CREATEDB), migrated and given the large demo organisation, then dropped at the
end. gunicorn serves it on a free loopback port with production settings (``DEBUG``
off, static files collected into a temporary folder) and two sync workers, one per
core of the 2-core reference machine, with Redis for the cache, sessions and rate
limits as compose.yaml runs it (a Redis of its own on a free port, keeping nothing on
disk; the database cache when redis-server or the redis package is missing). Each
simulated user is a thread that opens a connection for each request (a bare socket,
as a sync worker closes it after every response) and sends the same signed-in
session cookie, one request after another, for
:data:`SECONDS` per page and level. The load generator runs on the same cores as the
server, as a browser on a laptop would not: the figures are a floor, not a ceiling.

The printed table puts each page's requests/s, 50th, 95th and 99th percentiles and
errors side by side, each also as a ratio to the organisation page (the baseline:
the smallest signed-in page). When PostgreSQL is not reachable the benchmark says so
and is skipped. ``OPENQI_BENCH_LOAD_SECONDS`` changes the time per page and level.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from bench.report import Row, si

__all__ = ["LEVELS", "SECONDS", "load_test"]

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
#: Concurrent users; the targets are for 1 and 16.
LEVELS = (1, 4, 16)
#: Seconds of load per page and level (10 pages × 3 levels: about two minutes).
SECONDS = float(os.environ.get("OPENQI_BENCH_LOAD_SECONDS", "4"))
WORKERS = 2
DATABASE = "openqi_bench_load"
ADMIN = "amara.okonkwo-hale@riverside.example.org"
#: Signs in for the system's own pages (a role in the system organisation).
SYSTEM_ADMIN = "ottilie.vance-harper@riversidewolds.example.org"
#: The targets of issue 11 for the main pages (the API lists are reported only).
P95_ONE_MS = 150.0
P95_SIXTEEN_MS = 400.0
RATE_SIXTEEN = 60.0
BASELINE = "organisation page"


@dataclass
class Result:
    """What one page answered at one level."""

    times_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.times_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.times_ms, q)) if self.times_ms else float("nan")


def _admin_url() -> str:
    return os.environ.get(
        "POSTGRES_URL", "postgres://openqi:openqi@127.0.0.1:5432/openqi"
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _reachable(url: str) -> str:
    """ "" when PostgreSQL answers at ``url``, else why not."""
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2
        ):
            pass
    except OSError as error:
        return f"PostgreSQL is not reachable at {parts.hostname}:{parts.port}: {error}"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return ""


def _admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.encode())  # the bench's own constant statements


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(database_url: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="openqi.web.settings",
        DATABASE_URL=database_url,
        OPENQI_DEBUG="false",
        OPENQI_SECRET_KEY="openqi-bench-load-not-a-secret-0123456789abcdefghijkl",
        OPENQI_SECURE_SSL_REDIRECT="false",
        OPENQI_ALLOWED_HOSTS="127.0.0.1,localhost",
        OPENQI_STATIC_ROOT=static_root,
        OPENQI_LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


def _redis(port: int) -> subprocess.Popen[bytes] | None:
    """A Redis on ``port`` keeping nothing on disk, as compose.yaml runs beside the
    app (cache, sessions, rate limits); None when redis-server or the redis package
    is missing, and the database cache serves instead."""
    server = shutil.which("redis-server")
    if server is None or importlib.util.find_spec("redis") is None:
        return None
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("redis-server did not answer within 30 s")


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        args, env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def prepare() -> None:
    """In the server's environment: a session for the demo administrator and the pages'
    paths, as JSON on standard output (run by :func:`load_test` in a subprocess)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from openqi.accounts.models import User
    from openqi.benchmark.models import Benchmark
    from openqi.measures.models import Measure
    from openqi.projects.models import Project

    client = Client()
    client.force_login(User.objects.get(email=ADMIN))
    slug = {"slug": "riverside"}
    measure = (
        Measure.objects.filter(organisation__slug="riverside", name__contains=" – ")
        .order_by("pk")
        .first()
    )
    project = (
        Project.objects.filter(
            organisation__slug="riverside", measure_links__isnull=False
        )
        .order_by("pk")
        .first()
    )
    if measure is None or project is None:
        raise RuntimeError("the large demo has no measure or project")
    pages = {
        BASELINE: reverse("organisations:detail", kwargs=slug),
        "home": reverse("core:home"),
        "home dashboard": reverse("reports:home", kwargs=slug),
        "portfolio": reverse("portfolio:portfolio", kwargs=slug),
        "measures overview": reverse("measures:overview", kwargs=slug),
        "project page": reverse("projects:detail", kwargs={**slug, "pk": project.pk}),
        "measure page": reverse("measures:detail", kwargs={**slug, "pk": measure.pk}),
        "journey": reverse("journey:overview", kwargs=slug),
        "audit trail": reverse("audit:log", kwargs=slug),
        "capability": reverse("capability:coverage", kwargs=slug),
        "learning by doing": reverse("capability:doing", kwargs=slug),
        "sustaining by score": reverse("sustainability:portfolio", kwargs=slug),
        "project sustainability": reverse(
            "sustainability:project", kwargs={**slug, "pk": project.pk}
        ),
        "programme return": reverse("value:programme", kwargs=slug),
        "project benefits": reverse(
            "value:benefits", kwargs={**slug, "pk": project.pk}
        ),
        "spread of changes": reverse("improvement:spread", kwargs=slug),
        "benchmark: national funnel": reverse(
            "benchmark:detail",
            kwargs={**slug, "pk": Benchmark.objects.get(key="ae-4-hour").pk},
        ),
        "API: projects": reverse("api:projects", kwargs=slug),
        "API: measures": reverse("api:measures", kwargs=slug),
    }
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    # The system's pages, as someone with a role in the system organisation.
    system = Client()
    system.force_login(User.objects.get(email=SYSTEM_ADMIN))
    system_slug = {"slug": "riverside-wolds"}
    as_system = {
        "system portfolio": reverse("system:portfolio", kwargs=system_slug),
        "library search": reverse("library:search", kwargs=system_slug) + "?q=falls",
    }
    pages.update(as_system)
    other = f"{settings.SESSION_COOKIE_NAME}={system.cookies[settings.SESSION_COOKIE_NAME].value}"
    cookies = {path: other for path in as_system.values()}
    json.dump({"cookie": cookie, "pages": pages, "cookies": cookies}, sys.stdout)


def _wait_for(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


def _first_answer(port: int, path: str, cookie: str) -> int:
    """The status ``path`` answers: 200, or a redirect that is not to the sign-in page
    (the home page sends a member of one organisation to it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    connection.close()
    location = response.getheader("Location") or ""
    if response.status == 200 or (response.status == 302 and "sign" not in location):
        return response.status
    raise RuntimeError(f"{path} answered {response.status} {location}")


def _request_bytes(path: str, cookie: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        "Accept: text/html,*/*\r\nConnection: close\r\n\r\n"
    ).encode()


def _fetch(port: int, request: bytes) -> bytes:
    """One request on a connection of its own, read to its end: the status line.

    gunicorn's sync workers close the connection after every response, so the
    client does too; a bare socket costs the load generator a fraction of what
    ``http.client`` costs (it parses every header), and the generator shares the
    server's two cores."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        first = connection.recv(65536)
        while connection.recv(65536):
            pass
    return first.split(b"\r\n", 1)[0]


def _hammer(
    port: int, path: str, cookie: str, users: int, seconds: float, expect: int = 200
) -> Result:
    """``users`` threads requesting ``path`` back to back for ``seconds``."""
    result = Result()
    lock = threading.Lock()
    request = _request_bytes(path, cookie)
    status = f" {expect} ".encode()
    start = threading.Barrier(users + 1)
    stop_at = [0.0]

    def user() -> None:
        times: list[float] = []
        errors = 0
        first = ""
        start.wait()
        while (now := time.perf_counter()) < stop_at[0]:
            try:
                line = _fetch(port, request)
                ok = status in line
                if not ok and not first:
                    first = line.decode(errors="replace")
            except OSError as error:
                ok = False
                first = first or repr(error)
            if ok:
                times.append((time.perf_counter() - now) * 1000)
            else:
                errors += 1
        with lock:
            result.times_ms.extend(times)
            result.errors += errors
            result.first_error = result.first_error or first

    threads = [threading.Thread(target=user, daemon=True) for _ in range(users)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def _ratio(value: float, base: float) -> str:
    if not base or value != value or base != base:
        return "-"
    return f"{value / base:.1f}×"


def _table(results: dict[tuple[str, int], Result], pages: list[str]) -> str:
    header = ["page", "users", "req/s", "×", "p50 ms", "×", "p95 ms", "×"]
    header += ["p99 ms", "×", "errors"]
    lines = [header]
    for users in LEVELS:
        base = results[(BASELINE, users)]
        for page in pages:
            r = results[(page, users)]
            cells = [page, str(users)]
            cells += [si(r.rate), _ratio(r.rate, base.rate)]
            for q in (50, 95, 99):
                cells += [
                    si(r.percentile(q)),
                    _ratio(r.percentile(q), base.percentile(q)),
                ]
            cells.append(str(r.errors))
            lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    return "\n".join([out[0], "-" * len(out[0]), *out[1:]])


def load_test() -> list[Row]:
    """Requests/s and percentiles of the main pages and API lists at 1, 4 and 16 users."""
    admin_url = _admin_url()
    why_not = _reachable(admin_url)
    if why_not:
        print(f"  skipped the load test: {why_not}", file=sys.stderr)
        return [Row("load: main pages", None, "ms", note=f"skipped: {why_not}")]
    database_url = _with_database(admin_url, DATABASE)
    drop = f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'
    _admin_sql(admin_url, drop)
    _admin_sql(admin_url, f'CREATE DATABASE "{DATABASE}"')
    server: subprocess.Popen[bytes] | None = None
    redis_port = _free_port()
    redis = _redis(redis_port)
    try:
        with tempfile.TemporaryDirectory(prefix="openqi-bench-static-") as static_root:
            env = _environment(database_url, static_root)
            if redis is not None:
                env["OPENQI_CACHE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            cache = "Redis" if redis is not None else "the database cache (no Redis)"
            python = sys.executable
            print("  load: migrating and building the large demo ...", file=sys.stderr)
            started = time.perf_counter()
            _run([python, "manage.py", "migrate", "-v0"], env)
            _run([python, "manage.py", "demo", "--size", "large"], env)
            _run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
            prepared = json.loads(
                _run([python, "-c", "from bench.load import prepare; prepare()"], env)
            )
            print(
                f"  load: ready in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            port = _free_port()
            server = subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "--config",
                    "python:openqi.web.gunicorn_config",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(WORKERS),
                    "--access-logfile",
                    "/dev/null",
                    "--error-logfile",
                    "-",
                    "openqi.web.wsgi",
                ],
                env=env,
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            _wait_for(port, server)
            return _measure(
                port,
                prepared["cookie"],
                prepared["pages"],
                cache,
                prepared.get("cookies", {}),
            )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=20)
        _admin_sql(admin_url, drop)


def _measure(
    port: int,
    default_cookie: str,
    paths: dict[str, str],
    cache: str,
    cookies: dict[str, str] | None = None,
) -> list[Row]:
    """Time each page as the person its path is signed in for (``cookies`` by path,
    else ``default_cookie``)."""
    cookies = cookies or {}

    def cookie_of(path: str) -> str:
        return cookies.get(path, default_cookie)

    expect = {
        page: _first_answer(port, path, cookie_of(path)) for page, path in paths.items()
    }
    # The home page redirects a member of one organisation to it: timed as a redirect.
    paths = {
        (page if expect[page] == 200 else f"{page} ({expect[page]})"): path
        for page, path in paths.items()
    }
    expect = dict(zip(paths, expect.values(), strict=True))
    pages = list(paths)
    for page in pages:  # every worker warms every page (and its caches) first
        path = paths[page]
        warm = _hammer(port, path, cookie_of(path), WORKERS * 2, 0.5, expect[page])
        if warm.errors:
            raise RuntimeError(f"{paths[page]} answered {warm.first_error}")
    results: dict[tuple[str, int], Result] = {}
    for users in LEVELS:
        for page in pages:
            print(f"  load: {page}, {users} users ...", file=sys.stderr, flush=True)
            results[(page, users)] = _hammer(
                port, paths[page], cookie_of(paths[page]), users, SECONDS, expect[page]
            )
    print()
    print(
        f"Pages under load: gunicorn, {WORKERS} sync workers, PostgreSQL, {cache}, "
        f"the large demo; {SECONDS:g} s per page and level; × is the ratio to the "
        f"{BASELINE}"
    )
    print(_table(results, pages))
    rows: list[Row] = []
    for page in pages:
        is_main = not page.startswith("API")
        one, sixteen = results[(page, 1)], results[(page, 16)]
        errors = sum(results[(page, n)].errors for n in LEVELS)
        first = next(
            (
                results[(page, n)].first_error
                for n in LEVELS
                if results[(page, n)].first_error
            ),
            "",
        )
        p95_one, p95_sixteen = one.percentile(95), sixteen.percentile(95)
        note = (
            f"1 user {si(one.rate)} req/s; 16 users {si(sixteen.rate)} req/s, "
            f"p95 {si(p95_sixteen)} ms; {errors} errors"
            + (f" ({first})" if first else "")
        )
        if is_main:
            is_met = (
                p95_one < P95_ONE_MS
                and p95_sixteen < P95_SIXTEEN_MS
                and sixteen.rate >= RATE_SIXTEEN
                and errors == 0
            )
            target = (
                f"< {P95_ONE_MS:g}; 16: < {P95_SIXTEEN_MS:g} ms, >= {RATE_SIXTEEN:g}/s"
            )
        else:
            is_met, target = None, ""
        rows.append(
            Row(f"load: {page}, 95th pct, 1 user", p95_one, "ms", target, is_met, note)
        )
    return rows
