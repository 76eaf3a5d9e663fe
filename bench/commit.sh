#!/usr/bin/env bash
# make bench-commit: on a generated git repository of 100k records, change one customer and
# time `tally check --staged` and `tally commit` against `git commit` of the same change
# (hooks off), in the same run.
#
# Goals (issue 4): `tally commit` of a one-record change at most 3x `git commit`;
# `tally check --staged` on the same change under 0.5 s.
#
# Environment: BENCH_RUNS (default 5), BENCH_CUSTOMERS (default 100000), BENCH_SEED (7).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs="${BENCH_RUNS:-5}"
customers="${BENCH_CUSTOMERS:-100000}"
seed="${BENCH_SEED:-7}"
out="$root/bench/out/commit"
source "$root/bench/lib.sh"
mkdir -p "$out"

build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"

export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.cn GIT_COMMITTER_NAME=Bench
export GIT_COMMITTER_EMAIL=bench@example.cn TALLY_TODAY=2026-11-01
repo="$out/repo-$customers"
if [ ! -f "$repo/.generated-$seed" ]; then
  rm -rf "$repo"
  echo "== generating $customers customers (seed $seed) and committing them"
  "$bench" gen-check "$repo" --customers "$customers" --seed "$seed" >/dev/null
  mkdir -p "$repo/schema"
  cp schema/*.yaml "$repo/schema/"
  printf 'version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\ncurrency: CNY\n' >"$repo/tally.yaml"
  (cd "$repo" && git init -q -b main && git config core.hooksPath /dev/null \
    && git add -A && git commit -q -m "records" && touch ".generated-$seed" \
    && echo ".generated-*" >.git/info/exclude)
fi
cd "$repo"
records=$(git ls-files | wc -l)
echo "== $records files in git"

target=$(git ls-files customers | sed -n 500p)
# Each run: a different one-line change to the same customer, then undo the commit.
change() { bump_name "$target" "$1"; }
undo() { git reset -q --hard HEAD~1; }

# Bash's own clock: starting a Python interpreter to read one (0.1-0.2 s here) inside the
# measured interval would add its start-up to every figure.
now() { echo "$EPOCHREALTIME"; }
elapsed() { python3 -c "print(round($2 - $1, 4))"; }

git_times="" staged_times="" commit_times="" first_staged="" first_commit=""
for i in $(seq "$runs"); do
  change "$i"
  t0=$(now); git commit -q -m "change $i" -- "$target"; t1=$(now)
  git_times="$git_times $(elapsed "$t0" "$t1")"
  undo

  change "$i"
  git add -- "$target"
  t0=$(now); "$tally" check --staged >"$out/staged.txt" || { cat "$out/staged.txt"; exit 1; }; t1=$(now)
  [ -z "$first_staged" ] && first_staged=$(elapsed "$t0" "$t1")
  staged_times="$staged_times $(elapsed "$t0" "$t1")"
  git reset -q -- "$target"

  t0=$(now); "$tally" commit -m "change $i" -- "$target" >"$out/commit.txt" || { cat "$out/commit.txt"; exit 1; }; t1=$(now)
  [ -z "$first_commit" ] && first_commit=$(elapsed "$t0" "$t1")
  commit_times="$commit_times $(elapsed "$t0" "$t1")"
  [ "$(git log -1 --format=%s)" = "change $i" ] || { echo "bench: tally commit did not commit" >&2; exit 1; }
  undo
done

g=$(echo $git_times | best)
s=$(echo $staged_times | best)
c=$(echo $commit_times | best)
ratio=$(python3 -c "print(round($c / $g, 2))")
echo
echo "== one-record change in $records files (best of $runs; first run includes building caches)"
printf '  %-34s %8s s\n' "git commit (hooks off)" "$g"
printf '  %-34s %8s s   (first run %s s)\n' "tally check --staged" "$s" "$first_staged"
printf '  %-34s %8s s   (first run %s s)\n' "tally commit" "$c" "$first_commit"
printf '  tally commit / git commit: %sx\n' "$ratio"
echo
pass() { python3 -c "import sys; sys.exit(0 if $1 else 1)" && echo "PASS" || echo "MISS"; }
echo "goal: tally commit <= 3x git commit ........ $(pass "$c <= 3 * $g") (${ratio}x)"
echo "goal: tally check --staged < 0.5 s ......... $(pass "$s < 0.5") (${s} s)"
