#!/usr/bin/env bash
# `make demo`: tally on the bundled example repository (example-repo/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="$PWD/${1:-.build/debug/tally}"
REPO=example-repo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step tally --version
"$BIN" --version

cd "$REPO"
scratch=$(mktemp -d)
chmod 755 "$scratch"
trap 'bash "$ROOT/scripts/postgres.sh" stop "$scratch/pg" 2>/dev/null; rm -rf "$scratch"' EXIT
step "cd $REPO && tally check"
"$BIN" check

step tally fmt --check
"$BIN" fmt --check

step tally parse customers/C-0042.yaml
"$BIN" parse customers/C-0042.yaml

step "tally check on a record with mistakes (in a scratch copy)"
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

# The team's history: six months of commits by the team (through tally and plain git),
# replayed into a fresh repository that ends in exactly the state of example-repo.
BENCH="$(dirname "$BIN")/tally-bench"
demo="${DEMO_DIR:-$scratch/demo}"
step "tally-bench write-history; replay it into $demo"
"$BENCH" write-history "$scratch/history.jsonl" | head -1
rm -rf "$demo"
python3 "$ROOT/scripts/demo-history.py" --tally-every 12 "$scratch/history.jsonl" "$demo" "$BIN"
for dir in staff customers plans minutes schema; do
  diff -r "$demo/$dir" "$dir" >/dev/null || { echo "demo: the replayed history does not end in example-repo's $dir" >&2; exit 1; }
done
echo "the last commit holds exactly the records of example-repo"

cd "$demo"
export TALLY_TODAY=2026-10-30
step "tally check"
"$BIN" check
step "tally check --range HEAD~100..HEAD (the last 100 commits, each against its parent)"
"$BIN" check --range HEAD~100..HEAD | tail -1

step tally log customer/C-0042
"$BIN" log customer/C-0042 | tail -12

step tally report pipeline --period 2026-Q3
"$BIN" report pipeline --period 2026-Q3
step tally report plan --period 2026-Q3
"$BIN" report plan --period 2026-Q3
step tally report followups --period 2026-10
"$BIN" report followups --period 2026-10

site="${DEMO_SITE:-$ROOT/demo-site}"
step tally report all --html "$site" --period 2026-Q3
"$BIN" report all --html "$site" --period 2026-Q3
echo "open $site/index.html in a browser"

step "tally report followups --period 2026-10 --lang zh (the same report, in the team's language)"
"$BIN" report followups --period 2026-10 --lang zh | head -8

step "tally serve: the team's web app (view only) — dashboard, record pages, search, reports"
"$BIN" serve --bind 127.0.0.1:0 >"$scratch/serve.out" &
serve_pid=$!
for _ in $(seq 100); do grep -q "http://" "$scratch/serve.out" 2>/dev/null && break; sleep 0.1; done
serve_url="$(grep -o 'http://[^ ]*/' "$scratch/serve.out")"
cat "$scratch/serve.out"
curl -s "${serve_url}.json" | python3 -c '
import json, sys
d = {s["key"]: s for s in json.load(sys.stdin)["sections"]}
print("GET /.json (the dashboard):", sum(r["overdue"] for r in d["overdue_callbacks"]["rows"]), "overdue call-backs,",
      len(d["open_complaints"]["rows"]), "open complaints")'
curl -s "${serve_url}reports/plan.json?period=2026-Q3" | cmp - <("$BIN" report plan --period 2026-Q3 --format json) \
  && echo "GET /reports/plan.json?period=2026-Q3 = tally report plan --period 2026-Q3 --format json"
curl -s "${serve_url}customer/C-0042.json" | cmp - <("$BIN" show customer/C-0042 --format json) \
  && echo "GET /customer/C-0042.json = tally show customer/C-0042 --format json"
curl -s -H 'Accept-Language: zh-CN' "${serve_url}search.json?q=%E6%8A%A5%E4%BB%B7" | python3 -c '
import json, sys
rows = json.load(sys.stdin)["sections"][0]["rows"]
print("GET /search.json?q=报价:", len(rows), "hits (the page shows at most 200), first", rows[0]["id"] if rows else None)'
curl -s -o /dev/null -w "POST / -> %{http_code} (view only)\n" -X POST "$serve_url"
kill "$serve_pid"

