#!/usr/bin/env bash
# Fails if `make generate` changes any file: generated code (mdatagen, bpf2go, ocb output)
# and go.mod/go.sum must be committed as the generators write them. Compares content
# hashes of the work tree before and after, so it works on a dirty tree too and leaves the
# regenerated files in place for review.
set -euo pipefail
snapshot() {
  find . \( -path ./.git -o -path ./.tools -o -path ./bin -o -path ./data \) -prune -o -type f -print0 |
    sort -z | xargs -0 sha256sum
}
before=$(mktemp); after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot >"$before"
make --no-print-directory generate >/dev/null
snapshot >"$after"
if ! diff -q "$before" "$after" >/dev/null; then
  echo "check-generated: these files are stale; 'make generate' rewrote them, review and commit:" >&2
  diff "$before" "$after" | awk '/^[<>]/ {print "  " $3}' | sort -u >&2
  exit 1
fi
echo "check-generated: generated files are current"
