#!/usr/bin/env bash
# Installs the system packages `make test` needs on a fresh Debian machine (idempotent; a
# no-op when everything is present): gcc for -race, clang/llvm/libbpf-dev to regenerate the
# ebpf_sched receiver's BPF objects (check-generated compares them byte for byte, which holds
# with Debian 12's clang 14), PostgreSQL for the incident store's suite. `make test` runs it;
# as root it installs what is missing, otherwise it names the packages and stops.
set -euo pipefail
need=()
for cmd in gcc make git clang; do
  command -v "$cmd" >/dev/null || need+=("$cmd")
done
command -v llvm-strip >/dev/null || need+=(llvm)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
# The incident store's conformance suite runs against a real PostgreSQL server
# (scripts/postgres-test-server.sh starts a throwaway one).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "ci-deps: missing ${need[*]}; run as root or install them (apt-get install ${need[*]})" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
