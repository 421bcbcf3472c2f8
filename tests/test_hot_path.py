"""The hot path stays light: what a hook's ``venvguard check`` imports, not how long it takes.

Each heavy library is for one kind of work (tree-sitter for shell, PyYAML for workflows,
markdown-it for docs, process pools for ``audit``); a run that does not do that work must
not pay for the import. Checked in a fresh interpreter with ``-X importtime``.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import pytest

from .conftest import Repo, imported_modules, run_cli
from .vg2_fixtures import build_wheelhouse, install, make_venv

#: Never needed to check venvs (VG1), whatever the repository holds.
HEAVY_FOR_VG1 = (
    "tree_sitter",
    "tree_sitter_bash",
    "yaml",
    "markdown_it",
    "pip",
    "multiprocessing",
    "concurrent.futures",
    "json",
    "difflib",
    "tempfile",
    "venvguard.audit",
    "venvguard.commands.audit",
    "venvguard.commands.rules",
)


@pytest.fixture
def busy_repo(repo: Repo) -> Repo:
    """A repository with every kind of file a heavy parser exists for."""
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    repo.write("scripts/install.sh", "#!/bin/sh\nsudo pip install requests\n")
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    steps:\n      - run: ls\n")
    repo.write("README.md", "# demo\n\n```sh\npip install demo\n```\n")
    repo.write("requirements.txt", "requests==2.32.3\n")
    repo.write("pyproject.toml", '[project]\nname = "demo"\nversion = "1.0"\n')
    repo.commit()
    return repo


def test_venv_checks_import_no_parser_and_no_pool(busy_repo: Repo) -> None:
    modules = imported_modules(busy_repo, "check", "--select", "VG1")
    assert "venvguard.engine" in modules  # the measurement itself works
    heavy = sorted(
        m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY_FOR_VG1)
    )
    assert heavy == []


def test_pyproject_without_venvguard_settings_is_not_parsed(busy_repo: Repo) -> None:
    # The ignore-pattern rule reads .gitignore files only; the configuration lookup must not
    # pay for the TOML parser when pyproject.toml has no [tool.venvguard].
    modules = imported_modules(busy_repo, "check", "--select", "VG103")
    assert "venvguard.config" in modules
    assert "tomllib" not in modules and "tomli" not in modules


def test_plain_ignore_lines_settle_vg103_without_the_pattern_matcher(busy_repo: Repo) -> None:
    modules = imported_modules(busy_repo, "check", "--select", "VG103")
    assert "pathspec" not in modules
    busy_repo.write(".gitignore", ".venv/\nvenv/\n.env\n!keep.me\n")  # a negation: the full rules
    assert "pathspec" in imported_modules(busy_repo, "check", "--select", "VG103")


def test_requirement_checks_without_a_lock_import_no_requirement_parser(repo: Repo) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    repo.write("app.py", "print('hi')\n")
    repo.commit()
    modules = imported_modules(repo, "check", "--select", "VG2")
    assert "venvguard.reqs.locks" in modules  # the family ran
    assert not any(m == "packaging" or m.startswith("packaging.") for m in modules)
    assert "platform" not in modules


def test_no_venv_means_no_pyproject_parsing_for_the_python_version_rule(repo: Repo) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    repo.write("pyproject.toml", '[project]\nname = "demo"\nrequires-python = ">=3.10"\n')
    repo.commit()
    modules = imported_modules(repo, "check", "--select", "VG105")
    assert "venvguard.checks.venvs" in modules or "venvguard.venvs" in modules
    assert "tomllib" not in modules and "packaging.specifiers" not in modules


def _small_clean_repo(repo: Repo) -> Repo:
    repo.write(".gitignore", ".venv/\nvenv/\n")
    repo.write("README.md", "# demo\n")
    repo.write("pyproject.toml", '[project]\nname = "demo"\nversion = "1.0"\n')
    repo.write("requirements.txt", "requests==2.32.3\n")
    repo.write("src/demo/__init__.py", "def hello() -> int:\n    return 1\n")
    repo.write("scripts/setup.sh", "#!/bin/sh\npython -m venv .venv\n")
    repo.commit()
    return repo


def test_the_modules_a_check_imports_define_no_dataclasses(repo: Repo) -> None:
    # dataclasses costs a run inspect, ast, dis and tokenize, and every class it makes an
    # exec: venvguard's value types are plain records (venvguard.records).
    modules = imported_modules(_small_clean_repo(repo), "check")
    ours = sorted(m for m in modules if m == "venvguard" or m.startswith("venvguard."))
    assert "venvguard.engine" in ours  # the measurement itself works
    found = {
        f"{name}.{value.__qualname__}"
        for name in ours
        for value in vars(importlib.import_module(name)).values()
        if isinstance(value, type) and value.__module__ == name and dataclasses.is_dataclass(value)
    }
    assert found == set()


def test_a_check_of_a_small_clean_repository_does_not_import_dataclasses(repo: Repo) -> None:
    # A first run with another command line (not one a memo could replay) leaves the lock's
    # verdict cached, as a hook's earlier runs would.
    imported_modules(_small_clean_repo(repo), "check", "--select", "VG2")
    modules = imported_modules(repo, "check")
    assert "venvguard.engine" in modules  # the measurement itself works
    assert "dataclasses" not in modules
    assert "inspect" not in modules


def test_drift_of_plain_pins_needs_no_requirement_grammar(repo: Repo, tmp_path: Path) -> None:
    # `pip freeze` writes `name==version`: such lines, and a venv's names, are read without
    # packaging's PEP 508 grammar, markers and specifiers (and the platform tags behind them).
    wheels = build_wheelhouse(tmp_path / "wheels")
    install(make_venv(repo.path / ".venv"), wheels, "Alpha_Pkg==1.0", "gamma==1.2", "Delta.Lib")
    repo.write(".gitignore", ".venv/\n")
    repo.write("requirements.txt", "alpha-pkg==1.0\ngamma==1.3\nDelta.Lib==0.9\n")
    repo.commit()
    modules = imported_modules(repo, "check", "--select", "VG2", "--no-cache")
    assert "venvguard.reqs.judge" in modules  # the lock was judged against the venv
    grammar = ("packaging.requirements", "packaging.markers", "packaging.specifiers")
    assert sorted(m for m in modules if m in (*grammar, "packaging.tags", "packaging.utils")) == []
    findings = run_cli("check", "--select", "VG2", "--no-cache", cwd=repo.path).out
    assert "requirements.txt:2:1: VG204" in findings and "gamma 1.2" in findings
    assert "VG202" not in findings and "VG203" not in findings


def test_an_audit_of_small_clean_repositories_does_not_import_dataclasses(repo: Repo) -> None:
    modules = imported_modules(_small_clean_repo(repo), "audit", ".", "--no-cache")
    assert "venvguard.audit.runner" in modules  # the measurement itself works
    assert "dataclasses" not in modules


def test_ignore_lines_that_cannot_match_settle_a_missing_venv_pattern_without_the_matcher(
    busy_repo: Repo,
) -> None:
    # The usual ignore file of a project that forgot its venv: wildcards, brackets, folders.
    busy_repo.write(".gitignore", "__pycache__/\n*.py[cod]\n/build/\ndist/\n*.egg-info/\nlib/\n")
    busy_repo.commit()
    modules = imported_modules(busy_repo, "check", "--select", "VG103")
    assert "venvguard.ignore_shortcuts" in modules and "pathspec" not in modules
    findings = run_cli("check", "--select", "VG103", cwd=busy_repo.path).out
    assert ".gitignore: VG103" in findings and "`.venv/`" in findings


def test_shell_scripts_and_plain_readmes_need_no_windows_reader_and_no_markdown_parser(
    busy_repo: Repo,
) -> None:
    modules = imported_modules(busy_repo, "check", "--select", "VG3", "--no-cache")
    assert "venvguard.shell.bash" in modules  # the script was parsed
    assert "venvguard.shell.lines" not in modules  # PowerShell and batch only
    assert not any(m == "markdown_it" or m.startswith("markdown_it.") for m in modules)
    busy_repo.write("tools/setup.ps1", "pip install --user x\n")
    busy_repo.commit()
    modules = imported_modules(busy_repo, "check", "--select", "VG3", "--no-cache")
    assert "venvguard.shell.lines" in modules