step "tally serve --allow commit --dev-user S-0022 --ref web: 梁嘉欣 logs a call through the form"
git branch -f web HEAD
"$BIN" serve --bind 127.0.0.1:0 --allow commit --dev-user S-0022 --ref web >"$scratch/serve.out" &
serve_pid=$!
for _ in $(seq 100); do grep -q "http://" "$scratch/serve.out" 2>/dev/null && break; sleep 0.1; done
serve_url="$(grep -o 'http://[^ ]*/' "$scratch/serve.out")"
cat "$scratch/serve.out"
form="$(curl -s "${serve_url}customer/C-0042/add/follow_ups")"
field() { printf '%s' "$form" | grep -o "name=\"$1\" value=\"[^\"]*\"" | sed 's/.*value="//; s/"$//'; }
curl -s -o /dev/null -w "POST /customer/C-0042/add/follow_ups -> %{http_code} %{redirect_url}\n" \
  --data-urlencode "commit=$(field commit)" --data-urlencode "csrf=$(field csrf)" \
  --data-urlencode "f.date=2026-10-30" --data-urlencode "f.by=S-0022" --data-urlencode "f.channel=phone" \
  --data-urlencode "f.summary=电话回访：客户确认下周签约" --data-urlencode "f.outcome=interested" \
  "${serve_url}customer/C-0042/add/follow_ups"
curl -s -o /dev/null -w "the same POST without its CSRF token -> %{http_code}\n" \
  --data-urlencode "commit=$(field commit)" --data-urlencode "f.summary=x" "${serve_url}customer/C-0042/add/follow_ups"
kill "$serve_pid"
git log -1 web --format='%h by %an <%ae>, committed by %cn: %s%n%(trailers:key=Tally-Via)'
git branch -D web >/dev/null

step "tally calendar S-0022 (a rep's call-backs and action items for the phone's calendar, RFC 5545)"
"$BIN" calendar S-0022 | head -16
"$BIN" calendar S-0022 --format json | grep -c '"uid"' | sed 's/$/ events in the feed/'

# Any other question is SQL over the records and their whole history (docs/sql.md).
cp -r "$ROOT/$REPO/queries" "$demo/queries"
step "tally sql: C-0042's versions, from the history tables"
"$BIN" sql "SELECT valid_from, change, tier, status, owner FROM history_customer WHERE id = 'C-0042' ORDER BY version"
step "tally sql: full-text search in Chinese"
"$BIN" sql "SELECT type, id, field, text FROM search WHERE text MATCH '报价单' LIMIT 3"
step "tally query revenue-per-owner (a saved query: exactly the plan report's revenue)"
"$BIN" query revenue-per-owner | head -6
step "tally export sqlite (a standalone file for Datasette, DBeaver, Metabase)"
"$BIN" export sqlite "$scratch/team.sqlite"
python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM history_customer').fetchone()[0], 'customer versions in', sys.argv[1])" "$scratch/team.sqlite"

# The same tables in PostgreSQL for the company's BI tools (a throwaway server here).
step "tally export postgres (COPY in one transaction; the second run adds only what is new)"
pgurl="$(bash "$ROOT/scripts/postgres.sh" start "$scratch/pg")"
"$BIN" export postgres --url "$pgurl" --schema east_2
"$BIN" set customer/C-0041 "needs=2027 年续约，先发报价单" --commit -m "C-0041: renewal needs" >/dev/null
"$BIN" export postgres --url "$pgurl" --schema east_2
psql -X -q "$pgurl" -c "SELECT c.repository, c.tier, count(DISTINCT c.id) AS customers, sum(o.amount) AS revenue
  FROM tally_all.customer c LEFT JOIN tally_all.customer_orders o ON o.customer_id = c.id AND o.repository = c.repository
  GROUP BY 1, 2 ORDER BY 1, 2"

