"""Shared fixtures: hermetic git, a repository builder, and a CLI runner.

Every test runs with its own HOME and XDG folders, so the developer's global git config and
global excludes never leak into what git (and so venvguard) sees.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from venvguard.cli import main


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.invalid")
    for name in (
        "VIRTUAL_ENV",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "NO_COLOR",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)


def create_venv(path: Path) -> Path:
    """A real venv without pip, laid out as Python before 3.13 does: no ``.gitignore`` of its
    own (3.13 writes one holding ``*``; tests that want a self-ignoring venv write it)."""
    extra = ["--without-scm-ignore-files"] if sys.version_info >= (3, 13) else []
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", *extra, str(path)], check=True)
    return path


@dataclass
class Repo:
    """A real git repository (or, with ``git=False``, a plain folder) in a temporary folder."""

    path: Path

    def git(self, *args: str) -> str:
        completed = subprocess.run(
            ["git", *args], cwd=self.path, check=True, capture_output=True, text=True
        )
        return completed.stdout

    def write(self, relative: str, content: str | bytes = "") -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def commit(self, message: str = "commit", *paths: str) -> None:
        self.git("add", "-A", *paths)
        self.git("commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    return Repo(path)


@pytest.fixture
def folder(tmp_path: Path) -> Repo:
    """A plain folder, not a git repository."""
    path = tmp_path / "folder"
    path.mkdir()
    return Repo(path)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_cli(*args: str, cwd: Path) -> CliResult:
    """Run ``venvguard ARGS`` in-process in ``cwd`` and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with _cwd(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    return CliResult(code, out.getvalue(), err.getvalue())


def imported_modules(repo: Repo, *args: str) -> set[str]:
    """The modules ``venvguard ARGS`` imports, from a fresh interpreter's ``-X importtime``."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "venvguard", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in completed.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
