#!/usr/bin/env bash
# Helpers in the style of many CI scripts: a retry wrapper and a pip wrapper on top of it.
set -euo pipefail

retry () {
    "$@" || (sleep 2 && "$@") || (sleep 10 && "$@")
}

run() { $*; }

pip_install() {
    retry python -m pip install --progress-bar off "$@"  # expect: VG305
}

PIP_SUDO=""
if [ "${USE_SUDO:-}" = "yes" ]; then
    echo "sudo is not used for pip here"
fi

pip_install numpy scipy
run sudo pip install --upgrade setuptools  # expect: VG301
$PIP_SUDO pip install dist/*.whl  # expect: VG305
retry echo "pip install --user is only text here"
