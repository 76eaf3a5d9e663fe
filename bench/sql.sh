#!/usr/bin/env bash
# make bench-sql: the SQL database (issue 22) on the history benchmark repository (20k
# commits, 10k customers; bench/history-repo.sh), in one run:
#   - the cold history walk (`tally history build`, no cache): the baseline;
#   - building the SQLite database from scratch (no database, no history cache), and from
#     scratch with the history cache warm (only the database's own work);
#   - bringing it up to date after 100 new commits;
#   - a query counting follow-ups per owner per month, warm;
#   - `tally export postgres` of the whole database into a throwaway PostgreSQL server
#     (scripts/postgres.sh), and the incremental export after the 100 new commits.
# Goals: a full build at most 1.5x the cold history walk; the update after 100 commits under
# 0.3 s; the query under 0.2 s warm; the PostgreSQL export at most 3x the SQLite build.
# Environment: BENCH_RUNS (default 3), BENCH_STRICT=1 to exit 1 when a goal is missed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${BENCH_RUNS:-3}"
seed="${BENCH_SEED:-7}"
out="$root/bench/out/sql"
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
pgdir="$(mktemp -d "${TMPDIR:-/tmp}/tally-bench-pg.XXXXXX")"
chmod 755 "$pgdir"
finish() {
  restore
  bash "$root/scripts/postgres.sh" stop "$pgdir/server"
  rm -rf "$pgdir"
}
trap finish EXIT
pgurl="$(bash "$root/scripts/postgres.sh" start "$pgdir/server")"
count=$(git rev-list --count refs/heads/main)
echo "== $count commits, $(git ls-files | wc -l) files at the tip"

query="SELECT c.owner, substr(f.date, 1, 7) AS month, count(*) AS follow_ups FROM customer_follow_ups f JOIN customer c ON c.id = f.customer_id GROUP BY c.owner, month"
db=".git/tally/records.sqlite"
walk="" cold="" warm="" update="" q="" pg="" pginc=""
for i in $(seq "$runs"); do
  rm -rf .git/tally/history* "$db"
  walk="$walk $(timed /dev/null "$out/last.err" "$tally" history build)"
  rm -f "$db"
  warm="$warm $(timed /dev/null "$out/last.err" "$tally" sql "SELECT 1")"
  rm -rf .git/tally/history* .git/tally/record-values* "$db"
  cold="$cold $(timed /dev/null "$out/last.err" "$tally" sql "SELECT 1")"
  for j in 1 2 3; do q="$q $(timed "$out/query.txt" "$out/last.err" "$tally" sql "$query")"; done
  pg="$pg $(timed /dev/null "$out/last.err" "$tally" export postgres --url "$pgurl" --schema "bench_$i")"
  "$bench" gen-history . --append 100 --seed $((seed * 1000 + i)) >/dev/null
  update="$update $(timed /dev/null "$out/last.err" "$tally" sql "SELECT count(*) FROM commits")"
  pginc="$pginc $(timed /dev/null "$out/last.err" "$tally" export postgres --url "$pgurl" --schema "bench_$i")"
  restore
  echo "  run $i: walk $(echo "$walk" | awk '{print $NF}') s, build cold $(echo "$cold" | awk '{print $NF}') s, build warm $(echo "$warm" | awk '{print $NF}') s, update $(echo "$update" | awk '{print $NF}') s, postgres $(echo "$pg" | awk '{print $NF}') s, postgres +100 $(echo "$pginc" | awk '{print $NF}') s"
done
w=$(echo "$walk" | best)
c=$(echo "$cold" | best)
h=$(echo "$warm" | best)
u=$(echo "$update" | best)
qq=$(echo "$q" | best)
p=$(echo "$pg" | best)
pi=$(echo "$pginc" | best)
size=$(du -m "$db" 2>/dev/null | cut -f1 || echo "?")
rows=$("$tally" sql "SELECT (SELECT count(*) FROM history_customer) || ' customer versions, ' || (SELECT count(*) FROM field_changes) || ' field changes'" --format csv | tail -1 | tr -d '\r')
echo
echo "== best of $runs ($rows; database $size MB)"
printf '  %-56s %8s s\n' "tally history build, cold (the baseline)" "$w"
printf '  %-56s %8s s   %sx the cold walk\n' "SQLite database from scratch (no history cache)" "$c" "$(python3 -c "print(round($c / $w, 2))")"
printf '  %-56s %8s s   %sx the cold walk\n' "SQLite database from scratch (history cache warm)" "$h" "$(python3 -c "print(round($h / $w, 2))")"
printf '  %-56s %8s s\n' "update after 100 new commits (walk + rows)" "$u"
printf '  %-56s %8s s   (%s rows)\n' "follow-ups per owner per month, warm" "$qq" "$(($(wc -l <"$out/query.txt") - 3))"
printf '  %-56s %8s s   %sx the SQLite build\n' "export postgres, everything (COPY, one transaction)" "$p" "$(python3 -c "print(round($p / $c, 2))")"
printf '  %-56s %8s s\n' "export postgres after 100 new commits (incremental)" "$pi"
echo
goal "full build <= 1.5x the cold history walk ...." "$c <= 1.5 * $w" "$(python3 -c "print(round($c / $w, 2))")x"
goal "update after 100 commits < 0.3 s ............" "$u < 0.3" "$u s"
goal "query < 0.2 s warm ..........................." "$qq < 0.2" "$qq s"
goal "PostgreSQL export <= 3x the SQLite build ......" "$p <= 3 * $c" "$(python3 -c "print(round($p / $c, 2))")x"
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit $status; fi
