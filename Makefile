# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-browser test-postgres test-clock test-all system setup lint format bench bench-scale bench-profile clean

# The development set: production's requirements.txt plus the test and lint tools
# (requirements-dev.txt). A production server installs requirements.txt alone
# (docs/operations.md §1).
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Debian packages beyond Python (CJK font, Chromium, pango, poppler, rsync): installed when
# missing, as root or through passwordless sudo; otherwise it stops with the one command.
system:
	@bash scripts/system-deps

setup: system $(STAMP)

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --if-empty
	@# The job worker (huey, SQLite queue) runs beside the web server and stops with it.
	@# runserver is daphne's (first in INSTALLED_APPS): bangban/asgi.py, HTTP and the
	@# WebSockets of remote help on one port.
	$(PY) manage.py run_huey --workers 1 --worker-type thread --quiet & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# ruff (style and errors), mypy with django-stubs on the pure core ([tool.mypy] in
# pyproject.toml), import-linter's layer contracts (.importlinter).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache  # a stale cache once hid a cycle

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Fast checks: lint and every test but the browser ones, on SQLite.
test: lint
	BANGBAN_DATABASE_URL= $(PY) -m pytest -m "not browser"

# The browser tests (Debian's Chromium driven by Playwright), on SQLite.
test-browser: setup
	BANGBAN_DATABASE_URL= $(PY) -m pytest -m browser

# The whole suite on PostgreSQL: BANGBAN_DATABASE_URL names one (scripts/postgres-start).
test-postgres: setup
	@if [ -z "$$BANGBAN_DATABASE_URL" ]; then echo "请设置 BANGBAN_DATABASE_URL，例如：export BANGBAN_DATABASE_URL=\$$(bash scripts/postgres-start)"; exit 1; fi
	@echo "== PostgreSQL: $$BANGBAN_DATABASE_URL" | sed 's#//[^@]*@#//***@#'
	$(PY) -m pytest

# The fast checks again with the clock moved to the first working day of 2027, so a test
# that only passes on the day it was written fails here first.
TEST_TODAY ?= 2027-01-04
test-clock: setup
	BANGBAN_DATABASE_URL= BANGBAN_TEST_TODAY=$(TEST_TODAY) $(PY) -m pytest -m "not browser"

# Everything .ci/run runs: fast checks, browsers, PostgreSQL, the moved clock.
test-all: test test-browser test-postgres test-clock

# The benchmarks live in bench/, outside the package (docs/BENCHMARKS.md).
bench: setup
	$(PY) -m bench

# The scale profile (docs/operations.md 规模配置): PostgreSQL and Redis from scripts/, a
# database of its own (bangban_scale), gunicorn and a job worker in production mode, HTTP
# load. Needs root for the scripts on a fresh machine; e.g. SCALE_ARGS="--sizes 100000 --drop".
SCALE_ARGS ?=
bench-scale: setup
	$(PY) -m bench.scale $(SCALE_ARGS)

# Where each hot page's server time goes (SQL building, SQL, template, Python), in-process on
# a database bench-scale loaded; e.g. PROFILE_ARGS="--database bangban_scale --only home".
PROFILE_ARGS ?=
bench-profile: setup
	$(PY) -m bench.profile $(PROFILE_ARGS)

clean:
	rm -rf $(VENV) var
