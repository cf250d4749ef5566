"""Django's deployment checks pass with production settings, and catch development ones.

Run as a subprocess: settings are read once per process, from the environment.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENQI_", "DATABASE_"))
    }
    clean["DJANGO_SETTINGS_MODULE"] = "openqi.web.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "OPENQI_DEBUG": "false",
    "OPENQI_SECRET_KEY": secrets.token_urlsafe(50),
    "OPENQI_ALLOWED_HOSTS": "example.org",
}


def test_check_deploy_is_clean_with_production_settings() -> None:
    done = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stderr + done.stdout


def test_check_deploy_warns_with_development_settings() -> None:
    # Proves the check above can fail: the defaults are for a laptop.
    done = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    assert "security.W018" in done.stderr  # DEBUG on


def test_production_without_a_secret_key_refuses_to_start() -> None:
    done = _manage("check", OPENQI_DEBUG="false", OPENQI_ALLOWED_HOSTS="example.org")
    assert done.returncode != 0
    assert "OPENQI_SECRET_KEY must be set" in done.stderr


def test_production_with_the_development_key_refuses_to_start() -> None:
    done = _manage(
        "check",
        OPENQI_DEBUG="false",
        OPENQI_ALLOWED_HOSTS="example.org",
        OPENQI_SECRET_KEY="django-insecure-openqi-development-only",
    )
    assert done.returncode != 0
    assert "OPENQI_SECRET_KEY is the published development key" in done.stderr


def test_development_may_use_the_development_key() -> None:
    done = _manage("check", OPENQI_SECRET_KEY="django-insecure-openqi-development-only")
    assert done.returncode == 0, done.stderr
