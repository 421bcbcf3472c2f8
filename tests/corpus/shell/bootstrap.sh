#!/bin/sh
# Set up a development environment.
set -e

PYTHON=${PYTHON:-python3}

if [ ! -d .venv ]; then
    "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
pip install --upgrade pip
pip install -r requirements.txt
pip install -e ".[dev]"
pre-commit install
deactivate

# The release tooling lives outside the venv on purpose (but should not).
pip install twine  # expect: VG305
$PYTHON -m pip install build  # expect: VG305
