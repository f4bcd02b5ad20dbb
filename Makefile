# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint format bench bench-scale clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --if-empty
	@# The job worker (huey, SQLite queue) runs beside the web server and stops with it.
	$(PY) manage.py run_huey --workers 1 --worker-type thread --quiet & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The whole suite on SQLite, and again on PostgreSQL when BANGBAN_DATABASE_URL names one.
test: lint
	BANGBAN_DATABASE_URL= $(PY) -m pytest
	@if [ -n "$$BANGBAN_DATABASE_URL" ]; then echo "== PostgreSQL: $$BANGBAN_DATABASE_URL" | sed 's#//[^@]*@#//***@#'; $(PY) -m pytest; fi

bench: setup
	$(PY) -m bangban.bench

# The scale profile (docs/operations.md 规模配置): PostgreSQL and Redis from scripts/, a
# database of its own (bangban_scale), gunicorn and a job worker in production mode, HTTP
# load. Needs root for the scripts on a fresh machine; e.g. SCALE_ARGS="--sizes 100000 --drop".
SCALE_ARGS ?=
bench-scale: setup
	$(PY) -m bangban.scale $(SCALE_ARGS)

clean:
	rm -rf $(VENV) var
