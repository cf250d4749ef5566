# syntax=docker/dockerfile:1
# OpenQI's production image; docs/install.md ("In containers") says how to run it.
#   docker build -t openqi .
# Everything is installed at build time from the lock files; nothing is fetched
# when the container runs.

# 1. The front-end packages (nhsuk-frontend, htmx.org), exactly as package-lock.json says.
FROM node:22-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. The Python packages the application runs with, exactly as
# requirements/production.lock pins them and checked against its hashes, in a
# virtual environment; this layer is rebuilt only when the lock changes.
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /srv/openqi
COPY requirements/production.lock ./
RUN /opt/venv/bin/pip install --require-hashes -r production.lock

# 3. The application: the code, the packages, the collected static files.
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=openqi.web.settings \
    OPENQI_DEBUG=false
# Pango, HarfBuzz and a font for WeasyPrint, which lays out the board report's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --user-group --uid 10001 --no-create-home \
    --home-dir /srv/openqi --shell /usr/sbin/nologin openqi
WORKDIR /srv/openqi
COPY --from=python /opt/venv /opt/venv
COPY --from=frontend /build/node_modules ./node_modules
COPY . .
# The key only lets the settings load for collectstatic; the container needs its own.
RUN pip install --no-deps --no-cache-dir -e . \
    && OPENQI_SECRET_KEY=collectstatic-at-build-time-only \
       python manage.py collectstatic --no-input --verbosity 0 \
    && python -m compileall -q openqi
# Root owns the code; the application runs as openqi and writes nothing to disk.
USER openqi
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
    CMD ["/bin/sh", "/srv/openqi/docker/entrypoint.sh", "healthcheck"]
ENTRYPOINT ["/bin/sh", "/srv/openqi/docker/entrypoint.sh"]
CMD ["serve"]
