#!/usr/bin/env bash
# make bench-scale: Tally at a million records. A history of BENCH_SCALE_CUSTOMERS customers
# (1,000,000) in shard folders of BENCH_SCALE_DIGITS digits (3: a thousand folders of a
# thousand files), BENCH_SCALE_STAFF staff (2,000) and BENCH_SCALE_COMMITS commits (200,000)
# over two years, generated once with a fixed seed (bench/history-repo.sh, tally-bench
# gen-history) into bench/out/scale/repo; then every command a team runs daily, against git
# doing the nearest thing on the same repository in the same run:
#
#   tally check --staged, one record changed   vs  git diff --cached --name-only   (<= 1.5x)
#   tally commit, one record changed           vs  git commit, hooks off           (<= 1.2x)
#   tally check, nothing changed (warm)        vs  git status, untracked cache on  (<= 1.5x)
#   tally check, cold (no .git/tally)          under 20 s
#   tally history build, cold                  vs  git log --raw --no-renames      (<= 1.0x)
#   tally history build after 1,000 commits    vs  the same git log                (<= 3 %)
#   every built-in report, warm                under 0.5 s
#   tally sql, database update after 100 commits  under 0.5 s
#   tally serve, record page under wrk         p99 under 150 ms
#   peak memory of every command above         under 4 GB
#
# Each figure is the best of BENCH_RUNS (3) unless it is a cold run; a traced run of each
# command (TALLY_TRACE=1, or history build --stats) says where its time goes, in
# bench/out/scale/phases-*.txt and at the end of the output. BENCH_STRICT=1 exits 1 when a
# goal is missed. Generating the repository takes about half an hour and 4 GB of disk; it is
# kept for the next run (the marker in its git directory names its parameters).
#
# BENCH_SCALE_ONLY picks sections (comma-separated: check, change, history, reports, sql,
# history-warm, serve) to measure one goal again after a change without the whole run (about
# 45 minutes); the goals of the others say "not run".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${BENCH_RUNS:-3}"
seed="${BENCH_SEED:-7}"
customers="${BENCH_SCALE_CUSTOMERS:-1000000}"
commits="${BENCH_SCALE_COMMITS:-200000}"
staff="${BENCH_SCALE_STAFF:-2000}"
digits="${BENCH_SCALE_DIGITS:-3}"
seconds="${BENCH_SERVE_SECONDS:-20}"
period="${BENCH_PERIOD:-2026-Q2}"
only="${BENCH_SCALE_ONLY:-}"
# want SECTION: whether BENCH_SCALE_ONLY (empty: every section) includes it.
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
out="$root/bench/out/scale"
mkdir -p "$out"
source "$root/bench/lib.sh"
ensure_command wrk wrk
[ -x /usr/bin/time ] || ensure_command time time
build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"

repo="$(BENCH_HISTORY_REPO="$out/repo" BENCH_CUSTOMERS="$customers" BENCH_COMMITS="$commits" \
  BENCH_AUTHORS="$staff" BENCH_SHARD_DIGITS="$digits" bash "$root/bench/history-repo.sh" "$bench")"
marker="$repo/.git/tally-bench-history"
cd "$repo"
tip="$(sed -n 2p "$marker")"
server_pid=""
restore() {
  git update-ref refs/heads/main "$tip"
  git reset -q --hard
}
finish() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  restore
}
trap finish EXIT
export TALLY_TODAY=2026-12-31 GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.cn
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.cn
git config core.untrackedCache true
git update-index --untracked-cache
git status >/dev/null

files=$(git ls-files | wc -l)
folders=$(git ls-tree -d --name-only HEAD customers/ | wc -l)
count=$(git rev-list --count refs/heads/main)
pack=$(du -sm .git/objects/pack | cut -f1)
echo "== $count commits, $files files at the tip ($folders customer folders), pack $pack MB"

