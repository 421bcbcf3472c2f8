@echo off
setlocal
if not exist .venv (
    REM expect-below: VG302
    py -m pip install --user virtualenv
    py -m virtualenv .venv
)
if errorlevel 1 (pip install --user wheel) & REM expect: VG302
if /i "%CI%"=="true" pip install --upgrade pip & REM expect: VG305
for %%p in (build twine) do pip install --user %%p & REM expect: VG302
echo Done (see "pip install --user" in the docs)
%PYTHON% -m pip install --user setuptools & REM expect: VG302
REM expect-below: VG301
runas /user:Administrator "pip install pywin32"
