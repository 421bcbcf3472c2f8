#!/usr/bin/env bash
# CI bootstrap for the integration runners (Ubuntu images).
set -euo pipefail

echo "Installing system packages"
sudo apt-get update -qq
sudo apt-get install -y python3-pip python3-venv libpq-dev

# Never do this: sudo pip install -r requirements.txt
echo "never sudo pip install anything"

sudo -H pip3 install --upgrade pip setuptools wheel  # expect: VG301
sudo -H python3.11 -m pip install tox  # expect: VG301
test -d build && sudo pip install -e .  # expect: VG301
sudo -E env "PATH=$PATH" pip install codecov  # expect: VG301
doas pip install awscli  # expect: VG301
su -c "pip install ansible"  # expect: VG301
su root -c 'pip3 install docker-compose'  # expect: VG301
time sudo pip install pyyaml  # expect: VG301
xargs -n1 sudo pip install < tools.txt  # expect: VG301
curl -sSL https://bootstrap.pypa.io/get-pip.py | sudo python3  # expect: VG301

pip install --user -r requirements-ci.txt  # expect: VG302
python3 -m pip install --user pipx
python3 -m pip install --user --upgrade pipx
bash -c 'pip install --user pre-commit'  # expect: VG302
env PIP_USER=yes pip install coverage  # expect: VG302
nohup pip install --user jupyter &  # expect: VG302

pip install --break-system-packages httpx  # expect: VG303
pip3 install --break-system-package rich  # expect: VG303
PIP_BREAK_SYSTEM_PACKAGES=1 pip install click  # expect: VG303

uv pip install --system ruff  # expect: VG304
pip install --prefix=/usr/local mypy  # expect: VG304
pip install --target "$(python3 -c 'import site; print(site.getsitepackages()[0])')" six  # expect: VG304

cat > /tmp/help.txt <<EOF
To install: sudo pip install mytool
pip install --user mytool
EOF

pip download -d wheels -r requirements.txt
pip install --target ./vendor requests
pip uninstall -y oldpkg
pip wheel . -w dist
pip3 freeze > /tmp/freeze.txt
pip install --dry-run -r requirements.txt
