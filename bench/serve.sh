#!/usr/bin/env bash
# make bench-serve: `tally serve` under load on a history repository of 100k customers
# (bench/history-repo.sh with BENCH_CUSTOMERS=100000 into bench/out/serve/repo), against the
# same pages' command-line equivalents measured in the same run.
#
# For each page — the dashboard (/), a report (/reports/plan) and a record page
# (/customer/ID) — wrk (Debian's) runs 64 connections for BENCH_SERVE_SECONDS (60) on the
# loopback address after a warm-up. Then, while wrk loads the dashboard, another process
# makes 100 commits on the served branch one by one (tally-bench gen-history --append 1,
# git fast-import; the load lasts until the last one has landed), and a checker fetches
# /reports/plan.json throughout: every body must be
# byte for byte `tally report plan --format json --rev C` for the commit C it names (no page
# mixes two states of the ref).
#
# Goals (issue 23): p99 under 100 ms warm and no errors on each page; the server's memory at
# the end within 10 % of its memory after warm-up; a page reflects a new commit within 1 s;
# no error and no mixed page while commits land.
#
# Environment: BENCH_SERVE_SECONDS (60), BENCH_SERVE_CUSTOMERS (100000), BENCH_SERVE_COMMITS
# (20000), BENCH_SEED (7).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${BENCH_SERVE_SECONDS:-60}"
seed="${BENCH_SEED:-7}"
out="$root/bench/out/serve"
mkdir -p "$out"
source "$root/bench/lib.sh"
ensure_command wrk wrk
build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"

repo="$(BENCH_HISTORY_REPO="$out/repo" BENCH_CUSTOMERS="${BENCH_SERVE_CUSTOMERS:-100000}" \
  BENCH_COMMITS="${BENCH_SERVE_COMMITS:-20000}" bash "$root/bench/history-repo.sh" "$bench")"
marker="$repo/.git/tally-bench-history"
cd "$repo"
tip="$(sed -n 2p "$marker")"
export TALLY_TODAY=2026-12-31
server_pid=""
finish() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  git update-ref refs/heads/main "$tip"
  git reset -q --hard
}
trap finish EXIT

customer="$(git ls-files customers | sed -n 500p | sed 's|.*/||; s|\.yaml$||')"
echo "== $(git rev-list --count refs/heads/main) commits, $(git ls-files | wc -l) files; record page: $customer"

# The baseline: the same pages from the command line, warm (best of 3 after a first run).
"$tally" history build >/dev/null 2>"$out/last.err"
cli() { # label command...
  local times=""
  "$@" >/dev/null 2>"$out/last.err"
  for _ in 1 2 3; do times="$times $(timed /dev/null "$out/last.err" "$@")"; done
  echo "$times" | best
}
dash_reports=""
for name in plan pipeline followups meetings complaints; do
  dash_reports="$dash_reports $(cli "$tally" report "$name" --format json)"
done
cli_dashboard=$(python3 -c "print(round(sum(float(x) for x in '$dash_reports'.split()), 3))")
cli_report=$(cli "$tally" report plan --format html)
cli_show=$(cli "$tally" show "customer/$customer" --format json)
cli_log=$(cli "$tally" log "customer/$customer" --format json)
cli_record=$(python3 -c "print(round($cli_show + $cli_log, 3))")
echo "baseline (command line, warm): dashboard's five reports ${cli_dashboard}s, plan report ${cli_report}s, show + log of $customer ${cli_record}s"

start_server "$out" "$tally"
rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }

pages=("" "reports/plan" "customer/$customer")
labels=("dashboard" "report" "record")
base=("$cli_dashboard" "$cli_report" "$cli_record")
for page in "${pages[@]}"; do
  for _ in 1 2 3; do curl -sf -o /dev/null "$url$page" || { echo "bench: $url$page failed" >&2; exit 1; }; done
done
wrk -t2 -c64 -d5s "$url" >/dev/null
warm_rss=$(rss)
echo "server memory after warm-up: $((warm_rss / 1024)) MiB"

run_wrk() { # path file
  wrk -t2 -c64 -d"${seconds}s" --latency --timeout 10s "$url$1" >"$2"
}

printf '\n== wrk: 64 connections, %s s per page\n' "$seconds"
printf '  %-10s %9s %9s %9s %7s %12s\n' page p50 p99 req/s errors "cli baseline"
for i in 0 1 2; do
  run_wrk "${pages[$i]}" "$out/wrk-${labels[$i]}.txt"
  read -r p50 p99 errors rate < <(read_wrk "$out/wrk-${labels[$i]}.txt")
  printf '  %-10s %7.1fms %7.1fms %9s %7s %11ss\n' "${labels[$i]}" "$p50" "$p99" "$rate" "$errors" "${base[$i]}"
  goal "${labels[$i]}-p99" "$p99 < 100 and $errors == 0" \
    "p99 ${p99} ms, ${errors} errors; p99 = $(python3 -c "print(round($p99 / 1000 / ${base[$i]}, 3))")x the command line's ${base[$i]} s"
done
end_rss=$(rss)
goal memory "$end_rss <= $warm_rss * 1.10" \
  "$((warm_rss / 1024)) MiB after warm-up, $((end_rss / 1024)) MiB after the load: $(python3 -c "print(round($end_rss / $warm_rss, 3))")x"

printf '\n== a new commit, seen by the next page\n'
python3 "$root/bench/serve-check.py" latency "$url" "$bench" "$repo" "$seed" | tee "$out/latency.txt"
latency=$(awk '/^latency/ {print $2}' "$out/latency.txt")
goal push-visible "$latency < 1.0" "the plan report's page named the new commit ${latency} s after it landed"

printf '\n== 100 commits landing one by one, the dashboard under load (64 connections) until the last\n'
# wrk stops at SIGINT and reports what it saw: the load lasts exactly as long as the commits.
wrk -t2 -c64 -d3600s --latency --timeout 10s "$url" >"$out/wrk-pushing.txt" &
wrk_pid=$!
python3 "$root/bench/serve-check.py" pushes "$url" "$bench" "$repo" "$seed" "$tally" "$seconds" \
  "$wrk_pid" | tee "$out/pushes.txt"
wait "$wrk_pid" || true
read -r p50 p99 errors rate < <(read_wrk "$out/wrk-pushing.txt")
mixed=$(awk '/^mixed/ {print $2}' "$out/pushes.txt")
checked=$(awk '/^checked/ {print $2}' "$out/pushes.txt")
failed=$(awk '/^errors/ {print $2}' "$out/pushes.txt")
goal pushes "$errors == 0 and $failed == 0 and $mixed == 0 and $checked > 0" \
  "dashboard p99 ${p99} ms with ${errors} errors; ${checked} plan pages checked against the command line, ${mixed} differ, ${failed} failed"
exit "$([ "${BENCH_STRICT:-0}" = 1 ] && echo "$status" || echo 0)"
