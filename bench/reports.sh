#!/usr/bin/env bash
# make bench-reports: every report for one quarter on the history benchmark's repository
# (bench/history-repo.sh makes it: 10k customers, 20k commits over two years), cold (no
# history cache and no record values: .git/tally/history-*, .git/tally/record-values) and
# with both warm, in the same run. Each report's JSON is kept in bench/out/reports/NAME.json.
#
# Goal (issue 6): with the cache warm, each report in under 1 second.
#
# Environment: BENCH_PERIOD (default 2026-Q2), BENCH_RUNS (default 3), and the repository's
# BENCH_CUSTOMERS, BENCH_COMMITS, BENCH_SEED (bench/history-repo.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
period="${BENCH_PERIOD:-2026-Q2}"
runs="${BENCH_RUNS:-3}"
out="$root/bench/out/reports"
mkdir -p "$out"
source "$root/bench/lib.sh"
build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
# The history benchmark's repository, made again when the generator or its parameters
# changed (BENCH_CUSTOMERS, BENCH_COMMITS, BENCH_SEED: see bench/history-repo.sh).
repo="$(bash bench/history-repo.sh "$root/$scratch/release/tally-bench")"
cd "$repo"
export TALLY_TODAY=2026-12-31
reports=$("$tally" report --list | awk '{print $1}')

wall() { # command...: prints wall seconds
  local TIMEFORMAT=%3R t
  t=$({ time "$@" >"$out/last.txt" 2>"$out/last.err"; } 2>&1) || { echo "bench: failed: $*" >&2; tail -5 "$out/last.err" >&2; return 1; }
  echo "$t"
}

printf '\n== every report for %s on %s commits (cold: no caches; warm: best of %s)\n' \
  "$period" "$(git rev-list --count HEAD)" "$runs"
printf '  %-12s %10s %10s\n' report cold warm
for name in $reports; do
  rm -f .git/tally/history-* .git/tally/record-values
  cold=$(wall "$tally" report "$name" --period "$period" --format json)
  cp "$out/last.txt" "$out/$name.json"
  times=""
  for _ in $(seq "$runs"); do times="$times $(wall "$tally" report "$name" --period "$period" --format json)"; done
  warm=$(echo "$times" | best)
  mark=PASS
  python3 -c "import sys; sys.exit(0 if $warm < 1.0 else 1)" || { mark=MISS; status=1; }
  # The caches must not change a report: the warm JSON is the cold one.
  cmp -s "$out/last.txt" "$out/$name.json" || { mark="$mark, warm output differs from cold"; status=1; }
  printf '  %-12s %9ss %9ss  %s\n' "$name" "$cold" "$warm" "$mark"
done
echo
echo "goal: every report under 1 s with the cache warm: $([ $status = 0 ] && echo PASS || echo MISS)"
