#!/usr/bin/env bash
# Makes sure the system packages Tally builds against are installed.
# Installs them with apt-get when they are missing and we are allowed to;
# otherwise says exactly what to run and fails.
set -euo pipefail

say() { printf 'tally-setup: %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1; then
  say "the Swift toolchain is not on PATH. Install Swift 6.x (https://www.swift.org/install/linux/) and try again."
  exit 1
fi

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists libgit2 2>/dev/null; then missing+=(libgit2-dev); fi
if ! pkg-config --exists sqlite3 2>/dev/null; then missing+=(libsqlite3-dev); fi
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

say "missing system packages: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  say "this is not a Debian/Ubuntu system: install ${missing[*]} (libgit2 >= 1.5 and SQLite >= 3.34 with their pkg-config files) with your package manager, then run this again."
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo)
  else
    say "installing needs root. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

say "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get update -qq >&2; then
  say "apt-get update failed (no network to the package mirror?). Run: apt-get update && apt-get install -y ${missing[*]}"
  exit 1
fi
if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
  say "apt-get install failed. Run: apt-get install -y ${missing[*]}"
  exit 1
fi
if ! pkg-config --exists libgit2; then
  say "libgit2-dev was installed but pkg-config still cannot find libgit2; check PKG_CONFIG_PATH."
  exit 1
fi
say "installed libgit2 $(pkg-config --modversion libgit2)"
