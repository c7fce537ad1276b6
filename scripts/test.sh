#!/usr/bin/env bash
# The test command: set up (scripts/setup.sh) and run the whole test suite.
# Extra arguments are passed to pytest, e.g. `bash scripts/test.sh -k wilson`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
exec .venv/bin/python -m pytest "$@"
