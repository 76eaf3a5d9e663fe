#!/usr/bin/env bash
# Fuzzes the record parser for SECONDS (default 60) and fails when libFuzzer finds a
# crash, an invariant violation (fatalError in fuzz/main.swift), a timeout or an OOM.
#
#   bash fuzz/run.sh [SECONDS]
#
# New interesting inputs go to fuzz/corpus-run/ (scratch, gitignored; kept between runs
# so local runs build on each other, `rm -rf fuzz/corpus-run` to start over). fuzz/corpus/
# (the committed seeds) and fuzz/regressions/ (minimised past crashes) are read, never
# written. The full libFuzzer log is fuzz/out/fuzz.log.
#
# Environment: FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2").
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
case "$seconds" in
  '' | *[!0-9]*) echo "usage: bash fuzz/run.sh [SECONDS]   (got '$seconds')" >&2; exit 2 ;;
esac

binary="fuzz/tally-fuzz"
log="fuzz/out/fuzz.log"

# Swift's own crash backtracer (swift-backtrace) would run on every fatalError; under
# ASan/libFuzzer it can hang for minutes holding the log open. libFuzzer and ASan print
# the stack themselves.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

bash fuzz/build.sh

mkdir -p fuzz/out fuzz/corpus-run
cp -p fuzz/corpus/* fuzz/corpus-run/ 2>/dev/null || true

dirs=(fuzz/corpus-run fuzz/corpus)
if [ -d fuzz/regressions ] && [ -n "$(ls -A fuzz/regressions 2>/dev/null)" ]; then
  dirs+=(fuzz/regressions)
fi

# Remember which artifacts already exist, to name only the ones this run wrote.
shopt -s nullglob
before=(fuzz/crash-* fuzz/timeout-* fuzz/oom-* fuzz/leak-* fuzz/slow-unit-*)
shopt -u nullglob

echo "fuzz/run.sh: fuzzing for ${seconds}s (log: $log)"
status=0
# shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
"./$binary" "${dirs[@]}" \
  -max_total_time="$seconds" \
  -max_len=8192 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -artifact_prefix=fuzz/ \
  -print_final_stats=1 \
  ${FUZZ_ARGS:-} \
  >"$log" 2>&1 || status=$?

# A short summary from the final stats.
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
added="$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)"
rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)"
cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n 1 || true)"

if [ "$status" -eq 0 ]; then
  echo "fuzz/run.sh: no crash in ${seconds}s: ${runs:-?} runs, ${rate:-?} exec/s, ${added:-0} new inputs, peak RSS ${rss:-?} MB${cov:+, $cov}"
  exit 0
fi

echo "fuzz/run.sh: FAILED (libFuzzer exit status $status); from $log:" >&2
echo "----------------------------------------------------------------------" >&2
# The failure message (an invariant from fuzz/main.swift, an ASan report, a timeout...),
# the parser's frames of the stack, and libFuzzer's summary; the whole log if none match.
what="$(awk '
  /Fatal error:/ && !done { on = 1 }
  on && /^[[:space:]]*$/ { on = 0; done = 1 }
  on { print; next }
  /==ERROR:|ERROR: libFuzzer/ && !err { print; err = 1; n = 1; next }
  n > 0 && !/^ +#[0-9]/ { print; n-- }' "$log" | head -n 30)"
frames="$(grep -E '^ +#[0-9]+ .* in (\$s9TallyText|LLVMFuzzerTestOneInput)' "$log" | sed -E 's/^ +(#[0-9]+) 0x[0-9a-f]+ in /  \1 /' | head -n 12 || true)"
summary="$(grep -E '^SUMMARY:|Test unit written to|^Base64:' "$log" || true)"
if [ -n "$what$summary" ]; then
  [ -n "$what" ] && printf '%s\n' "$what" >&2
  [ -n "$frames" ] && { echo "stack (TallyText frames):"; printf '%s\n' "$frames"; } >&2
  [ -n "$summary" ] && printf '%s\n' "$summary" >&2
else
  tail -n 40 "$log" >&2
fi
echo "----------------------------------------------------------------------" >&2

shopt -s nullglob
after=(fuzz/crash-* fuzz/timeout-* fuzz/oom-* fuzz/leak-* fuzz/slow-unit-*)
shopt -u nullglob
artifacts=()
for f in "${after[@]}"; do
  new=1
  for g in "${before[@]}"; do [ "$f" = "$g" ] && new=0 && break; done
  [ "$new" = 1 ] && artifacts+=("$f")
done
if [ ${#artifacts[@]} -eq 0 ]; then
  # Fall back to what libFuzzer says it wrote.
  while IFS= read -r f; do [ -n "$f" ] && artifacts+=("$f"); done \
    < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | sed 's|^\./||' | sort -u)
fi

if [ ${#artifacts[@]} -eq 0 ]; then
  echo "fuzz/run.sh: libFuzzer failed without writing an input (see $log)." >&2
  exit 1
fi
for artifact in "${artifacts[@]}"; do
  echo "fuzz/run.sh: failing input: $artifact ($(wc -c <"$artifact" | tr -d ' ') bytes)" >&2
done
artifact="${artifacts[0]}"
cat >&2 <<MSG

To reproduce:   SWIFT_BACKTRACE=enable=no ./$binary $artifact
To minimise:    SWIFT_BACKTRACE=enable=no ./$binary -minimize_crash=1 -max_total_time=60 -exact_artifact_path=fuzz/regressions/NAME.yaml $artifact
Then keep the minimised input in fuzz/regressions/ (the fuzzer replays it on every run)
and add it as a regression test in Tests/TallyTextTests (see fuzz/README.md), fix the
parser or printer, and check that './$binary fuzz/regressions/NAME.yaml' passes.
MSG
exit 1
