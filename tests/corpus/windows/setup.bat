@echo off
REM sudo pip install nothing here
:: pip install --user also nothing
python -m venv venv
call venv\Scripts\activate.bat
pip install -r requirements.txt
call deactivate
pip install --user virtualenv & REM expect: VG302
python -m pip install wheel & REM expect: VG305
echo pip install foo
set PIP_USER=1
py -3.12 -m pip install black & REM expect: VG302
