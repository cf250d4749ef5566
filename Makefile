# OpenQI command menu. CI runs the same targets (see .ci/run).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORE_VENV := .venv-core
STAMP := $(VENV)/.installed-stamp
# npm writes this file on every install, so it is as old as node_modules.
NODE_STAMP := node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium
# The PostgreSQL pass: Django creates (and drops) test_openqi, so the role needs CREATEDB.
POSTGRES_URL ?= postgres://openqi:openqi@127.0.0.1:5432/openqi

.PHONY: install run spc-walkthrough test test-core test-sqlite test-postgres test-browser \
	test-spark java-runtime \
	bench bench-load lint types migrations-check check format lock clean pdf-libraries

# Every package exactly as requirements.lock pins it, checked against its hashes;
# then OpenQI itself, editable, with nothing more. `make lock` regenerates the locks.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The lock file is committed; this only runs on a checkout that lost it.
package-lock.json:
	npm install --package-lock-only --no-audit --no-fund

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

# `make run PORT=8100` serves on another port; always on 127.0.0.1 only.
PORT ?= 8000

run: install pdf-libraries
	$(PY) manage.py migrate
	$(VENV)/bin/openqi demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The SPC walkthrough: the chart verbs on real public A&E data; writes the charts to out/.
spc-walkthrough: install
	@mkdir -p out
	$(PY) -m openqi.cli.walkthrough out

test: install pdf-libraries java-runtime test-core test-sqlite test-spark test-postgres test-browser

# openqi.spark runs on Apache Spark, which needs Java 17 or newer: Debian's
# openjdk-17-jre-headless. As root with apt-get (CI) it is installed when missing;
# otherwise make says how, and the Spark tests and benchmark skip (CI must have it).
JAVA_PACKAGE := openjdk-17-jre-headless
java-runtime:
	@version=$$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'); \
	if [ -z "$$version" ] || [ "$${version%%.*}" -lt 17 ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			mkdir -p /usr/share/man/man1; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends $(JAVA_PACKAGE); \
		else \
			echo "Java 17 is missing (found: $${version:-none}): the Spark tests skip. Install it: sudo apt-get install $(JAVA_PACKAGE)" >&2; \
			if [ "$${CI:-}" = true ]; then exit 1; fi; \
		fi; \
	fi

# The board report's PDF (WeasyPrint) needs Pango and HarfBuzz from the system, and
# its tests read the PDF with pdftotext (poppler-utils): Debian's package names.
# Without them the PDF download fails and its tests skip; CI must have them.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
pdf-libraries: install
	@missing=""; \
	$(PY) -c "import weasyprint" 2>/dev/null || missing="Pango and HarfBuzz for WeasyPrint (the board report's PDF)"; \
	command -v pdftotext >/dev/null || missing="$${missing:+$$missing, and }pdftotext (the PDF tests)"; \
	if [ -n "$$missing" ]; then \
		echo "Missing: $$missing. Install them: sudo apt-get install $(PDF_PACKAGES)" >&2; \
		if [ "$${CI:-}" = true ]; then exit 1; fi; \
	fi

# The SPC core's tests in a virtualenv holding only NumPy and pytest: proves the
# core needs nothing else. Tests that compare with other packages skip there.
$(CORE_VENV)/.installed-stamp: requirements/core.lock
	test -x $(CORE_VENV)/bin/python || $(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/core.lock
	touch $@

test-core: $(CORE_VENV)/.installed-stamp
	cd tests/spc && PYTHONPATH=$(CURDIR) $(CURDIR)/$(CORE_VENV)/bin/python -m pytest -q -p no:cacheprovider --rootdir=. -c /dev/null .

# Doctests only where they live: --doctest-modules over tests/ would import
# every helper module by its bare name, and tests/*/routes.py share one.
test-sqlite: install
	@echo "== the suite on SQLite"
	$(PY) -m pytest -n 2 -q -m "not browser and not spark" tests
	$(PY) -m pytest -q --doctest-modules openqi/spc

# openqi.spark against `openqi spc`, on a local Spark session (2 cores): in one
# process, so the session starts once. Needs Java 17 (java-runtime).
test-spark: install java-runtime
	@echo "== the Spark tests"
	$(PY) -m pytest -q -p no:xdist -m spark tests/spark

# Everything that touches the database, again on PostgreSQL; the SPC core
# (tests/spc) never does, so it is not run twice. CI must test both.
test-postgres: install
	@echo "== the suite on PostgreSQL"
	@if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then \
		DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest -n 2 -q -m "not browser and not spark" --ignore=tests/spc tests; \
	elif [ "$${CI:-}" = true ]; then \
		echo "PostgreSQL is not reachable on 127.0.0.1:5432, and CI must test on it" >&2; exit 1; \
	else \
		echo "PostgreSQL not running: skipped the PostgreSQL pass"; \
	fi

# Playwright drives Debian's Chromium; it never downloads a browser of its own.
test-browser: install
	@echo "== the browser tests"
	@if [ -x $(CHROMIUM) ]; then \
		OPENQI_TEST_DATABASE_FILE=$(CURDIR)/.browser-tests.sqlite3 \
			$(PY) -m pytest -q -p no:xdist -m browser tests/browser; \
	elif [ "$${CI:-}" = true ]; then \
		echo "$(CHROMIUM) is missing, and CI must run the browser tests" >&2; exit 1; \
	else \
		echo "Chromium not found at $(CHROMIUM): skipped the browser tests (apt-get install chromium)"; \
	fi

# Byte-compile first: with PYTHONDONTWRITEBYTECODE set, every process would
# otherwise compile openqi from source and the CLI timing would measure that.
bench: install java-runtime
	$(PY) -m compileall -q openqi
	$(PY) -m bench

# Only the load test (`make bench` runs it too): gunicorn on PostgreSQL, the large demo,
# 1, 4 and 16 users (bench/load.py); skipped when PostgreSQL is not reachable.
bench-load: install
	$(PY) -m compileall -q openqi
	POSTGRES_URL=$(POSTGRES_URL) $(PY) -m bench load_test

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_view_access.py
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

types: install
	$(VENV)/bin/mypy

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

check: lint types migrations-check test

# Regenerate the hashed lock files from pyproject.toml (needs PyPI and uv:
# `pip install uv`). uv keeps the versions already locked unless pyproject.toml
# needs others (`make lock UV_ARGS=--upgrade` moves everything to the newest);
# the sub-locks are held to the full one's versions. Commit all three files.
UV ?= uv
UV_COMPILE = $(UV) pip compile --quiet --generate-hashes --python-version 3.11 --universal $(UV_ARGS)
lock:
	$(UV_COMPILE) pyproject.toml --extra dev --extra production --extra parquet --extra spark \
		-o requirements.lock
	$(UV_COMPILE) pyproject.toml --extra production -c requirements.lock \
		-o requirements/production.lock
	$(UV_COMPILE) requirements/core.in -c requirements.lock -o requirements/core.lock

clean:
	rm -rf $(VENV) $(CORE_VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
