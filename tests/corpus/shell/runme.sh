#!/usr/bin/env bash
# An integration target: shapes seen in real test harnesses and provisioning scripts.
set -eux

# Where the interpreter's own files live; printing base_prefix is no venv check.
cp -v lib/* "$(python3 -c 'import sys; print(sys.base_prefix)')/lib"
pip install tox  # expect: VG305

if [ "$(python3 -c 'import sys; print(sys.prefix != sys.base_prefix)')" = True ]; then
    pip install pytest
fi
deactivate 2>/dev/null || true

install_tools() {
    local runner="sudo -H LC_ALL=C.UTF-8"
    local pip_cmd="python$PY_VERSION -m pip"  # expect-below: VG301
    $runner \
        http_proxy="${http_proxy:-}" \
        $pip_cmd install -U tools
}
install_tools

# Another account's user site, not root's.
sudo -u builder -H bash -c 'pip install --user wheel'  # expect: VG302
"$(hg debuginstall -T '{pythonexe}')" -m pip install --user hg-evolve  # expect: VG302

# The harness's helper makes a fresh venv and activates it.
source ./setup-venv.sh
pip install pexpect
python -m pip install -e .
