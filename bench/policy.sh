#!/usr/bin/env bash
# make bench-policy: the ownership policy (issue 21), in the same run as git's own walks.
#
# 1. `tally policy check` over 1,000 commits of the history benchmark repository (20k
#    commits, `bench/history-repo.sh`), each judged against the shipped telesales policy as
#    its author, with the history cache warm; against `git rev-list` and `git log --raw`
#    over the same commits. The 1,000 commits are the last ones of main, re-parented onto a
#    commit that adds example-repo/policy.yaml (made once, kept as refs/heads/policy-bench).
# 2. The pre-receive hook's work for a one-commit push into the 100k-record repository of
#    `make bench-commit`: `tally policy check --pre-receive` on a bare copy holding the new
#    commit's objects unreferenced (as git's quarantine does), against `git rev-list NEW
#    --not --all` plus `git log --raw -1 NEW`.
#
# Goals: 1,000 commits in under 2 s; a one-commit push in under 0.3 s.
# Environment: BENCH_RUNS (default 5), BENCH_STRICT=1 to exit 1 when a goal is missed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${BENCH_RUNS:-5}"
out="$root/bench/out/policy"
source "$root/bench/lib.sh"
mkdir -p "$out"
build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"
export TALLY_TODAY=2026-11-01 GIT_CONFIG_NOSYSTEM=1

wall() { # command... ; prints wall seconds (a command that finds violations exits 1: timed all the same)
  local TIMEFORMAT=%3R t
  t=$({ time "$@" >"$out/last.out" 2>"$out/last.err"; } 2>&1) || true
  echo "$t"
}

# --- 1. A range of 1,000 commits -------------------------------------------------------
repo="$(bash "$root/bench/history-repo.sh" "$bench")"
cd "$repo"
marker=".git/tally-bench-policy"
tip=$(git rev-parse refs/heads/main)
if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$tip $(git hash-object "$root/example-repo/policy.yaml")" ]; then
  echo "== re-parenting the last 1,000 commits onto a commit that adds policy.yaml (once)"
  base=$(git rev-parse "refs/heads/main~1000")
  blob=$(git hash-object -w "$root/example-repo/policy.yaml")
  export GIT_INDEX_FILE="$out/bench.index"
  git read-tree "$base"
  git update-index --add --cacheinfo "100644,$blob,policy.yaml"
  parent=$(GIT_AUTHOR_NAME=韩强 GIT_AUTHOR_EMAIL=hanqiang@huadong.example GIT_COMMITTER_NAME=bench \
    GIT_COMMITTER_EMAIL=bench@example.cn git commit-tree "$(git write-tree)" -p "$base" -m "policy")
  for c in $(git rev-list --first-parent --reverse "$base..$tip"); do
    git read-tree "$c"
    git update-index --add --cacheinfo "100644,$blob,policy.yaml"
    eval "$(git log -1 --date=raw --format="export GIT_AUTHOR_NAME='%an' GIT_AUTHOR_EMAIL='%ae' GIT_AUTHOR_DATE='%ad' GIT_COMMITTER_NAME='%cn' GIT_COMMITTER_EMAIL='%ce' GIT_COMMITTER_DATE='%cd'" "$c")"
    parent=$(git log -1 --format=%B "$c" | git commit-tree "$(git write-tree)" -p "$parent")
  done
  unset GIT_INDEX_FILE GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
  git update-ref refs/heads/policy-bench "$parent"
  echo "$tip $blob" >"$marker"
fi
range="refs/heads/policy-bench~1000..refs/heads/policy-bench"
count=$(git rev-list --count "$range")
# The policy's checks read the working tree's schemas: the history repository's own.
"$tally" policy check --range "$range" --format json >"$out/range.json" 2>"$out/range.err" || true
git_rev="" git_log="" tally_range=""
for i in $(seq "$runs"); do
  git_rev="$git_rev $(wall git rev-list "$range")"
  git_log="$git_log $(wall git log --raw --no-renames --format=%H "$range")"
  tally_range="$tally_range $(wall "$tally" policy check --range "$range")"
