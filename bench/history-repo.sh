#!/usr/bin/env bash
# The repository of the history benchmarks (make bench-history, make bench-reports):
# `tally-bench gen-history` with BENCH_CUSTOMERS customers (10000), BENCH_COMMITS commits
# (20000), BENCH_AUTHORS staff (20), BENCH_SEED (7) and, when BENCH_SHARD_DIGITS is set, the
# customers in shard folders of that many digits, in bench/out/history/repo (or
# BENCH_HISTORY_REPO), at the tip it was generated with.
#
# It is generated once per set of parameters. The marker lives in the git directory, so it
# is neither in the work tree nor in the history: its first line names the parameters and
# the generator, its second the tip. Bump `generator` when gen-history's output changes for
# the same seed, so that no benchmark runs on a repository an older generator made.
#
# Usage: bash bench/history-repo.sh PATH-TO-TALLY-BENCH   (prints the repository's path)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$1"
seed="${BENCH_SEED:-7}"
customers="${BENCH_CUSTOMERS:-10000}"
commits="${BENCH_COMMITS:-20000}"
repo="${BENCH_HISTORY_REPO:-$root/bench/out/history/repo}"
marker="$repo/.git/tally-bench-history"
params="generator=2 customers=$customers commits=$commits seed=$seed"
extra=()
if [ -n "${BENCH_AUTHORS:-}" ]; then
  params="$params authors=$BENCH_AUTHORS"
  extra+=(--authors "$BENCH_AUTHORS")
fi
if [ -n "${BENCH_SHARD_DIGITS:-}" ]; then
  params="$params shard-digits=$BENCH_SHARD_DIGITS"
  extra+=(--shard-digits "$BENCH_SHARD_DIGITS")
fi
if [ ! -f "$marker" ] || [ "$(head -1 "$marker")" != "$params" ]; then
  rm -rf "$repo"
  mkdir -p "$(dirname "$repo")"
  echo "== generating $commits commits, $customers customers (seed $seed) into $repo" >&2
  "$bench" gen-history "$repo" --customers "$customers" --commits "$commits" --seed "$seed" \
    --schema-dir "$root/schema" ${extra[@]+"${extra[@]}"} >&2
  git -C "$repo" config gc.auto 0
  printf '%s\n%s\n' "$params" "$(git -C "$repo" rev-parse refs/heads/main)" >"$marker"
fi
# A benchmark may have stopped between appending commits and restoring the tip.
tip="$(sed -n 2p "$marker")"
if [ "$(git -C "$repo" rev-parse refs/heads/main)" != "$tip" ]; then
  git -C "$repo" update-ref refs/heads/main "$tip"
  git -C "$repo" reset -q --hard
fi
echo "$repo"
