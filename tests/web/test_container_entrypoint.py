"""The container's entrypoint serves OpenQI in production mode with gunicorn.

Docker is not on every machine that runs the suite, so this runs what the image runs
(docker/entrypoint.sh: migrate, then gunicorn with openqi/web/gunicorn_config.py)
straight from the checkout, against a scratch PostgreSQL database, with
``OPENQI_DEBUG=false`` and the static files collected as the image's build collects
them. It waits for /healthz, then fetches a page and a fingerprinted static file.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from tests.web.scratch_database import POSTGRES_URL, postgres_answers, scratch_postgres

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
#: How long gunicorn may take to migrate an empty database and start.
STARTUP_LIMIT_SECONDS = 180

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("gunicorn") is None,
        reason="gunicorn is not installed (`make install` installs the production extra)",
    ),
    pytest.mark.skipif(
        os.environ.get("CI") != "true" and not postgres_answers(),
        reason=f"PostgreSQL does not answer at {POSTGRES_URL}",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str, static_root: Path, port: int) -> dict[str, str]:
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
        "OPENQI_DEBUG": "false",
        "OPENQI_SECRET_KEY": secrets.token_urlsafe(50),
        "OPENQI_ALLOWED_HOSTS": "127.0.0.1",
        # As behind the TLS proxy: requests say they came over HTTPS.
        "OPENQI_BEHIND_PROXY": "true",
        "OPENQI_STATIC_ROOT": str(static_root),
        "OPENQI_BIND": f"127.0.0.1:{port}",
        "OPENQI_WORKERS": "2",
    }


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait_for_health(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"the entrypoint stopped ({server.returncode}):\n{log.read_text()}"
            )
        try:
            if _get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.5)
    pytest.fail(f"/healthz never answered 200:\n{log.read_text()}")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, str]]]:
    """The entrypoint serving on a free port; yields its address and environment."""
    tmp_path = tmp_path_factory.mktemp("container")
    port = _free_port()
    with scratch_postgres() as database_url:
        environment = _environment(database_url, tmp_path / "static", port)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=REPO,
            env=environment,
            check=True,
            timeout=300,
        )
        log = tmp_path / "server.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                ["/bin/sh", str(ENTRYPOINT)],
                cwd=tmp_path,  # the entrypoint finds the code itself
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for_health(base, server, log)
            yield base, environment
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)


def test_the_entrypoint_migrates_then_serves_pages_and_static_files(
    served: tuple[str, dict[str, str]],
) -> None:
    base, _ = served

    status, headers, body = _get(base + reverse("accounts:sign_in"))

    assert status == 200, body[:2000]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    stylesheet = re.search(rb'href="(/static/core/openqi\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page should link the fingerprinted stylesheet"
    status, headers, css = _get(base + stylesheet.group(1).decode())
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert b".htmx-indicator" in css


def test_the_nhs_frontend_module_and_what_it_imports_are_served(
    served: tuple[str, dict[str, str]],
) -> None:
    base, _ = served
    _, _, body = _get(base + reverse("accounts:sign_in"))
    script = re.search(rb'src="(/static/core/frontend\.[0-9a-f]{12}\.js)"', body)
    assert script, "the page should load the fingerprinted frontend module"

    status, headers, source = _get(base + script.group(1).decode())
    imported = re.search(rb'from "([^"]+)"', source)

    assert status == 200 and imported
    module = urllib.parse.urljoin(script.group(1).decode(), imported.group(1).decode())
    status, headers, _ = _get(base + module)
    assert status == 200, module
    assert "javascript" in headers["Content-Type"]


def test_the_image_health_check_passes_while_the_server_answers(
    served: tuple[str, dict[str, str]],
) -> None:
    _, environment = served

    done = subprocess.run(
        ["/bin/sh", str(ENTRYPOINT), "healthcheck"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr


def test_the_image_health_check_fails_when_nothing_answers(tmp_path: Path) -> None:
    environment = _environment("sqlite://", tmp_path, _free_port())

    done = subprocess.run(
        ["/bin/sh", str(ENTRYPOINT), "healthcheck"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1
    assert "no answer" in done.stderr
