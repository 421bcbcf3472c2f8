# syntax=docker/dockerfile:1.6
FROM python:3.12-slim AS build
ARG PIP_BREAK_SYSTEM_PACKAGES=1
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    pip install -r /tmp/requirements.txt  # expect: VG303

FROM python:3.12-slim AS runtime
RUN --mount=type=cache,target=/root/.cache/pip \
    --network=default \
    sudo pip install gunicorn  # expect: VG301
# expect-below: VG302
RUN python -m pip install --upgrade pip \   
    --user wheel
RUN --mount=type=secret,id=netrc,target=/root/.netrc \
    <<EOF
set -eu
pip install --user -r requirements.txt  # expect: VG302
EOF
RUN --mount=type=cache,target=/root/.cache/pip \
    # expect-below: VG302
    ["python3", "-m", "pip", "install", "--user", "httpie"]
