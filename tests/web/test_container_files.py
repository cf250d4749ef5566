"""The Dockerfile and compose.yaml keep the promises docs/install.md makes of them.

Docker is not on every machine that runs the suite, so these read the files;
tests/web/test_container_entrypoint.py runs what the image runs.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (REPO / "compose.yaml").read_text(encoding="utf-8")


def _stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[1:]


def test_the_image_installs_front_end_and_python_packages_from_the_lock_files() -> None:
    stages = _stages()
    assert len(stages) >= 2
    assert any(s.startswith("node:") and "npm ci" in s for s in stages)
    assert any(
        "COPY requirements/production.lock" in s
        and "pip install --require-hashes -r production.lock" in s
        for s in stages
    )


def _pins(path: Path) -> dict[str, str]:
    """Package → version of a uv-compiled lock file, and a check that each pin has hashes."""
    pins: dict[str, str] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9_.-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{path.name}: {match[1]} has no hash"
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def test_the_lock_files_carry_hashes_and_agree_with_each_other() -> None:
    full = _pins(REPO / "requirements.lock")
    assert {"django", "numpy", "gunicorn", "pyarrow", "rules"} <= set(full)
    assert "uv pip compile" in (REPO / "requirements.lock").read_text(encoding="utf-8")
    for part in ("production.lock", "core.lock"):
        pins = _pins(REPO / "requirements" / part)
        assert pins, part
        assert {name: full.get(name) for name in pins} == pins, part
    assert "pyarrow" not in _pins(REPO / "requirements" / "production.lock")


def test_the_image_collects_static_files_and_runs_as_a_user_not_root() -> None:
    final = _stages()[-1]
    assert "collectstatic --no-input" in final
    users = re.findall(r"^USER (\S+)", final, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")


def test_the_image_health_check_and_entrypoint_use_the_entrypoint_script() -> None:
    entrypoint = REPO / "docker" / "entrypoint.sh"
    assert entrypoint.is_file()
    assert re.search(
        r"^HEALTHCHECK .*\n\s+CMD .*entrypoint\.sh.*healthcheck", DOCKERFILE, re.M
    )
    assert re.search(r"^ENTRYPOINT .*docker/entrypoint\.sh", DOCKERFILE, re.M)
    text = entrypoint.read_text(encoding="utf-8")
    assert "manage.py migrate" in text and "exec gunicorn" in text


def test_compose_runs_postgresql_with_a_volume_and_health_check_then_the_app() -> None:
    for service in ("db:", "app:", "scheduler:"):
        assert re.search(rf"^  {service}", COMPOSE, re.M), service
    assert "postgres-data:/var/lib/postgresql/data" in COMPOSE
    assert "pg_isready" in COMPOSE
    assert "condition: service_healthy" in COMPOSE
    assert 'command: ["scheduler"]' in COMPOSE


def test_compose_runs_redis_as_the_shared_cache_of_every_container() -> None:
    assert re.search(r"^  redis:\n    image: redis:7", COMPOSE, re.M)
    assert '"redis-cli", "ping"' in COMPOSE
    assert "OPENQI_CACHE_URL: ${OPENQI_CACHE_URL:-redis://redis:6379/0}" in COMPOSE
    assert re.search(
        r"^      redis:\n        condition: service_healthy", COMPOSE, re.M
    )


def test_the_build_leaves_out_local_environments_and_secrets() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", "node_modules", ".env", "*.sqlite3", ".git"):
        assert entry in ignored, entry
