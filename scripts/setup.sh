#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine: a virtual environment in .venv with the
# project and its test/dev dependencies, and the system packages used by the browser tests.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

# Headless Chromium and its WebDriver (Debian packages) for the browser tests of the HTML
# report (tests/report/test_browser.py), installed only when missing.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends chromium chromium-driver
fi

# Java 17 for PySpark (the Spark engine tests, tests/aggregate/test_spark.py), installed only
# when no Java is found.
if ! command -v java >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends openjdk-17-jre-headless
fi
