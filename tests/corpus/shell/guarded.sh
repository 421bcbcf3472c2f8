#!/usr/bin/env bash
# Install dev requirements into the active virtual environment.
if [[ -z "${VIRTUAL_ENV:-}" ]]; then
    echo "Activate a virtual environment first" >&2
    exit 1
fi
pip install -r requirements-dev.txt
