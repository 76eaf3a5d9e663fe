#!/usr/bin/env bash
# `make demo`: tally on the bundled example repository (example-repo/).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/${1:-.build/debug/tally}"
REPO=example-repo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step tally --version
"$BIN" --version

cd "$REPO"
step "cd $REPO && tally check"
"$BIN" check

step tally fmt --check
"$BIN" fmt --check

step tally parse customers/C-0042.yaml
"$BIN" parse customers/C-0042.yaml

step "tally check on a record with mistakes (in a scratch copy)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r . "$scratch/repo"
cat >"$scratch/repo/customers/C-0042.yaml" <<'RECORD'
name: 上海华信贸易有限公司
industry: 贸易
tier: A
stauts: prospect
owner: S-0099
contacts:
  - name: 李强
    phone: '1390000'
follow_ups:
  - date: 2026-02-30
    by: S-0012
    channel: phone
    summary: 介绍智能客服系统
RECORD
(cd "$scratch/repo" && "$BIN" check customers/C-0042.yaml) || true

step tally schema export --json-schema "$scratch/json-schema"
"$BIN" schema export --json-schema "$scratch/json-schema"

echo
echo "demo: example-repo holds $(find staff customers plans minutes -name '*.yaml' | wc -l) records; all check clean and are canonical"
