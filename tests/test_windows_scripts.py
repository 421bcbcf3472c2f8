"""PowerShell and batch files: blocks, conditions, here-strings and elevation wrappers."""

from __future__ import annotations

import pytest

from venvguard.shell.analyser import Analyser
from venvguard.sources.snippet import Snippet

from .test_sources import lines


def found(kind: str, text: str) -> list[tuple[int, int, str]]:
    """Findings with VG305 off, as for CI steps and docs."""
    return lines(kind, text, outside_venv=False)


def test_powershell_blocks_are_statements() -> None:
    text = (
        "if ($Dev) { pip install --user d }\n"  # 1
        "foreach ($p in $pkgs) {\n"  # 2
        "    python -m pip install --user $p\n"  # 3
        "}\n"  # 4
        "Invoke-Command -ScriptBlock { sudo pip install e }\n"  # 5
        "${env:PIP_USER} = 1\n"  # 6
        "pip install f\n"  # 7
    )
    assert found("powershell", text) == [
        (1, 13, "VG302"),
        (3, 5, "VG302"),
        (5, 31, "VG301"),
        (7, 1, "VG302"),
    ]


@pytest.mark.parametrize(
    "removal",
    [
        "Remove-Item Env:PIP_USER",
        "Remove-Item -Path Env:\\PIP_USER",
        "remove-item env:/PIP_USER -ErrorAction SilentlyContinue",
        "del env:PIP_USER",
        "ri Env:PIP_USER",
        "rm Env:PIP_USER",
        "[Environment]::SetEnvironmentVariable('PIP_USER', $null)",
    ],
)
def test_powershell_removing_an_environment_variable_unsets_it(removal: str) -> None:
    text = f'$env:PIP_USER = "1"\npip install a\n{removal}\npip install b\n'
    assert found("powershell", text) == [(2, 1, "VG302")]


def test_powershell_setting_an_environment_variable_for_this_process_only() -> None:
    text = (
        "[Environment]::SetEnvironmentVariable('PIP_USER', '1', 'User')\n"
        "pip install a\n"  # 2: only later sessions see it
        '[System.Environment]::SetEnvironmentVariable("PIP_USER", "1")\n'
        "pip install b\n"  # 4
    )
    assert found("powershell", text) == [(4, 1, "VG302")]


def test_powershell_call_operator_written_against_its_command() -> None:
    text = (
        "&python -m pip install --user a\n"
        '&"C:\\Program Files\\Python311\\python.exe" -m pip install --user b\n'
        "& pip install --user c\n"
    )
    assert found("powershell", text) == [(1, 1, "VG302"), (2, 1, "VG302"), (3, 1, "VG302")]


def test_powershell_here_strings_are_data() -> None:
    text = (
        '$m = @"\n'  # 1
        "pip install --user x\n"  # 2
        '"@\n'  # 3
        "$n = @'  \n"  # 4
        "sudo pip install y\n"  # 5
        "'@\n"  # 6
        "pip install --user z\n"  # 7
    )
    assert found("powershell", text) == [(7, 1, "VG302")]


def test_a_variable_set_from_an_argument_is_unknown_not_text() -> None:
    batch = (
        "set PY=%1\n"
        "%PY% -m pip install --user a\n"  # 2
        '"%PY%" -m pip install --break-system-packages b\n'  # 3
        "set PythonExe=%~1\n"
        'call "%PythonExe%" setup.py install --user\n'  # 5
    )
    assert found("batch", batch) == [(2, 1, "VG302"), (3, 1, "VG303"), (5, 1, "VG302")]
    powershell = "$py = $args[0]\n& $py -m pip install --user a\n"
    assert found("powershell", powershell) == [(2, 1, "VG302")]


def test_a_powershell_string_or_comment_never_closed_is_a_problem_on_its_line() -> None:
    for opening in ('$m = @"', "<# note"):
        text = f"pip install --user a\n{opening}\npip install --user b\n"
        analyser = Analyser(outside_venv=False)
        analyser.run([Snippet(text, ((1, 0), (2, 0), (3, 0)), "powershell")])
        assert [hit.line for hit in analyser.hits.values()] == [1]
        assert analyser.problems == [2]


def test_powershell_invoke_expression_and_start_process() -> None:
    text = (
        'Invoke-Expression "pip install --user x"\n'  # 1
        "iex 'python -m pip install --break-system-packages y'\n"  # 2
        "Start-Process python -ArgumentList '-m pip install z' -Verb RunAs\n"  # 3
        'Start-Process -FilePath pip -ArgumentList "install --user w" -Wait\n'  # 4
        "Start-Process python -ArgumentList '-m','pip','install','v' -Verb runAs\n"  # 5
        "Start-Process notepad -Verb RunAs\n"  # 6
    )
    assert [(line, code) for line, _, code in found("powershell", text)] == [
        (1, "VG302"),
        (2, "VG303"),
        (3, "VG301"),
        (4, "VG302"),
        (5, "VG301"),
    ]


def test_powershell_unset_variables_name_their_program() -> None:
    text = "& $env:PYTHON -m pip install --user a\n$Pip install --user b\n"
    assert [(line, code) for line, _, code in found("powershell", text)] == [
        (1, "VG302"),
        (2, "VG302"),
    ]


def test_powershell_a_variable_set_from_an_expression_holds_an_unknown_program() -> None:
    text = (
        "$py = (Get-Command python).Source\n& $py -m pip install --user a\n"  # 2
        '$pip = "$env:LOCALAPPDATA\\venv\\Scripts\\pip.exe"\n& $pip install b\n'  # 4: a venv
        "$pip = & where.exe pip | Select-Object -First 1\n& $pip install --user c\n"  # 6
    )
    assert [(line, code) for line, _, code in found("powershell", text)] == [
        (2, "VG302"),
        (6, "VG302"),
    ]


