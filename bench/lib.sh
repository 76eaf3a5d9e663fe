# Shared by the bench scripts (sourced): release builds into one scratch path, so every
# benchmark times the same optimised binaries and a second benchmark builds nothing again.
scratch=".build-bench"

# build_release OUT PRODUCT...: builds each product; on failure prints the end of its log
# (OUT/build-PRODUCT.log) and exits 1.
build_release() {
  local out="$1"
  shift
  echo "== building release products (scratch path $scratch)"
  local product
  for product in "$@"; do
    swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" \
      >"$out/build-$product.log" 2>&1 || { tail -30 "$out/build-$product.log"; exit 1; }
  done
}

# timed OUT ERR COMMAND...: runs COMMAND with its output in OUT and ERR, prints its wall
# seconds (bash's clock, ms resolution); on failure prints the end of ERR and returns 1.
timed() {
  local o="$1" e="$2" t
  shift 2
  local TIMEFORMAT=%3R
  t=$({ time "$@" >"$o" 2>"$e"; } 2>&1) || { echo "bench: failed: $*" >&2; tail -20 "$e" >&2; return 1; }
  echo "$t"
}

# best: the smallest of the numbers on standard input (space-separated).
best() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }

# goal LABEL CONDITION DETAIL: prints PASS or MISS for a Python condition; a miss sets status=1
# (scripts exit with it under BENCH_STRICT=1).
status=0
goal() {
  local result=PASS
  python3 -c "import sys; sys.exit(0 if $2 else 1)" || { result=MISS; status=1; }
  echo "goal: $1 $result ($3)"
}

# ensure_command COMMAND PACKAGE: installs the Debian package when the command is missing
# (as root, or with sudo that needs no password); otherwise says what to run and fails.
ensure_command() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo_cmd=(sudo)
    else
      echo "bench: $1 is missing. Run: sudo apt-get update && sudo apt-get install -y $2" >&2
      exit 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || { echo "bench: $1 is missing: install $2" >&2; exit 1; }
  echo "bench: installing $2 with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq >&2 \
    && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$2" >&2 \
    || { echo "bench: apt-get install $2 failed. Run: apt-get update && apt-get install -y $2" >&2; exit 1; }
}

# bump_name PATH N: a one-line change to a record: its name ends in （第N版） (the previous
# version's suffix replaced), so each run of a benchmark makes a different change.
bump_name() {
  python3 - "$1" "$2" <<'PY'
import re, sys
path, n = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read().splitlines(keepends=True)
for i, line in enumerate(text):
    if line.startswith("name: "):
        text[i] = "name: " + re.sub(r"（第[0-9]+版）$", "", line[6:].rstrip("\n")) + "（第" + n + "版）\n"
        break
open(path, "w", encoding="utf-8").write("".join(text))
PY
}

# read_wrk FILE: "p50 p99 errors requests/s" (milliseconds) out of wrk's --latency report.
read_wrk() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
p = {q: ms(v, u) for q, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors += int(m.group(1)) if m else 0
rate = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
print(p.get("50", -1), p.get("99", -1), errors, rate)
PY
}

# start_server OUT TALLY: starts `tally serve` on a free loopback port of the current
# repository's main, in the background; sets server_pid and url, or fails saying why (it
# waits up to a minute: a large repository's caches load first).
start_server() {
  "$2" serve --bind 127.0.0.1:0 --ref main >"$1/serve.out" 2>"$1/serve.err" &
  server_pid=$!
  for _ in $(seq 600); do grep -q http "$1/serve.out" 2>/dev/null && break; sleep 0.1; done
  url="$(awk '{print $3}' "$1/serve.out")"
  [ -n "$url" ] || { echo "bench: tally serve did not start" >&2; cat "$1/serve.err" >&2; exit 1; }
}
