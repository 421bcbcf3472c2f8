"""``--fix`` is safe: atomic, keeps bytes it does not mean to change, idempotent, and parallel.

Fixes are made to real files with odd but legal content (CRLF, a BOM, Latin-1 bytes, no
final newline, unusual permissions); everything but the fixed lines must survive byte for
byte, a second run must change nothing, and several venvguard processes fixing one
repository at once (pre-commit's parallel chunks) must leave one correct file behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Repo, run_cli
from .vg2_fixtures import UV, SharedVenv, build_wheelhouse, install, make_venv


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedVenv]:
    if not UV.exists():
        pytest.skip("uv is not installed next to the interpreter")
    base = tmp_path_factory.mktemp("fix-safety")
    wheelhouse = build_wheelhouse(base / "wheels")
    venv = make_venv(base / "venv")
    install(venv, wheelhouse, "Alpha_Pkg==2.0", "gamma==1.3")
    yield SharedVenv(venv, wheelhouse)


def fix(repo: Repo, *args: str) -> int:
    result = run_cli("check", "--fix", *args, cwd=repo.path)
    assert result.code in (0, 1), result.err
    return result.code


def test_gitignore_fix_keeps_crlf_latin1_and_permissions_and_is_idempotent(repo: Repo) -> None:
    ignore = repo.write(".gitignore", b"build/\r\ncaf\xe9/\r\n*.pyc")
    ignore.chmod(0o640)
    assert fix(repo, "--select", "VG1") == 0
    assert ignore.read_bytes() == b"build/\r\ncaf\xe9/\r\n*.pyc\r\n/.venv/\r\n/venv/\r\n"
    assert ignore.stat().st_mode & 0o777 == 0o640
    once = ignore.read_bytes()
    assert fix(repo, "--select", "VG1") == 0
    assert ignore.read_bytes() == once
    assert sorted(p.name for p in repo.path.iterdir()) == [".git", ".gitignore"]  # no temp files


def test_requirements_fix_keeps_bom_crlf_comments_and_permissions(
    repo: Repo, shared: SharedVenv
) -> None:
    lock = repo.write(
        "requirements.txt",
        b"\xef\xbb\xbf# caf\xc3\xa9 lock\r\nalpha-pkg==1.0  # keep\r\nbeta==1.5\r\n",
    )
    lock.chmod(0o600)
    fix(repo, "--select", "VG2", "--python", str(shared.path))
    assert lock.read_bytes() == (
        b"\xef\xbb\xbf# caf\xc3\xa9 lock\r\nalpha-pkg==2.0  # keep\r\ngamma==1.3\r\n"
    )
    assert lock.stat().st_mode & 0o777 == 0o600
    once = lock.read_bytes()
    assert fix(repo, "--select", "VG2", "--python", str(shared.path)) == 0
    assert lock.read_bytes() == once


def test_requirements_with_pip_only_line_breaks_are_not_rewritten(
    repo: Repo, shared: SharedVenv
) -> None:
    # pip reads "alpha-pkg==1.0" and "beta==1.5" as two lines; an editor shows one. An edit
    # by line could remove the wrong requirement, so the file is left alone.
    original = b"alpha-pkg==1.0\x0cbeta==1.5\ngamma==1.3\n"
    lock = repo.write("requirements.txt", original)
    assert fix(repo, "--select", "VG2", "--python", str(shared.path)) == 1
    assert lock.read_bytes() == original


def test_without_fix_nothing_is_written(repo: Repo, shared: SharedVenv) -> None:
    repo.write(".gitignore", "build/\n")
    repo.write("requirements.txt", "alpha-pkg==1.0\nbeta\n")
    repo.commit()
    before = {p: p.read_bytes() for p in repo.path.rglob("*") if p.is_file()}
    for args in ((), ("--diff",), ("--format", "json"), ("--format", "sarif")):
        result = run_cli("check", "--python", str(shared.path), *args, cwd=repo.path)
        assert result.code == 1, result.err
    after = {p: p.read_bytes() for p in repo.path.rglob("*") if p.is_file()}
    assert after == before


def test_parallel_fixes_leave_one_correct_file(repo: Repo, shared: SharedVenv) -> None:
    repo.write(".gitignore", "build/\n")
    repo.write("requirements.txt", "alpha-pkg==1.0\n")
    repo.commit()
    command = [sys.executable, "-m", "venvguard", "check", "--fix", "--python", str(shared.path)]
    processes = [
        subprocess.Popen(command, cwd=repo.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1), err
        assert b"Traceback" not in err
    assert (repo.path / ".gitignore").read_text() == "build/\n/.venv/\n/venv/\n"
    assert (repo.path / "requirements.txt").read_text() == "alpha-pkg==2.0\ngamma==1.3\n"
    leftovers = [p.name for p in repo.path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert run_cli("check", "--python", str(shared.path), cwd=repo.path).code == 0


def test_parallel_fresh_runs_share_the_verdict_cache_safely(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheels = build_wheelhouse(tmp_path / "wheels")
    repo.write("requirements.txt", f"--no-index\n-f {wheels}\nalpha-pkg==2.0\ngamma==1.3\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(UV_OFFLINE="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "venvguard", "check", "--select", "VG2", "--fresh"]
    for _ in range(2):  # the first round writes the cache at once, the second reads it
        processes = [
            subprocess.Popen(command, cwd=repo.path, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        outputs = [process.communicate(timeout=300)[0] for process in processes]
        assert [p.returncode for p in processes] == [0] * 4, outputs
    cached = list((tmp_path / "cache").rglob("*.json"))
    assert cached and not [p for p in (tmp_path / "cache").rglob(".tmp-*")]