def test_batch_and_powershell_run_activate_in_their_own_process() -> None:
    text = "@echo off\npython -m venv venv\ncall venv/Scripts/activate\npip3 install -e .\n"
    assert lines("batch", text) == []
    text = "python -m venv venv\n./venv/Scripts/activate\npip install -e .\n"
    assert lines("powershell", text) == []


def test_batch_conditions_blocks_and_loops() -> None:
    text = (
        "@echo off\n"  # 1
        "if not exist venv pip install --user b\n"  # 2
        "if errorlevel 1 (pip install --user m)\n"  # 3
        'if /i "%1"=="dev" (\n'  # 4
        "    python -m pip install --user n\n"  # 5
        ") else (\n"  # 6
        "    echo skipped (nothing to do)\n"  # 7
        ")\n"  # 8
        "for %%p in (a b) do pip install --user %%p\n"  # 9
        "if defined CI pip install o\n"  # 10
        'echo "pip install --user never"\n'  # 11
    )
    assert found("batch", text) == [
        (2, 19, "VG302"),
        (3, 18, "VG302"),
        (5, 5, "VG302"),
        (9, 21, "VG302"),
    ]


def test_batch_unset_variables_and_runas() -> None:
    text = (
        "%PYTHON% -m pip install --user l\n"  # 1
        '"%PYTHON%" -m pip install --user l\n'  # 2
        'runas /user:Administrator "pip install x"\n'  # 3
        'runas /user:builder "pip install --user y"\n'  # 4
    )
    assert [(line, code) for line, _, code in found("batch", text)] == [
        (1, "VG302"),
        (2, "VG302"),
        (3, "VG301"),
        (4, "VG302"),
    ]


def test_invoke_expression_with_its_command_parameter() -> None:
    text = 'Invoke-Expression -Command "pip install --user a"\niex -C "pip install --user b"\n'
    assert lines("powershell", text) == [(1, 29, "VG302"), (2, 9, "VG302")]


def test_text_shown_by_powershell_and_batch_is_not_an_install() -> None:
    text = "Write-Host pip install --user a\nWrite-Output pip install b\n"
    assert lines("powershell", text) == []
    assert lines("batch", "title pip install --user c\nfindstr pip install x\n") == []


def test_the_installed_windows_pythons_are_system_pythons() -> None:
    batch = (
        '"C:\\Program Files\\Python312\\python.exe" -m pip install a\n'
        '"%ProgramFiles%\\Python312\\python.exe" -m pip install b\n'
        "%LOCALAPPDATA%\\Programs\\Python\\Python312\\python.exe -m pip install c\n"
        '"C:\\Program Files (x86)\\Python39-32\\Scripts\\pip.exe" install d\n'
        '"C:\\Program Files\\MyApp\\python.exe" -m pip install e\n'  # not a Python install
    )
    assert lines("batch", batch) == [
        (1, 1, "VG305"),
        (2, 1, "VG305"),
        (3, 1, "VG305"),
        (4, 1, "VG305"),
    ]
    powershell = (
        '& "$env:LOCALAPPDATA\\Programs\\Python\\Python312\\python.exe" -m pip install a\n'
        "& $env:LOCALAPPDATA\\Programs\\Python\\Python312\\python.exe -m pip install b\n"
        '& "${env:ProgramFiles}\\Python312\\python.exe" -m pip install c\n'
        '& "C:\\Program Files\\Python312\\python.exe" -m pip install d\n'
    )
    assert lines("powershell", powershell) == [
        (1, 1, "VG305"),
        (2, 1, "VG305"),
        (3, 1, "VG305"),
        (4, 1, "VG305"),
    ]


def test_powershell_backtick_escaped_quotes_stay_inside_the_string() -> None:
    text = (
        '$arguments = "/K `"activate.bat`" myenv && pip install -U foo && interpreter`""\n'
        '$c = "x `" && pip install -U bar"\n'
        "pip install --user baz\n"  # 3
    )
    assert lines("powershell", text) == [(3, 1, "VG302")]


def test_powershell_a_command_on_the_right_of_an_assignment_runs() -> None:
    text = (
        "$output = & pip install --user a 2>&1\n"  # 1
        "$out2 = pip install --user b\n"  # 2
        "$out3 = (python -m pip install --user c)\n"  # 3
        "$out4 = $(pip install --user d | Out-String)\n"  # 4
        '$text = "pip install --user e"\n'  # 5: a string
        "$n = 3\n"  # 6
        "$py = python\n"  # 7: a command's output, not a program name
        "& $py -m pip install --user f\n"  # 8: still a Python, running pip
    )
    assert found("powershell", text) == [
        (1, 11, "VG302"),
        (2, 9, "VG302"),
        (3, 10, "VG302"),
        (4, 11, "VG302"),
        (8, 1, "VG302"),
    ]


def test_a_command_guarded_by_a_test_of_virtual_env_runs_in_that_venv() -> None:
    batch = (
        "@echo off\r\n"
        "if defined VIRTUAL_ENV (pip install a)\r\n"
        "if not defined VIRTUAL_ENV (pip install b)\r\n"  # 3
        "pip install ^--user c\r\n"  # 4: the caret only escapes the dash
        'pip install "^--user" d\r\n'  # 5: inside quotes it stays
    )
    assert lines("batch", batch) == [(3, 29, "VG305"), (4, 1, "VG302"), (5, 1, "VG305")]
    powershell = (
        "if ($env:VIRTUAL_ENV) { pip install a }\n"
        "if (-not $env:VIRTUAL_ENV) { pip install b }\n"  # 2
        "pip install c\n"  # 3
    )
    assert lines("powershell", powershell) == [(2, 30, "VG305"), (3, 1, "VG305")]
