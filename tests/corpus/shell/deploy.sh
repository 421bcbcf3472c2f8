#!/usr/bin/env bash
set -euo pipefail
APP_DIR=/srv/app
VENV="$APP_DIR/venv"

docker exec web pip install -r requirements.txt
docker run --rm -v "$PWD:/src" -w /src python:3.12 pip install -r requirements.txt
kubectl exec -n prod deploy/api -- pip install -r requirements.txt
ssh deploy@host "cd /srv/app && pip install -r requirements.txt"

"$VENV/bin/pip" install -r requirements.txt
.venv/bin/python -m pip install uvicorn
poetry run pip install debugpy
pipx install black
uv tool install ruff
uv pip install -r requirements.txt
uv venv && uv pip sync requirements.txt
poetry install --no-root
pipenv install --deploy
hatch run pip list

export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"
pip install -r requirements.txt
python -m pip install supervisor
