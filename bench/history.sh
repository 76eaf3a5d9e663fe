#!/usr/bin/env bash
# make bench-history: on a generated records repository of 20k commits over two years (10k
# customers, 20 staff, 21 authors; `tally-bench gen-history`), time `tally history build`
# cold (no cache) and warm (cache of everything but 100 new commits) against
# `git log --raw --no-renames` over the same history, in the same run.
#
# Goals (issue 5): a cold walk at most 1.5x git log; a warm walk at most 5% of git log;
# peak memory of the cold walk under 1 GB.
#
# Environment: BENCH_RUNS (default 3), BENCH_SEED (7), BENCH_CUSTOMERS (10000),
# BENCH_COMMITS (20000), BENCH_APPEND (100 new commits for the warm walk),
# BENCH_STRICT=1 to exit 1 when a goal is missed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs="${BENCH_RUNS:-3}"
seed="${BENCH_SEED:-7}"
append="${BENCH_APPEND:-100}"
out="$root/bench/out/history"
source "$root/bench/lib.sh"
mkdir -p "$out"

build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"

repo="$(bash "$root/bench/history-repo.sh" "$bench")"
marker="$repo/.git/tally-bench-history"
cd "$repo"
tip="$(sed -n 2p "$marker")"
restore() {
  git update-ref refs/heads/main "$tip"
  git reset -q --hard
}
trap restore EXIT
count=$(git rev-list --count refs/heads/main)
files=$(git ls-files | wc -l)
pack=$(du -sm .git/objects/pack | cut -f1)
echo "== $count commits, $files files at the tip, pack $pack MB"


have_history=1
"$tally" history build --help >/dev/null 2>&1 || have_history=0

git_times="" cold_times="" warm_times="" cold_rss="" best_cold=""
for i in $(seq "$runs"); do
  t=$(timed /dev/null "$out/git-log.err" git log --raw --no-renames --format=%H refs/heads/main)
  git_times="$git_times $t"
  echo "  run $i: git log --raw $t s"
  [ "$have_history" = 1 ] || continue

  rm -rf .git/tally/history*
  cold=$(timed "$out/cold-$i.txt" "$out/cold-$i.err" /usr/bin/time -f %M -o "$out/cold-$i.rss" \
    "$tally" history build --stats)
  cold_times="$cold_times $cold"
  rss=$(tail -1 "$out/cold-$i.rss")
  if [ -z "$best_cold" ] || python3 -c "import sys; sys.exit(0 if $cold < $best_cold else 1)"; then
    best_cold=$cold
    cp "$out/cold-$i.txt" "$out/cold-stats.txt"
  fi
  if [ -z "$cold_rss" ] || [ "$rss" -gt "$cold_rss" ]; then cold_rss=$rss; fi

  # A different seed each run, so the new commits are new to the cache every time.
  "$bench" gen-history . --append "$append" --seed $((seed * 1000 + i)) >"$out/append-$i.txt"
  t=$(timed "$out/warm-$i.txt" "$out/warm-$i.err" "$tally" history build --stats)
  warm_times="$warm_times $t"
  restore
  echo "  run $i: cold walk $cold s (peak $((rss / 1024)) MB), warm walk $t s"
done

g=$(echo "$git_times" | best)
echo
echo "== $count commits (first parent), best of $runs"
printf '  %-44s %8s s\n' "git log --raw --no-renames --format=%H" "$g"
if [ "$have_history" = 0 ]; then
  echo
  echo "tally history build: this tally has no 'history build' command (see Sources/tally/Commands/);"
  echo "the cold and warm walks cannot be timed. Only the git log baseline above was measured."
  exit 1
fi
c=$(echo "$cold_times" | best)
w=$(echo "$warm_times" | best)
cold_ratio=$(python3 -c "print(round($c / $g, 2))")
warm_ratio=$(python3 -c "print(round($w / $g, 3))")
printf '  %-44s %8s s   %sx git log, peak %d MB\n' "tally history build (cold: no cache)" "$c" "$cold_ratio" \
  "$((cold_rss / 1024))"
printf '  %-44s %8s s   %sx git log\n' "tally history build (warm: $append new commits)" "$w" "$warm_ratio"
echo
goal "cold walk <= 1.5x git log ............." "$c <= 1.5 * $g" "${cold_ratio}x"
goal "warm walk <= 5% of git log ............" "$w <= 0.05 * $g" "$(python3 -c "print(round(100 * $w / $g, 1))")%"
goal "peak memory of the cold walk < 1 GB ..." "$cold_rss < 1024 * 1024" "$((cold_rss / 1024)) MB"
echo
echo "== where the time goes (tally history build --stats, best cold run)"
sed 's/^/  /' "$out/cold-stats.txt"
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit $status; fi
