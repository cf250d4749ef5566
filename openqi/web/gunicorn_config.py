"""gunicorn's settings in the container (docker/entrypoint.sh), from the environment.

``gunicorn --config python:openqi.web.gunicorn_config openqi.web.wsgi``. A setting
given on gunicorn's command line or in ``GUNICORN_CMD_ARGS`` wins over these.
"""

from __future__ import annotations

from pathlib import Path

from openqi.web.env import env_int, env_str

bind = [env_str("OPENQI_BIND", "0.0.0.0:8000")]
workers = env_int("OPENQI_WORKERS", 3)
# Seconds a request may take before its worker is restarted; an import of a large
# file is the slowest thing OpenQI does.
timeout = env_int("OPENQI_WORKER_TIMEOUT", 120)
# Load the application (and compile its templates: openqi/web/warm.py) once in the
# master, so every worker starts warm and shares those pages of memory.
preload_app = True
accesslog = "-"
errorlog = "-"
# Workers' heartbeat files in memory: a container's /tmp may be on a slow overlay.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
