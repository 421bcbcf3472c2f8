# Bootstrap a build agent: elevated and conditional installs.
param([switch]$Dev)

$notes = @"
Never run: pip install --user anything
sudo pip install is for Linux
"@

if ($Dev) { pip install --user pre-commit }  # expect: VG302
foreach ($tool in @("black", "ruff")) {
    python -m pip install --user $tool  # expect: VG302
}
Start-Process python -ArgumentList '-m pip install --upgrade pip' -Verb RunAs -Wait  # expect: VG301
Start-Process -FilePath "py" -ArgumentList "-m pip install wheel" -NoNewWindow -Wait  # expect: VG305
Invoke-Expression "pip install --break-system-packages lxml"  # expect: VG303
iex 'python -m pip install --user httpie'  # expect: VG302
& $env:PYTHON -m pip install --user tox  # expect: VG302
${env:PIP_USER} = "true"
pip install nox  # expect: VG302
