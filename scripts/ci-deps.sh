#!/usr/bin/env bash
# Installs the system packages `make test` and its PostgreSQL suite need on a fresh Debian
# machine (idempotent; a no-op when everything is present). Run as root, as CI does.
set -euo pipefail
need=()
for cmd in gcc make git; do
  command -v "$cmd" >/dev/null || need+=("$cmd")
done
# The incident store's conformance suite runs against a real PostgreSQL server
# (scripts/postgres-test-server.sh starts a throwaway one).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "ci-deps: missing ${need[*]}; run as root or install them" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
