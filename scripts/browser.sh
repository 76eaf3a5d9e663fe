#!/usr/bin/env bash
# Prints the path of a chromedriver that drives Debian's chromium, for the browser tests of
# `tally serve` (Tests/TallyEndToEndTests/BrowserTests.swift). Installs chromium,
# chromium-driver and a CJK font (the team's names are Chinese) with apt-get when they are
# missing and we may; otherwise says what to run and exits 1 having printed nothing.
set -euo pipefail
say() { printf 'tally-setup: %s\n' "$*" >&2; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
fc-list : family 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || missing+=(fonts-noto-cjk)

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "the browser tests need ${missing[*]}; install them with your package manager"
    exit 1
  fi
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo_cmd=(sudo)
    else
      say "the browser tests need ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
  fi
  say "installing ${missing[*]} with apt-get for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >&2 || { say "apt-get update failed"; exit 1; }
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >&2 \
    || { say "apt-get install ${missing[*]} failed"; exit 1; }
fi
command -v chromedriver
