#!/usr/bin/env bash
# Provision a build box: system tools first, then the project in its own venv.
set -euo pipefail

bash -euxo pipefail -c 'apt-get update && apt-get install -y python3-venv'
bash -euxo pipefail -c 'pip install --user awscli'  # expect: VG302
su --command="pip install supervisor" root  # expect: VG301
su -l -c 'python3 -m pip install certbot'  # expect: VG301
env -S 'PIP_BREAK_SYSTEM_PACKAGES=1 pip install ansible'  # expect: VG303
uv pip install --python /usr/bin/python3 httpie  # expect: VG304

python3 -m venv /srv/app/venv
uv pip install --python /srv/app/venv/bin/python -r requirements.txt
env -S '/srv/app/venv/bin/pip install gunicorn'
echo "to upgrade by hand: sudo pip install -U app"
