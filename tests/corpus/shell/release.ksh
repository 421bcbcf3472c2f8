#!/bin/ksh
# Build artifacts for the lambda layer.
rm -rf package && mkdir package
pip install --target package/python -r requirements.txt
python3 -m pip install -r requirements.txt -t build/
pip-compile requirements.in
grep -q pip requirements.txt && echo "pip mentioned"
printf '%s\n' "sudo pip install x" > notes.txt
export PIP_USER=1
pip install -r requirements.txt  # expect: VG302
