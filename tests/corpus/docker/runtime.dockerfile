FROM python:3.12-slim AS base
ENV PIP_USER=1
# env -u drops the inherited PIP_USER; --isolated makes pip ignore it
RUN env -u PIP_USER pip install --no-cache-dir gunicorn
RUN pip install --isolated --no-cache-dir uvicorn
RUN <<MOTD cat > /etc/motd && <<SETUP bash
Never run: sudo pip install anything
MOTD
set -e
sudo pip install httpie  # expect: VG301
SETUP

FROM base
WORKDIR /app
# expect-below: VG302
CMD pip install -r /app/plugins.txt && exec gunicorn app:app
