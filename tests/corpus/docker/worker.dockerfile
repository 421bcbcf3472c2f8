FROM ubuntu:24.04
RUN apt-get update && apt-get install -y python3 python3-pip python3-venv
RUN pip3 install --break-system-packages celery[redis]  # expect: VG303
RUN python3 -m venv /venv && /venv/bin/pip install flower
RUN curl -fsSL https://bootstrap.pypa.io/get-pip.py -o get-pip.py \
 && python3 get-pip.py --user  # expect: VG302
