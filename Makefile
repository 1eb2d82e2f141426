# Two commands on a fresh machine with only Python >= 3.11:  `make run`  and  `make test`.
# Both create .venv, install the project (again only when pyproject.toml changed) and hand over to
# deploy/local.py, which brings up PostgreSQL and Redis (see deploy/README.md).

.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LAUNCH := $(PY) deploy/local.py
# Extra pytest arguments: make test ARGS='-k routing -x'
ARGS   ?=

# The first interpreter that really is Python >= 3.11 (a pyenv shim of a missing version fails the
# check and is skipped). Override with: make run PYTHON=/path/to/python3.12
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11); print(sys.executable)' 2>/dev/null && break; \
	done)

.PHONY: help install run test test-quick test-slow lint fmt bench messages clean-data

help:
	@echo "make run         demo city at http://127.0.0.1:8000/ (PostgreSQL + Redis + web + Celery; Ctrl-C stops all)"
	@echo "make test        the whole pytest suite (extra pytest arguments: ARGS='-k ...')"
	@echo "make test-quick  the quick loop: no browser, worker, faults, slow or bench tests"
	@echo "make test-slow   only the tests marked slow"
	@echo "make lint        ruff check + ruff format --check (what CI runs)"
	@echo "make fmt         ruff format + ruff check --fix"
	@echo "make bench       bench/onboard.py, routing.py, migrate.py (ARGS=--quick: every bench, small)"
	@echo "make messages    makemessages -l en + compilemessages"
	@echo "make clean-data  remove .data (refused while the embedded PostgreSQL runs)"
	@echo "make install     only create .venv and install the project"

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python >= 3.11 found (tried python3.13 python3.12 python3.11 python3)." >&2; exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	@"$(PYTHON)" -m venv $(VENV) || { \
		echo "Could not create $(VENV). On Debian/Ubuntu the venv module is the python3-venv package." >&2; \
		exit 1; }

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check $(if $(CI),--progress-bar off) -e '.[dev]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(LAUNCH) run

test: $(STAMP)
	$(LAUNCH) test $(ARGS)

test-quick: $(STAMP)
	$(LAUNCH) test-quick $(ARGS)

test-slow: $(STAMP)
	$(LAUNCH) test -m slow $(ARGS)

bench: $(STAMP)
	$(LAUNCH) bench $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

messages: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) -m django makemessages -l en --ignore=.venv --ignore=.data
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) -m django compilemessages --ignore=.venv --ignore=.data

# Standard library only: works without .venv.
clean-data:
	$(or $(wildcard $(PY)),python3) deploy/local.py clean-data
