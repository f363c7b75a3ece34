#!/usr/bin/env bash
# The embedded database of `make serve`: built from seeds/ when it is missing or was
# never set up (a file with no schema holds no data), migrated when its schema is older
# than the code. Data already in it are never thrown away.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-var/geoapp.sqlite}
shift || true
seeds=("$@")
geoapp() { GEOAPP_DATABASE_URL="sqlite:///$(realpath -m "$1")" .venv/bin/geoapp "${@:2}"; }

state=3
if [ -f "$db" ]; then
  state=0
  geoapp "$db" db status >/dev/null || state=$?
fi
case $state in
  0) ;;
  4) geoapp "$db" db init ;;
  3)
    # into a temporary file, so a failed build leaves nothing half-done behind
    mkdir -p "$(dirname "$db")"
    rm -f "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
    geoapp "$db.tmp" db init
    geoapp "$db.tmp" ingest "${seeds[@]}"
    mv "$db.tmp" "$db"
    ;;
  *) exit "$state" ;;
esac
