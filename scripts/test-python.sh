#!/usr/bin/env bash
# Prints the path of a python3 that has jsonschema and PyYAML (the end-to-end tests
# cross-check `tally schema export` with them), Datasette (it serves `tally export sqlite`'s
# file), icalendar (it reads `tally calendar`) and Selenium (it drives chromium through
# `tally serve`'s pages). Uses the system's python3 when it has
# them, otherwise sets up .venv-test once. Prints nothing and exits 1 when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null 2>&1; then
  echo "tally-setup: python3 is needed by the tests (apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
if python3 -c 'import jsonschema, yaml, datasette, icalendar, selenium' >/dev/null 2>&1; then
  command -v python3
  exit 0
fi
if [ ! -x .venv-test/bin/python ] || ! .venv-test/bin/python -c 'import jsonschema, yaml, datasette, icalendar, selenium' >/dev/null 2>&1; then
  echo "tally-setup: installing jsonschema, PyYAML, Datasette, icalendar and Selenium into .venv-test for the tests" >&2
  python3 -m venv .venv-test >&2 || { echo "tally-setup: python3 -m venv failed (apt-get install -y python3-venv)" >&2; exit 1; }
  .venv-test/bin/pip install -q jsonschema pyyaml datasette icalendar selenium >&2 || { echo "tally-setup: pip install jsonschema pyyaml datasette icalendar selenium failed" >&2; exit 1; }
fi
echo "$PWD/.venv-test/bin/python"
