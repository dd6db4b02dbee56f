# The README's two commands: `make run` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
ARTIFACTS ?= test-artifacts

.PHONY: run serve test test-sqlite test-postgres install install-test chromium postgres-server \
	redis-server bench clean \
	translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Compiled catalogues (.mo) are built here, never committed; a failure stops the install.
install: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d pos_notes/translations --statistics
	@for po in pos_notes/translations/*/LC_MESSAGES/messages.po; do \
		test "$${po%.po}.mo" -nt "$$po" || { echo "$$po was not compiled" >&2; exit 1; }; done

# After adding or changing UI text: extract the Spanish msgids from code and templates and
# merge them into each catalogue; then translate the empty msgstr (tests/test_i18n.py lists them).
POT := $(VENV)/messages.pot
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project pos_notes -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d pos_notes/translations --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d pos_notes/translations --statistics

install-test: $(VENV)/.installed-test install

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "pos_notes on http://$(HOST):$(PORT)/ (log in with a demo user above; Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Chromium from Debian's packages: Playwright drives it; no browser download.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The production server: gunicorn with $(WORKERS) workers, after migrating the configured
# database (POS_NOTES_SQLALCHEMY_DATABASE_URI and the rest of POS_NOTES_* are honoured).
serve: install
	$(FLASK) db upgrade
	@echo "pos_notes (gunicorn, $(WORKERS) workers) on http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'app:app'

# PostgreSQL server binaries from Debian's packages; the tests start their own server.
postgres-server:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# Redis from Debian's packages: the tests of several app servers start their own.
redis-server:
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# The whole suite twice: on SQLite files, then on a PostgreSQL server the tests start.
test: test-sqlite test-postgres
	@echo "Screenshots of the main screens: $(ARTIFACTS)/screenshots"

test-sqlite: install-test chromium redis-server
	SCREENSHOTS_DIR=$(ARTIFACTS)/screenshots $(BIN)/pytest

test-postgres: install-test chromium postgres-server redis-server
	POS_NOTES_TEST_DB=postgresql SCREENSHOTS_DIR=$(ARTIFACTS)/screenshots-postgresql $(BIN)/pytest

clean:
	rm -rf $(VENV) $(ARTIFACTS)

# Throwaway database at shop-years scale, served by gunicorn; figures in docs/PERFORMANCE.md.
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
