# Specwise. `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# The first Python >= 3.12 on the machine (pyenv honours .python-version).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.14; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
PYTEST_ARGS ?=

.PHONY: install run serve test lint format admin bench bench-import clean

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Specwise needs Python 3.12 or newer (Django 6.1). Install it (e.g. 'pyenv install 3.13') and run make again."; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production-like: settings from the environment (config.production), static files
# collected and served by whitenoise, gunicorn in front, and the task worker (imports in
# the admin) beside it, stopped with it.
serve: install
	DJANGO_SETTINGS_MODULE=config.production $(BIN)/python manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=config.production $(BIN)/python manage.py migrate --noinput
	export DJANGO_SETTINGS_MODULE=config.production; \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/gunicorn config.wsgi \
		--bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

admin: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Synthetic catalog (10,000 devices, 20,000 articles) behind gunicorn; see scripts/bench.py.
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# Import the real third-party catalog (../shared/real_catalog) into a scratch database, twice.
bench-import: install
	$(BIN)/python scripts/bench_import.py