# Two branches meet. tally hook install sets up git's merge driver for records (merge=tally
# in .gitattributes) and a pre-merge-commit hook: records merge field by field, and only a
# field both branches changed differently stops the merge. In a copy, so the demo
# repository stays as it was.
merge="$scratch/merge"
cp -r "$demo" "$merge"
cd "$merge"
git config user.name 王芳 && git config user.email wangfang@example.cn
step "tally hook install (pre-commit and pre-merge-commit hooks, git's diff and merge drivers)"
"$BIN" hook install
git add .gitattributes && git commit -q -m "records merge field by field"
step "a merge: two branches edit C-0042 (purchasing power and a follow-up; tier and another follow-up); git merge is clean"
git checkout -q -b rep-branch
"$BIN" set customer/C-0042 purchasing_power=high --commit -m "C-0042: purchasing power high" | tail -1
"$BIN" add customer/C-0042 follow_ups date=2026-10-30 by=S-0012 channel=phone summary="回访，客户确认续约意向" \
  outcome=interested --commit -m "C-0042: call-back" | tail -1
git checkout -q -
"$BIN" set customer/C-0042 tier=A --commit -m "C-0042: tier A" | tail -1
"$BIN" add customer/C-0042 follow_ups date=2026-10-29 by=S-0012 channel=visit summary="上门拜访，演示新版本" \
  --commit -m "C-0042: visit" | tail -1
git merge -q --no-edit rep-branch
"$BIN" log customer/C-0042 | head -6
"$BIN" check customers/C-0042.yaml

step "a conflict: both branches change C-0042's tier; git merge stops on that field alone"
git checkout -q -b lead-branch
"$BIN" set customer/C-0042 tier=C --commit -m "C-0042: tier C" | tail -1
git checkout -q -
"$BIN" set customer/C-0042 tier=B source=referral --commit -m "C-0042: tier B, referral" | tail -1
git merge -q --no-edit lead-branch || true
step tally conflicts
"$BIN" conflicts || true
step "tally resolve customer/C-0042 tier --theirs && tally commit"
"$BIN" resolve customer/C-0042 tier --theirs
"$BIN" commit
git log --graph --format='%h %s' -6

# Who may change what: policy.yaml says it per record and per field (docs/policy.md), and a
# git server enforces it in a pre-receive hook, as the person pushing.
cd "$ROOT/$REPO"
step "tally policy test (the shipped telesales policy, with its cases in policy-tests/)"
"$BIN" policy test
step "tally policy explain --as S-0022 customer/C-0012 owner (a rep, about handing a customer over)"
"$BIN" policy explain --as S-0022 customer/C-0012 owner
policy="$scratch/policy"
cp -r . "$policy/"
cd "$policy"
git init -q -b main && git add -A
git -c user.name=何杰 -c user.email=hejie@huadong.example commit -q -m "records, with the policy"
git clone -q --bare . "$scratch/server.git"
step "tally hook install --server (in a bare repository on the git server)"
(cd "$scratch/server.git" && "$BIN" hook install --server)
git clone -q "$scratch/server.git" "$scratch/clone" && cd "$scratch/clone"
sed -i 's/^owner: S-0022/owner: S-0023/' customers/C-0012.yaml
git -c user.name=梁嘉欣 -c user.email=liangjiaxin@huadong.example commit -q -am "C-0012 to 谢国栋"
step "GL_USERNAME=liangjx git push (the rep hands her customer over: refused)"
GL_USERNAME=liangjx git push -q origin main 2>&1 | sed -n '1,3p' || true
step "GL_USERNAME=pany git push (the same commit, pushed by the team lead of 华东三组: accepted)"
GL_USERNAME=pany git push -q origin main 2>&1 | tail -1
git -C "$scratch/server.git" log --format='%h %an: %s' -1

# A million records need folders git can handle: shard folders named by the id's last digits
# (docs/schema.md, "Sharded folders"), moved to in one commit the history goes straight across.
cd "$demo"
step "tally migrate layout customer --digits 2 (the customers into 100 shard folders, in one commit)"
before="$("$BIN" log customer/C-0042 --format json)"
"$BIN" migrate layout customer --digits 2
git show --format='%h %s' --stat HEAD | tail -2
step "tally log customer/C-0042 (customers/42/C-0042.yaml now; the same story as before the move)"
"$BIN" log customer/C-0042 | tail -4
if [ "$("$BIN" log customer/C-0042 --format json)" = "$before" ]; then
  echo "demo: tally log customer/C-0042 --format json is the same before and after the move"
else
  echo "demo: tally log customer/C-0042 changed across the move" >&2
  exit 1
fi
