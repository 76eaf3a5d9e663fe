#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, the demo and the benchmarks:
#   scripts/postgres.sh start DIR   installs Debian's postgresql when missing, creates a cluster
#                                   in DIR, starts it on a free loopback port and prints its URL
#   scripts/postgres.sh stop DIR    stops it (the caller removes DIR)
#   scripts/postgres.sh with CMD…   runs CMD with TALLY_TEST_POSTGRES_URL set to a server started
#                                   for it in a temporary folder, stopped and removed after
# Nothing listens beyond 127.0.0.1; the cluster trusts local connections.
set -euo pipefail

say() { printf 'tally-setup: %s\n' "$*" >&2; }

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}

install_postgres() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "PostgreSQL is not installed and this is not a Debian/Ubuntu system: install PostgreSQL 13 or later (initdb, pg_ctl, psql)."
    exit 1
  fi
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd=(sudo); else
      say "PostgreSQL is needed. Run: sudo apt-get update && sudo apt-get install -y postgresql"
      exit 1
    fi
  fi
  say "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >&2 || { say "apt-get update failed. Run: apt-get update && apt-get install -y postgresql"; exit 1; }
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends postgresql postgresql-client >&2 \
    || { say "apt-get install postgresql failed. Run: apt-get install -y postgresql"; exit 1; }
}

free_port() {
  local port
  for port in $(seq 54330 54999); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  say "no free port between 54330 and 54999"
  exit 1
}

# Runs a PostgreSQL program as the owner of DIR (initdb refuses to run as root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = with ]; then
  shift
  [ $# -gt 0 ] || { echo "usage: $0 with COMMAND..." >&2; exit 64; }
  scratch="$(mktemp -d "${TMPDIR:-/tmp}/tally-pg.XXXXXX")"
  chmod 755 "$scratch"
  cleanup() { bash "$0" stop "$scratch/server"; rm -rf "$scratch"; }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  url="$(bash "$0" start "$scratch/server")"
  say "PostgreSQL for the tests at $url"
  TALLY_TEST_POSTGRES_URL="$url" "$@"
  exit $?
fi

command="${1:-}"
dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 64; }

case "$command" in
  start)
    bin="$(find_bin)" || { install_postgres; bin="$(find_bin)" || { say "initdb not found after installing postgresql"; exit 1; }; }
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres; chown postgres "$dir"; }
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { say "initdb failed:"; cat "$dir/initdb.log" >&2; exit 1; }
    port="$(free_port)"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { say "the PostgreSQL server did not start:"; tail -20 "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
  stop)
    bin="$(find_bin)" || exit 0
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 64
    ;;
esac
