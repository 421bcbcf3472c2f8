# Set up a development environment on Windows.
$ErrorActionPreference = "Stop"

python -m venv .venv
.\.venv\Scripts\Activate.ps1
pip install -r requirements.txt
python -m pip install -e .
deactivate

pip install --user pipenv  # expect: VG302
py -m pip install requests  # expect: VG305
# pip install something-commented
Write-Host "Run: sudo pip install foo"
& "$env:VENV_DIR\Scripts\python.exe" -m pip install wheel
$env:PIP_BREAK_SYSTEM_PACKAGES = "1"
python -m pip install httpx  # expect: VG303
<#
pip install --user inside-a-block-comment
#>
