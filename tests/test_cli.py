"""The command line contract: options, one-line errors, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from venvguard import __version__
from venvguard.rules import RULES

from .conftest import Repo, run_cli


def test_version_is_printed_by_console_script_and_module(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("venvguard")
    for command in ([str(script)], [sys.executable, "-m", "venvguard"]):
        completed = subprocess.run(
            [*command, "--version"], check=False, capture_output=True, text=True, cwd=tmp_path
        )
        assert completed.returncode == 0
        assert completed.stdout.strip() == f"venvguard {__version__}"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "--select", "VG9"], "unknown rule code or prefix 'VG9'"),
        (["check", "--ignore", "E501"], "unknown rule code or prefix 'E501'"),
        (["check", "--format", "xml"], "invalid choice: 'xml'"),
        (["check", "--bogus"], "unrecognized arguments: --bogus"),
        (["check", "no/such/path"], "no/such/path: no such file or folder"),
        (["check", "--fix", "--diff"], "--fix and --diff do not go together"),
        (["rules", "VG999"], "unknown rule 'VG999'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(repo: Repo, args: list[str], needle: str) -> None:
    result = run_cli(*args, cwd=repo.path)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert needle in lines[0]


def test_rules_lists_every_rule_and_explains_one(repo: Repo) -> None:
    listing = run_cli("rules", cwd=repo.path)
    assert listing.code == 0
    for code, rule in RULES.items():
        assert f"{code}  {rule.name}" in listing.out
    explained = run_cli("rules", "sudo-install", cwd=repo.path)
    assert explained.code == 0
    assert explained.out.startswith("VG301 (sudo-install)")
    assert "Flagged:" in explained.out and "Instead:" in explained.out
    as_json = json.loads(run_cli("rules", "--format", "json", cwd=repo.path).out)
    assert [r["code"] for r in as_json] == list(RULES)


def test_clean_repository_passes_with_summary_and_json_contract(repo: Repo) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    repo.write("app.py", "print('hi')\n")
    repo.commit()
    text = run_cli("check", cwd=repo.path)
    assert text.code == 0, text.out + text.err
    assert "All checks passed" in text.out
    data = json.loads(run_cli("check", "--format", "json", cwd=repo.path).out)
    assert data["version"] == 1
    assert data["tool"] == {"name": "venvguard", "version": __version__}
    assert Path(data["root"]) == repo.path.resolve()
    assert data["findings"] == []
    assert set(data["summary"]) == {"files_checked", "errors", "warnings"}


def test_output_file_receives_the_report(repo: Repo, tmp_path: Path) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    target = tmp_path / "report.json"
    result = run_cli("check", "--format", "json", "--output", str(target), cwd=repo.path)
    assert result.code == 0
    assert result.out == ""
    assert json.loads(target.read_text())["findings"] == []


def test_file_paths_limit_the_per_file_checks_and_group_by_repository(repo: Repo) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    for folder in ("a", "b"):
        for index in range(30):
            repo.write(f"{folder}/s{index}.sh", "sudo pip install x\n" if index == 7 else "echo\n")
    repo.commit()
    named = [f"a/s{i}.sh" for i in range(30)] + ["b/s1.sh"]
    result = run_cli("check", "--select", "VG3", "--format", "json", *named, cwd=repo.path)
    data = json.loads(result.out)
    assert [(f["path"], f["line"], f["code"]) for f in data["findings"]] == [
        ("a/s7.sh", 1, "VG301")
    ]
    assert data["summary"]["files_checked"] == 31
