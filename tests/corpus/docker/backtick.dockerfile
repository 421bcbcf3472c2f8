# escape=`
FROM python:3.12
RUN apt-get update && `
    apt-get install -y sudo && `
    sudo pip install supervisor  # expect: VG301
# expect-below: VG302
RUN pip install `
    # a comment line inside the instruction
    --user -r requirements.txt
RUN echo "C:\\path\\" && pip install --break-system-packages x  # expect: VG303
