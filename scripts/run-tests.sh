#!/usr/bin/env bash
# Run the whole suite: lint, then pytest against SpatiaLite and a throwaway PostGIS
# cluster (started here, stopped on exit), with browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

pgdir=$(mktemp -d /tmp/geoapp-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pgdir"' EXIT
GEOAPP_TEST_POSTGIS_URL=$(scripts/pg-cluster.sh start "$pgdir")
export GEOAPP_TEST_POSTGIS_URL
export GEOAPP_TEST_CHROMIUM=${GEOAPP_TEST_CHROMIUM:-/usr/bin/chromium}
echo "PostGIS test cluster: $GEOAPP_TEST_POSTGIS_URL"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/mypy
.venv/bin/python -m pytest --durations=25 "$@"
