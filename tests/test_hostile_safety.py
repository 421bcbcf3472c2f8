"""A hostile repository cannot make venvguard run its code, or change a byte on disk.

Every vector a repository controls gets a repository that would leave a marker file behind
if its code ran: a venv ``python`` that is a script, ``setup.py`` and an in-tree build
backend (also with ``--fresh``), git filters, hooks and pager, scripts with shebangs. Then
``check`` (every format, every rule), ``freeze`` and ``audit`` run over it, and the marker
must not exist and no file may have changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import Repo, run_cli


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """(content digest or link target, mode) of every entry under ``root``, ``.git`` included."""
    seen: dict[str, tuple[str, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            if path.is_symlink():
                seen[str(path)] = ("link:" + os.readlink(path), info.st_mode)
            elif path.is_file():
                seen[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mode)
            else:
                seen[str(path)] = ("dir", info.st_mode)
    return seen


def booby_trap(repo: Repo, marker: Path) -> None:
    """Fill ``repo`` with everything that would run ``touch marker`` if it were executed."""
    touch = f"#!/bin/sh\ntouch '{marker}'\n"
    venv = repo.path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.4\n")
    for name in ("python", "python3", "pip", "activate"):
        script = venv / "bin" / name
        script.write_text(touch)
        script.chmod(0o755)
    site = venv / "lib" / "python3.11" / "site-packages"
    (site / "evil-1.0.dist-info").mkdir(parents=True)
    (site / "evil-1.0.dist-info" / "METADATA").write_text("Name: evil\nVersion: 1.0\n\n")
    (site / "evil.pth").write_text(f"import os; os.system(\"touch '{marker}'\")\n")
    repo.write("setup.py", f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    repo.write("backend.py", f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = []\nbuild-backend = 'backend'\nbackend-path = ['.']\n"
        "[project]\nname = 'trap'\nversion = '1.0'\n",
    )
    repo.write(
        "requirements.txt",
        f"trap @ {repo.path.as_uri()}\n-e .\n./\nevil==1.0\n",
    )
    for name in ("install.sh", "run"):
        script = repo.write(name, touch + "sudo pip install x\n")
        script.chmod(0o755)
    repo.write(".gitattributes", "* filter=trap diff=trap\n")
    repo.write("uv.toml", "[pip]\npython = '.venv/bin/python'\n")
    repo.write("pip.py", f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    repo.commit()
    hooks = repo.path / ".git" / "hooks"
    for hook in ("pre-commit", "post-checkout", "post-index-change", "fsmonitor-watchman"):
        (hooks / hook).write_text(touch)
        (hooks / hook).chmod(0o755)
    for key, value in (
        ("filter.trap.clean", f"touch '{marker}'; cat"),
        ("filter.trap.smudge", f"touch '{marker}'; cat"),
        ("filter.trap.process", f"touch '{marker}'"),
        ("diff.trap.textconv", f"touch '{marker}'; cat"),
        ("core.fsmonitor", f"touch '{marker}'; false"),
        ("core.pager", f"touch '{marker}'; cat"),
        ("core.hooksPath", str(hooks)),
        ("core.sshCommand", f"touch '{marker}'"),
        ("credential.helper", f"!touch '{marker}'"),
    ):
        repo.git("config", key, value)
    # Make the index racy, so a careless "git status" would run the clean filter.
    (repo.path / "install.sh").write_text(touch + "sudo pip install y\n")


def test_checking_a_booby_trapped_repository_runs_none_of_its_code(
    repo: Repo, tmp_path: Path
) -> None:
    marker = tmp_path / "it-ran"
    booby_trap(repo, marker)
    assert not marker.exists()
    before = snapshot(repo.path)
    for format_ in ("text", "json", "github", "sarif", "markdown"):
        result = run_cli("check", "--format", format_, "--select", "ALL", cwd=repo.path)
        assert result.code in (0, 1), result.err
        assert not marker.exists(), format_
    for args in (("check", "--diff"), ("freeze",), ("audit", str(repo.path))):
        result = run_cli(*args, cwd=repo.path)
        assert result.code in (0, 1), (args, result.err)
        assert not marker.exists(), args
    assert snapshot(repo.path) == before


@pytest.mark.skipif(
    not (Path(__import__("sys").executable).with_name("uv")).exists(), reason="uv not installed"
)
def test_fresh_mode_builds_nothing_from_the_repository(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith(("PIP_", "UV_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    marker = tmp_path / "it-ran"
    booby_trap(repo, marker)
    before = snapshot(repo.path)
    result = run_cli("check", "--select", "VG2", "--fresh", "--format", "json", cwd=repo.path)
    assert result.code in (0, 1), result.err
    assert not marker.exists()
    assert snapshot(repo.path) == before


def test_git_is_never_asked_to_run_the_repository_configuration(repo: Repo, tmp_path: Path) -> None:
    marker = tmp_path / "it-ran"
    booby_trap(repo, marker)
    # The trap works: plain git status runs the clean filter of the racy file.
    subprocess.run(["git", "status", "--short"], cwd=repo.path, capture_output=True, check=False)
    assert marker.exists()
    marker.unlink()
    result = run_cli("check", "--select", "VG1,VG3", cwd=repo.path)
    assert result.code == 1, result.err
    assert not marker.exists()


def test_an_interpreter_named_by_the_repository_config_is_never_run(
    repo: Repo, tmp_path: Path
) -> None:
    marker = tmp_path / "it-ran"
    script = repo.write("tools/python", f"#!/bin/sh\ntouch '{marker}'\n")
    script.chmod(0o755)
    repo.write("pyproject.toml", '[tool.venvguard]\npython = "tools/python"\n')
    repo.write("requirements.txt", "idna==3.7\n")
    result = run_cli("check", "--select", "VG2", cwd=repo.path)
    assert not marker.exists()
    assert result.code == 2
    assert "--python" in result.err and result.err.count("\n") == 1
    # The same interpreter named by the user on the command line is the user's choice.
    run_cli("check", "--select", "VG2", "--python", "tools/python", cwd=repo.path)
    assert marker.exists()
