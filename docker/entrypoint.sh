#!/bin/sh
# The container's entrypoint (Dockerfile, compose.yaml; docs/install.md).
#
#   serve        (the default) migrate the database (which also creates the table
#                of the database cache, OPENQI_CACHE_URL=db), then serve with gunicorn
#   scheduler    run the scheduled commands once a day, for ever
#   imports      read, check and save uploaded data files (manage.py run_imports)
#   healthcheck  exit 0 when /healthz answers 200 (the image's HEALTHCHECK)
#   anything else is run as it is: `python manage.py create_organisation ...`
#
# Settings come from the environment (docs/configuration.md); gunicorn's from
# openqi/web/gunicorn_config.py.
set -eu
cd "$(dirname "$0")/.."

case "${1:-serve}" in
serve)
    python manage.py migrate --no-input
    exec gunicorn --config python:openqi.web.gunicorn_config openqi.web.wsgi
    ;;
scheduler)
    # Stop at once when the container is stopped, even while sleeping.
    trap 'exit 0' TERM INT
    while :; do
        # Expired sign-in sessions, and uploads never committed, are deleted.
        for command in clearsessions clear_expired_imports; do
            python manage.py "$command" || echo "scheduler: $command failed" >&2
        done
        sleep 86400 &
        wait $!
    done
    ;;
imports)
    # The web server only queues uploads (OPENQI_IMPORTS_IN_PROCESS is off):
    # this does the reading, checking and saving, and stops when told to.
    exec python manage.py run_imports
    ;;
healthcheck)
    exec python -m openqi.web.healthcheck
    ;;
*)
    exec "$@"
    ;;
esac