# measure LABEL COMMAND...: runs COMMAND (output in $out/last.*), sets t to its wall seconds
# and keeps its peak memory (KiB) as the largest seen for LABEL in peak[LABEL]. (Not called in
# $(...): the subshell would lose peak.)
declare -A peak=()
t=""
rm -f "$out"/phases-*.txt # this run's only
measure() {
  local label="$1" rss
  shift
  t=$(timed "$out/last.out" "$out/last.err" /usr/bin/time -f %M -o "$out/last.rss" "$@") || exit 1
  rss=$(tail -1 "$out/last.rss")
  if [ -z "${peak[$label]:-}" ] || [ "$rss" -gt "${peak[$label]}" ]; then peak[$label]=$rss; fi
}
# traced NAME COMMAND...: one run with TALLY_TRACE=1, its phases in $out/phases-NAME.txt.
traced() {
  local name="$1"
  shift
  TALLY_TRACE=1 "$@" >/dev/null 2>"$out/phases-$name.txt" || true
}
ratio() { python3 -c "print(round($1 / $2, 2))"; }

# The record the one-record change edits, and whose page the server serves.
target=$(git ls-files customers | sed -n "$((files / 2))p")
staged="" git_diff="" commit="" git_commit="" warm_check="" git_status="" cold_check=""
cold_history="" git_log="" warm_history="" report_worst="" sql_update="" p99="" wrk_errors=""

# -- check, nothing changed, and cold ------------------------------------------------------------
if want check; then
echo
echo "== tally check on $files files"
rm -rf .git/tally
TALLY_TRACE=1 measure "tally check (cold)" "$tally" check
cold_times="$t"
cp "$out/last.err" "$out/phases-check-cold.txt"
rm -rf .git/tally
measure "tally check (cold)" "$tally" check
cold_check=$(echo "$cold_times $t" | best)
echo "  cold (no .git/tally): $cold_check s, peak $((peak["tally check (cold)"] / 1024)) MB"
status_times="" warm_times=""
for _ in $(seq "$runs"); do
  measure "git status" git status
  status_times="$status_times $t"
  measure "tally check (warm)" "$tally" check
  warm_times="$warm_times $t"
done
traced check-warm "$tally" check
git_status=$(echo "$status_times" | best)
warm_check=$(echo "$warm_times" | best)
echo "  warm: $warm_check s; git status (untracked cache on): $git_status s"
fi

# -- a one-record change: check --staged and commit ---------------------------------------------
change() { bump_name "$target" "$1"; }
undo() { git reset -q --hard HEAD~1; }
if want change; then
echo
echo "== one record changed ($target)"
# The state of the last check of the index, as a team member has it from their last commit:
# the timed runs compare with it (a first run without it checks every staged file).
"$tally" check --staged >/dev/null 2>&1 || true
diff_times="" staged_times="" git_commit_times="" commit_times=""
for i in $(seq "$runs"); do
  change "$i"
  git add -- "$target"
  "$tally" check >/dev/null 2>&1 || true # the worktree state is warm, as after an edit in a session
  measure "git diff --cached" git diff --cached --name-only
  diff_times="$diff_times $t"
  measure "tally check --staged" "$tally" check --staged
  staged_times="$staged_times $t"
  [ "$i" = "$runs" ] && traced check-staged "$tally" check --staged
  git reset -q -- "$target"
  git checkout -q -- "$target"

  change "$i"
  measure "git commit" git -c core.hooksPath=/dev/null commit -q -m "change $i" -- "$target"
  git_commit_times="$git_commit_times $t"
  undo
  change "$i"
  if [ "$i" = "$runs" ]; then
    TALLY_TRACE=1 measure "tally commit" "$tally" commit -m "change $i" -- "$target"
    commit_times="$commit_times $t"
    cp "$out/last.err" "$out/phases-commit.txt"
  else
    measure "tally commit" "$tally" commit -m "change $i" -- "$target"
    commit_times="$commit_times $t"
  fi
  [ "$(git log -1 --format=%s)" = "change $i" ] || { echo "bench: tally commit did not commit" >&2; exit 1; }
  undo
