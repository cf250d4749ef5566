# OpenQI command menu. CI runs the same targets (see .ci/run).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORE_VENV := .venv-core
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-core test-full bench lint types check format clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Until the web application exists (issue 3), `make run` demonstrates the SPC
# command line on real public A&E data and writes the charts to out/.
run: install
	@mkdir -p out
	$(PY) -m openqi.demo_cli out

test: install test-core
	$(PY) -m pytest -n 2 -q --doctest-modules tests openqi/spc

# The SPC core's tests in a virtualenv holding only NumPy and pytest: proves the
# core needs nothing else. Tests that compare with other packages skip there.
$(CORE_VENV)/.installed-stamp: requirements.lock
	test -x $(CORE_VENV)/bin/python || $(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python -m pip install --quiet -c requirements.lock numpy pytest
	touch $@

test-core: $(CORE_VENV)/.installed-stamp
	cd tests/spc && PYTHONPATH=$(CURDIR) $(CURDIR)/$(CORE_VENV)/bin/python -m pytest -q -p no:cacheprovider --rootdir=. -c /dev/null .

# Byte-compile first: with PYTHONDONTWRITEBYTECODE set, every process would
# otherwise compile openqi from source and the CLI timing would measure that.
bench: install
	$(PY) -m compileall -q openqi
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

types: install
	$(VENV)/bin/mypy

check: lint types test

clean:
	rm -rf $(VENV) $(CORE_VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
