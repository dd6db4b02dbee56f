# The README's two commands: `make run` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
ARTIFACTS ?= test-artifacts

.PHONY: run serve test test-sqlite test-postgres install install-test chromium postgres-server bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
	$(BIN)/pybabel compile -q -d pos_notes/translations 2>/dev/null || true

install-test: $(VENV)/.installed-test install

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "pos_notes on http://$(HOST):$(PORT)/ (log in with a demo user above; Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Chromium from Debian's packages: Playwright drives it; no browser download.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: install-test chromium
	SCREENSHOTS_DIR=$(ARTIFACTS)/screenshots $(BIN)/pytest
	@echo "Screenshots of the main screens: $(ARTIFACTS)/screenshots"

clean:
	rm -rf $(VENV) $(ARTIFACTS)

# Throwaway database at shop-years scale, served by gunicorn; figures in docs/PERFORMANCE.md.
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