done
# Once cold, for the record: the history cache of the repository removed first.
rm -rf .git/tally/history*
cold=$(wall "$tally" policy check --range "$range")
gr=$(echo "$git_rev" | best)
gl=$(echo "$git_log" | best)
tr_=$(echo "$tally_range" | best)
violations=$(python3 -c "import json; print(json.load(open('$out/range.json'))['violations'])")
echo
echo "== tally policy check over $count commits (history cache warm), best of $runs"
printf '  %-48s %8s s\n' "git rev-list A..B" "$gr"
printf '  %-48s %8s s\n' "git log --raw --no-renames A..B" "$gl"
printf '  %-48s %8s s   %sx git log --raw (%s violations found)\n' "tally policy check --range A..B" "$tr_" \
  "$(python3 -c "print(round($tr_ / $gl, 2))")" "$violations"
printf '  %-48s %8s s   %sx git log --raw (once, for the record)\n' "tally policy check --range A..B, cold cache" \
  "$cold" "$(python3 -c "print(round($cold / $gl, 2))")"

# --- 2. A one-commit push into 100k records --------------------------------------------
big="$root/bench/out/commit/repo-100000"
if [ ! -d "$big/.git" ]; then
  echo "bench-policy: $big is missing: run 'make bench-commit' once to generate it" >&2
  exit 1
fi
server="$out/server-100000.git"
work="$out/work-100000"
if [ ! -f "$server/tally-bench-ready-2" ]; then
  rm -rf "$server" "$work"
  git clone -q --bare "$big" "$server"
  git clone -q "$server" "$work"
  cp "$root/example-repo/policy.yaml" "$work/policy.yaml"
  # The policy names fields of today's schemas (git_identities): the repository gets them too.
  cp "$root/schema/"*.yaml "$work/schema/"
  manager=$(grep -l '^role: manager' "$work"/staff/*.yaml | head -1)
  email=$(sed -n 's/^email: //p' "$manager")
  git -C "$work" add policy.yaml schema
  git -C "$work" -c user.name=manager -c user.email="$email" commit -q -m "policy"
  git -C "$work" push -q origin main
  echo "$email" >"$server/tally-bench-ready-2"
fi
email=$(cat "$server/tally-bench-ready-2")
old=$(git -C "$server" rev-parse refs/heads/main)
target=$(git -C "$work" ls-files customers | sed -n 500p)
# The pusher is the customer's owner: the rep's rules and their conditions are evaluated.
owner=$(git -C "$work" show "$old:$target" | sed -n 's/^owner: //p')
pusher=$(git -C "$work" show "$old:staff/$owner.yaml" | sed -n 's/^email: //p')
push_git="" push_tally=""
for i in $(seq "$runs"); do
  # Each run a new commit, new to the hook's history cache as a pushed one is.
  git -C "$work" reset -q --hard "$old"
  sed -i "s/^name: \(.*\)$/name: \1（$i）/" "$work/$target"
  git -C "$work" -c user.name=owner -c user.email="$pusher" commit -q -am "rename one customer ($i)"
  new=$(git -C "$work" rev-parse HEAD)
  # The objects reach the server unreferenced, as a push's do while its hook runs.
  git -C "$work" push -q origin "HEAD:refs/bench/incoming"
  git -C "$server" update-ref -d refs/bench/incoming
  echo "$old $new refs/heads/main" >"$out/update.txt"
  push_git="$push_git $(wall sh -c "git -C '$server' rev-list $new --not --all >/dev/null && git -C '$server' log --raw -1 $new >/dev/null")"
  push_tally="$push_tally $(wall sh -c "GL_USERNAME='$pusher' '$tally' policy check --pre-receive --git-dir '$server' <'$out/update.txt'")"
  GL_USERNAME="$pusher" "$tally" policy check --pre-receive --git-dir "$server" <"$out/update.txt" >"$out/push.txt" 2>&1 || true
done
pg=$(echo "$push_git" | best)
pt=$(echo "$push_tally" | best)
records=$(git -C "$server" ls-tree -r --name-only "$new" | wc -l)
echo
echo "== a one-commit push into $records files, best of $runs"
printf '  %-48s %8s s\n' "git rev-list NEW --not --all; git log --raw -1" "$pg"
printf '  %-48s %8s s   %sx git   (%s)\n' "tally policy check --pre-receive" "$pt" \
  "$(python3 -c "print(round($pt / max($pg, 0.001), 1))")" "pushed by the owner, $(tail -1 "$out/push.txt")"
echo
goal "1,000 commits in under 2 s ............" "$tr_ < 2.0" "${tr_} s"
goal "a one-commit push in under 0.3 s ......" "$pt < 0.3" "${pt} s"
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit $status; fi
