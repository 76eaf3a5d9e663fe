#!/usr/bin/env bash
# make bench-merge: on a generated git repository of 100k customers, two branches each change
# the same 1,000 customers in different fields (ours the tier, theirs the loyalty), and half
# of them also append a follow-up on both sides. `git merge` with tally's merge driver is
# timed against the same `git merge` without it (git's text merge, which leaves conflicts),
# in the same run.
#
# Goals (issue 20): the driver merges all 1,000 files with no conflict left, at most 20 ms
# per file as git calls it (process start included), and the whole merge at most 3x the
# plain text merge.
#
# Environment: BENCH_RUNS (default 5, the median is shown), BENCH_CUSTOMERS (100000),
# BENCH_CHANGED (1000), BENCH_SEED (7), BENCH_STRICT=1 to exit 1 when a goal is missed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs="${BENCH_RUNS:-5}"
customers="${BENCH_CUSTOMERS:-100000}"
changed="${BENCH_CHANGED:-1000}"
seed="${BENCH_SEED:-7}"
out="$root/bench/out/merge"
source "$root/bench/lib.sh"
mkdir -p "$out"

build_release "$out" tally tally-bench tally-merge-driver
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"
# What `tally hook install` configures when tally-merge-driver is installed beside tally.
lean="$root/$scratch/release/tally-merge-driver"

