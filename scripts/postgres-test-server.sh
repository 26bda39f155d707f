#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the store's conformance tests and prints the
# environment line that enables them; `stop` removes it again.
#   eval "$(scripts/postgres-test-server.sh start)"   # exports AIOPS_TEST_POSTGRES_DSN
#   scripts/postgres-test-server.sh stop
# Uses Debian's postgresql package (scripts/ci-deps.sh installs it). The cluster lives in
# a directory of its own owned by the postgres user, listens on loopback only, and trusts
# local connections: it is for tests, never for data.
set -euo pipefail
dir=${AIOPS_PG_DIR:-/tmp/otelcol-aiops-pg}
port=${AIOPS_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "postgres-test-server: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi; }

case "${1:-}" in
start)
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir" && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir" -U postgres -A trust --no-sync >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
  fi
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='aiops_test'" | grep -q 1 ||
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres aiops_test
  echo "export AIOPS_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:$port/aiops_test?sslmode=disable"
  ;;
stop)
  [ -f "$dir/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop" >&2; exit 2
  ;;
esac
