#!/usr/bin/env bash
# Parser throughput (`make bench-parse`): TallyText against Yams in process, and
# `tally parse --format json` against PyYAML's libyaml loader as whole processes, on a
# generated corpus of customer records (deterministic from the seed).
#
#   BENCH_COUNT  records to generate (10000)
#   BENCH_SEED   corpus seed (42)
#   BENCH_RUNS   runs per timing; the best is kept (3)
#   BENCH_STRICT set to 1 to exit 1 when a goal is missed
#
# Builds release products in .build-bench (not .build, so it never disturbs another build),
# writes the corpus and the outputs to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${BENCH_COUNT:-10000}
SEED=${BENCH_SEED:-42}
RUNS=${BENCH_RUNS:-3}
SCRATCH=.build-bench
OUT=bench/out
CORPUS=$OUT/customers

say() { printf '\n== %s\n' "$*"; }
# Timings are only as good as the machine is idle: show what else was running.
load() {
  local avg
  read -r avg _ </proc/loadavg 2>/dev/null || return 0
  echo "(load average $avg on $(getconf _NPROCESSORS_ONLN) cores before this section)"
}
mkdir -p "$OUT"

say "build (release, --scratch-path $SCRATCH)"
start=$SECONDS
for product in tally-bench tally; do
  if ! swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product "$product" >"$OUT/build-$product.log" 2>&1; then
    cat "$OUT/build-$product.log" >&2
    echo "bench: building $product failed" >&2
    exit 2
  fi
done
BIN=$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)
echo "built tally and tally-bench in $((SECONDS - start)) s ($BIN)"

# PyYAML with libyaml: the system python3 when it has it, else a venv in bench/venv.
python_with_libyaml() { "$1" -c 'import yaml; yaml.CBaseLoader' >/dev/null 2>&1; }
PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ] || ! python_with_libyaml "$PYTHON"; then
  if [ ! -x bench/venv/bin/python ] || ! python_with_libyaml bench/venv/bin/python; then
    echo "installing PyYAML (with libyaml) into bench/venv"
    python3 -m venv bench/venv
    bench/venv/bin/python -m pip install --quiet pyyaml
  fi
  PYTHON=bench/venv/bin/python
fi
python_with_libyaml "$PYTHON" || { echo "bench: PyYAML has no libyaml loader (yaml.CBaseLoader)" >&2; exit 2; }
# The interpreter itself, not a wrapper such as a pyenv shim (whose start-up would count).
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
echo "python: $PYTHON, $("$PYTHON" -c 'import sys, yaml; print("Python", sys.version.split()[0], "PyYAML", yaml.__version__, "libyaml", yaml._yaml.get_version_string())')"

say "corpus"
rm -rf "$CORPUS"
"$BIN/tally-bench" generate-customers "$CORPUS" --count "$COUNT" --seed "$SEED"

say "in process: TallyText vs Yams"
load
"$BIN/tally-bench" parse "$CORPUS" --runs "$RUNS" | tee "$OUT/in-process.txt"

say "processes: tally vs PyYAML"
load
"$BIN/tally-bench" processes "$CORPUS" --tally "$BIN/tally" --python "$PYTHON" \
  --script bench/pyyaml_load.py --runs "$RUNS" --out "$OUT" | tee "$OUT/processes.txt"

say "goals"
grep -h '^GOAL' "$OUT/in-process.txt" "$OUT/processes.txt"
if [ "${BENCH_STRICT:-0}" = 1 ] && grep -qh '^GOAL.*FAIL$' "$OUT/in-process.txt" "$OUT/processes.txt"; then
  exit 1
fi
