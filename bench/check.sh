#!/usr/bin/env bash
# make bench-check: `tally check` on generated repositories of 10k and 100k customers (plus
# staff, plans and minutes; fixed seed), against check-jsonschema on the same files with the
# JSON Schema `tally schema export` writes, in the same run.
#
# Goals (issue 3): tally check on 100k records under 2 s wall on 2 cores, using both cores,
# at least 20x faster than check-jsonschema, peak memory under 1 GB. The goals are judged on
# the cold check (`--no-cache`: every file read, parsed and validated); the warm figure (a
# repeated check with nothing changed, from the state in the git directory) is shown beside it.
#
# Environment: BENCH_RUNS (default 3), BENCH_SIZES (default "10000 100000"),
# BENCH_SEED (default 7), BENCH_STRICT=1 to exit 1 when a goal is missed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

runs="${BENCH_RUNS:-3}"
sizes="${BENCH_SIZES:-10000 100000}"
seed="${BENCH_SEED:-7}"
out="bench/out/check"
source "$root/bench/lib.sh"
mkdir -p "$out"

build_release "$out" tally tally-bench
tally="$root/$scratch/release/tally"
bench="$root/$scratch/release/tally-bench"

echo "== check-jsonschema (in bench/venv)"
if [ ! -x bench/venv/bin/check-jsonschema ]; then
  python3 -m venv bench/venv >/dev/null
  bench/venv/bin/pip install -q check-jsonschema >"$out/pip.log" 2>&1 \
    || { tail -20 "$out/pip.log"; echo "bench: cannot install check-jsonschema" >&2; exit 1; }
fi
bench/venv/bin/check-jsonschema --version

# Wall, user+sys CPU and peak RSS of a command, best wall of $runs runs.
# Prints: wall_seconds cpu_seconds peak_kb
measure() {
  local best_wall="" best_cpu="" best_rss=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$root/$out/time.txt" -f "%e %U %S %M" "$@" >/dev/null 2>"$root/$out/stderr.txt" || true
    local wall user sys rss cpu
    read -r wall user sys rss <"$root/$out/time.txt"
    cpu=$(python3 -c "print(round($user + $sys, 3))")
    if [ -z "$best_wall" ] || python3 -c "import sys; sys.exit(0 if $wall < $best_wall else 1)"; then
      best_wall=$wall; best_cpu=$cpu; best_rss=$rss
    fi
  done
  echo "$best_wall $best_cpu $best_rss"
}

declare -A summary
for size in $sizes; do
  repo="$out/repo-$size"
  if [ ! -f "$repo/.generated-$seed" ]; then
    rm -rf "$repo"
    echo "== generating $size customers (seed $seed) into $repo"
    "$bench" gen-check "$repo" --customers "$size" --seed "$seed"
    mkdir -p "$repo/schema"
    cp schema/*.yaml "$repo/schema/"
    printf 'version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\ncurrency: CNY\n' >"$repo/tally.yaml"
    touch "$repo/.generated-$seed"
  fi
  records=$(find "$repo" -path "$repo/schema" -prune -o -name '*.yaml' -print | grep -v '/tally.yaml$' | wc -l)
  bytes=$(find "$repo" -name '*.yaml' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
  echo "== $size customers: $records records, $((bytes / 1024 / 1024)) MB"
  (cd "$repo" && "$tally" check >"$root/$out/check-$size.txt") || { tail -20 "$out/check-$size.txt"; exit 1; }
  tail -1 "$out/check-$size.txt"

  # Cold: every file read, parsed and validated (--no-cache: no state from an earlier run;
  # the generated repository lies inside this project's git repository, which would keep one).
  read -r t_wall t_cpu t_rss < <(cd "$repo" && measure "$tally" check --no-cache)
  # Warm: a repeated check of the unchanged files, from the state of the run before.
  (cd "$repo" && "$tally" check >/dev/null)
  read -r w_wall w_cpu w_rss < <(cd "$repo" && measure "$tally" check)
  rm -rf "$repo/.tally-json-schema"
  (cd "$repo" && "$tally" schema export --json-schema .tally-json-schema >/dev/null)

  # check-jsonschema, one process per record type (files in batches: the argument list of
  # 100k files is longer than the system allows).
  cat >"$out/run-cjs.sh" <<EOF
#!/usr/bin/env bash
set -e
cd "$root/$repo"
for pair in customer:customers staff:staff plan:plans minutes:minutes; do
  type=\${pair%%:*}; dir=\${pair##*:}
  find "\$dir" -name '*.yaml' -print0 | xargs -0 -n 20000 "$root/bench/venv/bin/check-jsonschema" \
    --schemafile ".tally-json-schema/\$type.schema.json" >/dev/null
done
EOF
  chmod +x "$out/run-cjs.sh"
  cjs_runs=$runs
  if [ "$size" -ge 50000 ]; then cjs_runs=1; fi
  read -r c_wall c_cpu c_rss < <(runs=$cjs_runs measure bash "$out/run-cjs.sh")

  ratio=$(python3 -c "print(f'{$c_wall / $t_wall:.1f}')")
  cores=$(python3 -c "print(f'{$t_cpu / $t_wall:.2f}')")
  printf '  %-36s %9s s wall %9s s CPU (%s cores)  peak %6d MB\n' "tally check (cold, --no-cache)" "$t_wall" "$t_cpu" "$cores" "$((t_rss / 1024))"
  printf '  %-36s %9s s wall %9s s CPU               peak %6d MB\n' "tally check (warm, nothing changed)" "$w_wall" "$w_cpu" "$((w_rss / 1024))"
  printf '  %-36s %9s s wall %9s s CPU               peak %6d MB\n' "check-jsonschema (per-file schema only)" "$c_wall" "$c_cpu" "$((c_rss / 1024))"
  printf '  check-jsonschema / tally check: %sx\n' "$ratio"
  summary[$size]="$t_wall $t_cpu $t_rss $c_wall $ratio $cores $records"
done

echo
echo "== goals"
status=0
goal() { # name, ok(0/1), detail
  if [ "$2" = 1 ]; then echo "GOAL $1: $3 PASS"; else echo "GOAL $1: $3 FAIL"; status=1; fi
}
for size in $sizes; do
  read -r t_wall t_cpu t_rss c_wall ratio cores records <<<"${summary[$size]}"
  if [ "$size" -ge 100000 ]; then
    goal "tally check (cold) on $records records < 2 s" "$(python3 -c "print(int($t_wall < 2.0))")" "${t_wall} s"
    goal "using both cores (CPU/wall > 1.5)" "$(python3 -c "print(int($cores > 1.5))")" "${cores}"
    goal "peak memory < 1 GB" "$(python3 -c "print(int($t_rss < 1024*1024))")" "$((t_rss / 1024)) MB"
  fi
  goal "$size customers: >= 20x check-jsonschema" "$(python3 -c "print(int($ratio >= 20))")" "${ratio}x"
done
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit $status; fi
