#!/usr/bin/env bash
# The main job on the bundled synthetic sample trust: create .venv if missing, install the
# project, and write the quarterly report into ./report (or the folder given as $1):
#
#     bash scripts/demo.sh            # then open report/report.html
#
# The sample data and its configuration are copied into report/sample_data/.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
OUT="${1:-report}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/equitymetrics demo --out "$OUT"
echo "Open $OUT/report.html in a browser."