export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.cn GIT_COMMITTER_NAME=Bench
export GIT_COMMITTER_EMAIL=bench@example.cn TALLY_TODAY=2026-11-01
repo="$out/repo-$customers-$changed"
if [ ! -f "$repo/.generated-$seed" ]; then
  rm -rf "$repo"
  echo "== generating $customers customers (seed $seed), committing them, and two branches"
  "$bench" gen-check "$repo" --customers "$customers" --seed "$seed" >/dev/null
  mkdir -p "$repo/schema"
  cp schema/*.yaml "$repo/schema/"
  printf 'version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\ncurrency: CNY\n' >"$repo/tally.yaml"
  (cd "$repo" && git init -q -b main && git config core.hooksPath /dev/null \
    && echo ".generated-*" >.git/info/exclude && git add -A && git commit -q -m "records")
  # The same customers on both branches: every 97th file, $changed of them.
  (cd "$repo" && git ls-files customers | awk 'NR % 97 == 1' | head -"$changed" >"$out/changed.txt")
  [ "$(wc -l <"$out/changed.txt")" -eq "$changed" ] || { echo "bench: not $changed customers to change" >&2; exit 1; }
  # side: ours changes the tier, theirs the loyalty (written where the schema puts it, next to
  # the tier: a text merge sees one block changed two ways); every other file both append a
  # follow-up, on different days.
  edit() {
    python3 - "$1" "$out/changed.txt" <<'EOF'
import sys
side, listing = sys.argv[1], sys.argv[2]
for number, path in enumerate(open(listing, encoding="utf-8").read().split()):
    lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
    if side == "ours":
        for i, line in enumerate(lines):
            if line.startswith("tier: "):
                lines[i] = "tier: " + {"A": "B", "B": "C", "C": "A"}[line[6:].strip()] + "\n"
    else:
        loyalty = next((i for i, line in enumerate(lines) if line.startswith("loyalty: ")), None)
        if loyalty is not None:
            lines[loyalty] = "loyalty: " + {"low": "medium", "medium": "high", "high": "low"}[lines[loyalty][9:].strip()] + "\n"
        else:
            tier = next(i for i, line in enumerate(lines) if line.startswith("tier: "))
            lines.insert(tier, "loyalty: high\n")
    if number % 2 == 0:
        start = next(i for i, line in enumerate(lines) if line.startswith("follow_ups:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith(" "):
            end += 1
        by = [line.split(": ", 1)[1].strip() for line in lines[start:end] if line.startswith("    by: ")][-1]
        day, summary = ("02", "客户确认续约意向") if side == "ours" else ("03", "客户要求补发发票")
        item = [
            f"  - date: 2026-11-{day}\n", f"    by: {by}\n", "    channel: phone\n",
            f"    summary: {summary}\n", "    outcome: callback\n", f"    next_contact: 2026-11-{int(day) + 7:02d}\n",
        ]
        lines[end:end] = item
    open(path, "w", encoding="utf-8").write("".join(lines))
EOF
  }
  (cd "$repo" && git checkout -q -b ours main && edit ours && git commit -q -am "ours: tiers and follow-ups" \
    && git checkout -q -b theirs main && edit theirs && git commit -q -am "theirs: loyalty and follow-ups" \
    && git checkout -q ours && touch ".generated-$seed")
fi
cd "$repo"
records=$(git ls-files | wc -l)
both=$(comm -12 <(git diff --name-only main ours | sort) <(git diff --name-only main theirs | sort) | wc -l)
echo "== $records files in git; $both changed on both branches"

driver="$lean %O %A %B %L %P"
with_driver() {
  echo "customers/** merge=tally" >.git/info/attributes
  git config merge.tally.driver "$1"
}
without_driver() {
  rm -f .git/info/attributes
  git config --unset merge.tally.driver || true
}
reset() { git merge --abort 2>/dev/null || true; git reset -q --hard ours; }

# Bash's own clock, as in bench/commit.sh.
now() { echo "$EPOCHREALTIME"; }
elapsed() { python3 -c "print(round($2 - $1, 4))"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
unmerged() { git diff --name-only --diff-filter=U | wc -l; }

# Once, untimed: how many files git hands to the driver, and what the merge gives.
reset
with_driver "echo x >>'$out/calls.txt'; $driver"
rm -f "$out/calls.txt"
git merge -q --no-commit --no-ff theirs >"$out/merge-driver.txt" 2>&1 || true
calls=$(wc -l <"$out/calls.txt")
left=$(unmerged)
markers=$( (git grep -l -E '^(<<<<<<<|>>>>>>>) ' -- customers || true) | wc -l)
appended=$( (git grep -l -F 'date: 2026-11-02' -- customers || true) | xargs -r grep -l -F 'date: 2026-11-03' | wc -l)
"$tally" check >"$out/check.txt" 2>&1 && check="clean" || check="problems (see $out/check.txt)"
reset
without_driver
git merge -q --no-commit --no-ff theirs >"$out/merge-text.txt" 2>&1 || true
text_left=$(unmerged)
reset

# The floor: git's own cost of handing each file to a driver (temporary files, a shell, a
# process), with a driver that does nothing (leaves ours). No driver can merge faster.
floor_times=""
text_times="" driver_times=""
for _ in $(seq "$runs"); do
  with_driver "true %O %A %B %L %P"
  t0=$(now); git merge -q --no-commit --no-ff theirs >/dev/null 2>&1 || true; t1=$(now)
  floor_times="$floor_times $(elapsed "$t0" "$t1")"
  reset
  without_driver
  t0=$(now); git merge -q --no-commit --no-ff theirs >/dev/null 2>&1 || true; t1=$(now)
  text_times="$text_times $(elapsed "$t0" "$t1")"
  reset
  with_driver "$driver"
  t0=$(now); git merge -q --no-commit --no-ff theirs >/dev/null 2>&1 || true; t1=$(now)
  driver_times="$driver_times $(elapsed "$t0" "$t1")"
  [ "$(unmerged)" -eq "$left" ] || { echo "bench: the merge with the driver changed between runs" >&2; exit 1; }
  reset
done
without_driver

t=$(echo $text_times | median)
d=$(echo $driver_times | median)
f=$(echo $floor_times | median)
floor_ratio=$(python3 -c "print(round($f / $t, 2))")
floor_per_file=$(python3 -c "print(round(($f - $t) / max($calls, 1) * 1000, 2))")
per_file=$(python3 -c "print(round($d / max($calls, 1) * 1000, 2))")
extra=$(python3 -c "print(round(($d - $t) / max($calls, 1) * 1000, 2))")
ratio=$(python3 -c "print(round($d / $t, 2))")
echo
echo "== git merge of two branches changing the same $changed customers (median of $runs runs)"
printf '  %-40s %8s s   %s files left conflicted\n' "git merge, text merge (no driver)" "$t" "$text_left"
printf '  %-40s %8s s   %s files left conflicted\n' "git merge with tally-merge-driver" "$d" "$left"
printf '  files merged by the driver: %s (%s with both new follow-ups); conflict markers in %s files\n' \
  "$calls" "$appended" "$markers"
printf '  the merged records: tally check %s\n' "$check"
printf '  per file: %s ms (merge time / files, process start included); %s ms over the text merge\n' \
  "$per_file" "$extra"
printf '  merge with the driver / text merge: %sx\n' "$ratio"
printf '  floor, a driver that does nothing (true): %s s = %sx the text merge; git spends %s ms per file calling any driver\n' \
  "$f" "$floor_ratio" "$floor_per_file"
echo
status=0
goal() { # name, ok(0/1), detail
  if [ "$2" = 1 ]; then echo "GOAL $1: $3 PASS"; else echo "GOAL $1: $3 FAIL"; status=1; fi
}
goal "the driver merges all $both files" "$(python3 -c "print(int($calls == $both))")" "$calls files"
goal "no conflict left" "$(python3 -c "print(int($left == 0 and $markers == 0))")" "$left files"
goal "at most 20 ms per file" "$(python3 -c "print(int($per_file <= 20))")" "$per_file ms"
goal "at most 3x the text merge" "$(python3 -c "print(int($ratio <= 3))")" "${ratio}x"
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit $status; fi
