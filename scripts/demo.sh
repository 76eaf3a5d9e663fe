#!/usr/bin/env bash
# `make demo`: tally on the bundled example repository (example-repo/).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/tally}
REPO=example-repo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step tally --version
"$BIN" --version

step tally fmt --check "$REPO"
"$BIN" fmt --check "$REPO"

step tally parse "$REPO/customers/C-0042.yaml"
"$BIN" parse "$REPO/customers/C-0042.yaml"

step tally parse --format json "$REPO/staff/S-0012.yaml"
"$BIN" parse --format json "$REPO/staff/S-0012.yaml"

step "tally parse --format json $REPO/**/*.yaml | wc -l"
mapfile -t files < <(find "$REPO" -name '*.yaml' | sort)
"$BIN" parse --format json "${files[@]}" | wc -l

echo
echo "demo: all ${#files[@]} example records parse and are in canonical form"