done
# The timed check must see what is staged: a broken record staged makes it fail, naming it.
printf 'name: [unclosed\n' >>"$target"
git add -- "$target"
if "$tally" check --staged >"$out/broken.txt" 2>&1 || ! grep -qF "$target" "$out/broken.txt"; then
  echo "bench: tally check --staged did not report a broken staged record" >&2
  exit 1
fi
git reset -q -- "$target"
git checkout -q -- "$target"
git_diff=$(echo "$diff_times" | best)
staged=$(echo "$staged_times" | best)
git_commit=$(echo "$git_commit_times" | best)
commit=$(echo "$commit_times" | best)
echo "  tally check --staged $staged s (git diff --cached --name-only $git_diff s); tally commit $commit s (git commit $git_commit s)"
fi

# -- history: cold, and 1,000 commits later -----------------------------------------------------
if want history; then
echo
echo "== tally history build on $count commits"
log_times=""
for _ in $(seq "$runs"); do
  measure "git log --raw" git log --raw --no-renames --format=%H refs/heads/main
  log_times="$log_times $t"
done
git_log=$(echo "$log_times" | best)
rm -rf .git/tally/history*
measure "tally history build (cold)" "$tally" history build --stats
cold_history=$t
cp "$out/last.out" "$out/phases-history-cold.txt"
echo "  cold: $cold_history s; git log --raw --no-renames: $git_log s"
fi

# -- reports and the SQL database at the tip ---------------------------------------------------
if want reports; then
echo
echo "== every report for $period, warm (best of $runs after a first run)"
reports=$("$tally" report --list | awk '{print $1}')
report_lines=""
report_worst=0
for name in $reports; do
  measure "tally report" "$tally" report "$name" --period "$period" --format json
  first=$t
  times=""
  for _ in $(seq "$runs"); do
    measure "tally report" "$tally" report "$name" --period "$period" --format json
    times="$times $t"
  done
  warm=$(echo "$times" | best)
  report_worst=$(python3 -c "print(max($report_worst, $warm))")
  report_lines="$report_lines$(printf '  %-12s first %8s s, warm %8s s' "$name" "$first" "$warm")\n"
done
printf "%b" "$report_lines"
traced report-followups "$tally" report followups --period "$period" --format json
fi

if want sql; then
echo
echo "== tally sql: the database, then its update after 100 new commits"
rm -f .git/tally/records.sqlite*
measure "tally sql (build)" "$tally" sql "SELECT count(*) FROM customer"
sql_build=$t
"$bench" gen-history . --append 100 --seed $((seed * 1000 + 1)) >"$out/append-100.txt"
measure "tally sql (update)" "$tally" sql "SELECT count(*) FROM commits"
sql_update=$t
traced sql-noop "$tally" sql "SELECT count(*) FROM commits"
restore
echo "  database from the history cache: $sql_build s; update after 100 commits: $sql_update s"
fi

if want history-warm; then
echo
echo "== tally history build after 1,000 new commits"
"$bench" gen-history . --append 1000 --seed $((seed * 1000 + 2)) >"$out/append-1000.txt"
measure "tally history build (warm)" "$tally" history build --stats
warm_history=$t
cp "$out/last.out" "$out/phases-history-warm.txt"
restore
echo "  $warm_history s"
fi

# -- serve: a record page under load -----------------------------------------------------------
if want serve; then
echo
customer="$(basename "$target" .yaml)"
echo "== tally serve: /customer/$customer under wrk (16 connections, $seconds s)"
# Its peak memory is read from /proc before it is stopped (under /usr/bin/time, which ignores
# SIGINT, the signal would not reach it).
start_server "$out" "$tally"
first_page=$(timed /dev/null /dev/null curl -sf -o /dev/null "$url/customer/$customer")
for _ in 1 2 3; do curl -sf -o /dev/null "$url/customer/$customer"; done
wrk -t2 -c16 -d"${seconds}s" --latency --timeout 10s "$url/customer/$customer" >"$out/wrk-record.txt"
read -r p50 p99 wrk_errors rate < <(read_wrk "$out/wrk-record.txt")
peak["tally serve"]=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")
kill -INT "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
echo "  first page $first_page s; p50 $p50 ms, p99 $p99 ms, $rate requests/s, $wrk_errors errors"
fi

