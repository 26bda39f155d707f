#!/usr/bin/env bash
# Regenerates cmd/otelcol-aiops from builder-config.yaml with the pinned ocb and merges the
# distribution's modules into the root go.mod (see internal/tools/distmod for why).
# Usage: scripts/generate-distribution.sh <path to ocb> [output dir]
# With an output dir, only writes the sources there (used by check-generated.sh).
set -euo pipefail
ocb=$1
out=${2:-cmd/otelcol-aiops}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ocb resolves the manifest in a module of its own with its strict version check on;
# --output-path keeps that module (its go.mod) out of the repository.
"$ocb" --config builder-config.yaml --skip-compilation --skip-strict-versioning=false --output-path "$tmp" >"$tmp.log" 2>&1 ||
  { cat "$tmp.log"; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
mkdir -p "$out"
cp "$tmp"/*.go "$out"/
# ocb's templates are not gofmt-clean; formatting keeps the output deterministic and lint-clean.
gofmt -w "$out"/*.go
[ "$out" = cmd/otelcol-aiops ] || exit 0

go run ./internal/tools/distmod -from "$tmp/go.mod" -to go.mod
go mod tidy
go run ./internal/tools/distmod -from "$tmp/go.mod" -check
