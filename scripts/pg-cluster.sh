#!/usr/bin/env bash
# Start or stop a throwaway PostGIS cluster for the test suite.
#   scripts/pg-cluster.sh start DIR   -> prints the database URL on stdout
#   scripts/pg-cluster.sh stop DIR
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"; chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  psql -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE geoapp_test" >/dev/null
  psql -q -h 127.0.0.1 -p "$port" -U postgres -d geoapp_test -c "CREATE EXTENSION postgis" >/dev/null
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/geoapp_test"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
