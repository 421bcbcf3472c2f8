#!/usr/bin/env bash
# Provisioning helpers with wrappers that run, and that do not run, their command.
set -euo pipefail
export PIP_USER=1

env -u PIP_USER python3 -m pip install --upgrade pip  # expect: VG305
env -i PATH=/usr/bin:/bin pip3 install wheel  # expect: VG305
: sudo pip install placeholder
sudo -l pip install --dry-check
time { sudo pip install ansible; }  # expect: VG301
sh -c $'echo setting up\nsudo pip3 install awscli'  # expect: VG301
python3 -m pip install --isolated -r requirements.txt  # expect: VG305
python3 -m pip install -r requirements-dev.txt  # expect: VG302