# -- the goals ------------------------------------------------------------------------------
echo
echo "== goals ($count commits, $files files; best of $runs)"
# ran LABEL VARIABLE...: whether the sections that set the variables ran; else says LABEL was not run.
ran() {
  local name
  for name in "${@:2}"; do
    [ -n "${!name}" ] || { echo "goal: $1 not run"; return 1; }
  done
}
ran "check --staged" staged git_diff && goal "check --staged <= 1.5x git diff --cached ....." "$staged <= 1.5 * $git_diff" \
  "$staged s vs $git_diff s: $(ratio "$staged" "$git_diff")x"
ran commit commit git_commit && goal "commit <= 1.2x git commit (hooks off) ........" "$commit <= 1.2 * $git_commit" \
  "$commit s vs $git_commit s: $(ratio "$commit" "$git_commit")x"
ran "check warm" warm_check git_status && goal "check warm <= 1.5x git status ................" "$warm_check <= 1.5 * $git_status" \
  "$warm_check s vs $git_status s: $(ratio "$warm_check" "$git_status")x"
ran "check cold" cold_check && goal "check cold < 20 s ............................" "$cold_check < 20" "$cold_check s"
ran "history build cold" cold_history git_log && goal "history build cold <= 1.0x git log --raw ....." "$cold_history <= 1.0 * $git_log" \
  "$cold_history s vs $git_log s: $(ratio "$cold_history" "$git_log")x"
ran "history build, 1,000 new commits" warm_history git_log && goal "history build, 1,000 new commits <= 3% ......." "$warm_history <= 0.03 * $git_log" \
  "$warm_history s: $(python3 -c "print(round(100 * $warm_history / $git_log, 1))")% of git log"
ran "every report warm" report_worst && goal "every report warm < 0.5 s ...................." "$report_worst < 0.5" "slowest $report_worst s"
ran "SQL update" sql_update && goal "SQL update after 100 commits < 0.5 s ........." "$sql_update < 0.5" "$sql_update s"
ran "serve record page" p99 wrk_errors && goal "serve record page p99 < 150 ms ..............." "$p99 < 150 and $wrk_errors == 0" \
  "p99 $p99 ms, $wrk_errors errors"
worst_label="" worst=0
for label in "${!peak[@]}"; do
  if [ "${peak[$label]}" -gt "$worst" ]; then worst=${peak[$label]}; worst_label=$label; fi
done
goal "peak memory of every command < 4 GB .........." "$worst < 4 * 1024 * 1024" \
  "largest: $worst_label, $((worst / 1024)) MB"

echo
echo "== peak memory (MB)"
for label in "${!peak[@]}"; do printf '  %-30s %6d\n' "$label" "$((peak[$label] / 1024))"; done | sort

echo
echo "== where the time goes"
for name in check-cold check-warm check-staged commit report-followups sql-noop; do
  [ -s "$out/phases-$name.txt" ] || continue
  echo "  -- $name (TALLY_TRACE)"
  grep '^tally trace' "$out/phases-$name.txt" | sed 's/^tally trace: /     /'
done
if [ -s "$out/phases-history-cold.txt" ]; then
  echo "  -- history build, cold (--stats)"
  sed 's/^/     /' "$out/phases-history-cold.txt"
fi
if [ -s "$out/phases-history-warm.txt" ]; then
  echo "  -- history build, 1,000 new commits (--stats)"
  sed 's/^/     /' "$out/phases-history-warm.txt"
fi
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit $status; fi
