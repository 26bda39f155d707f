#!/usr/bin/env bash
# make demo: runs the collector on configs/demo.yaml in a throwaway directory, replays a generated
# alert storm into it over OTLP and shows, through the incident API, the one incident the
# storm became, next to the root cause that was injected. Uses the quickstart's default
# ports (stop `make run` first). DEMO_SEED picks another storm.
set -euo pipefail
bin=${1:?usage: demo.sh <collector binary>}
dir=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/api-token"
chmod 600 "$dir/api-token"

echo "starting the collector (configs/demo.yaml, state in $dir, log in $dir/collector.log)"
AIOPS_DATA_DIR=$dir "$bin" --config configs/demo.yaml >"$dir/collector.log" 2>&1 &
pid=$!

if ! go run ./processor/correlationprocessor/internal/cmd/stormreplay \
  -endpoint "${AIOPS_OTLP_GRPC_ENDPOINT:-localhost:4317}" -seed "${DEMO_SEED:-20}" \
  -api "http://${AIOPS_API_ENDPOINT:-localhost:8089}" -token-file "$dir/api-token"; then
  echo "--- collector log ---"; tail -50 "$dir/collector.log"; exit 1
fi
