#!/usr/bin/env bash
# Renders every page of a report site (tally report all --html DIR) with headless Chromium
# into PNG screenshots, to check by eye that tables and charts look right in a browser.
# Installs chromium and CJK fonts with apt-get when they are missing.
#
# Usage: scripts/screenshot-reports.sh SITE_DIR [OUT_DIR]
set -euo pipefail
site="${1:?usage: scripts/screenshot-reports.sh SITE_DIR [OUT_DIR]}"
out="${2:-$site/screenshots}"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null \
      || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null; }
  else
    echo "screenshot-reports: chromium is missing; run: sudo apt-get install chromium fonts-noto-cjk" >&2
    exit 2
  fi
fi
mkdir -p "$out"
for page in "$site"/*.html; do
  name=$(basename "$page" .html)
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,1600 \
    --screenshot="$out/$name.png" "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" >/dev/null 2>&1
  echo "$out/$name.png"
done
