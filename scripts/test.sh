#!/usr/bin/env bash
# The test command: set up (scripts/setup.sh) and run the whole test suite.
# Extra arguments are passed to pytest, e.g. `bash scripts/test.sh -k wilson`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
# Two worker processes (the CI machine has 2 cores); tests of one file share a worker so that
# module-level fixtures (such as the sample-trust run) are computed once. PYTEST_WORKERS=0 runs
# everything in one process.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
