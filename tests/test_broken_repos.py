"""Broken and unusual repositories: a clear notice or error, never a traceback or a lie.

Real git repositories in every odd state a hook or an audit meets: no git at all, git
missing from ``PATH``, bare, worktrees, submodules, sparse and shallow clones, a detached
HEAD, odd file names, links, and ignore files that are not files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Repo, run_cli

SUDO = "sudo pip install requests\n"


def check_json(cwd: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = run_cli("check", "--format", "json", *args, cwd=cwd)
    assert "Traceback" not in result.err
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out), result.err


def codes_and_paths(report: dict[str, object]) -> set[tuple[str, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {(f["code"], f["path"]) for f in findings}


def run_venvguard(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """venvguard in its own process, with ``env`` as its whole environment."""
    return subprocess.run(
        [sys.executable, "-m", "venvguard", *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_plain_folder_is_checked_without_git(folder: Repo) -> None:
    folder.write("install.sh", SUDO)
    code, report, _ = check_json(folder.path, "--select", "VG3")
    assert code == 1
    assert codes_and_paths(report) == {("VG301", "install.sh")}


def test_git_missing_from_path_checks_the_folder_with_a_notice(repo: Repo, tmp_path: Path) -> None:
    repo.write("install.sh", SUDO)
    repo.commit()
    bin_without_git = tmp_path / "bin"
    bin_without_git.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    env["PATH"] = str(bin_without_git)
    assert shutil.which("git", path=env["PATH"]) is None
    result = run_venvguard(repo.path, "check", "--select", "VG3", "--format", "json", env=env)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert codes_and_paths(report) == {("VG301", "install.sh")}
    messages = [n["message"] for n in report["notices"]]
    assert any("git" in m and "not found" in m for m in messages), messages


def test_a_bare_repository_is_a_one_line_error(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    result = run_cli("check", cwd=bare)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "bare" in result.err, result.err
    assert "Traceback" not in result.err


def test_a_linked_worktree_is_checked_like_its_main_one(repo: Repo, tmp_path: Path) -> None:
    repo.write("install.sh", SUDO)
    repo.write(".gitignore", ".venv/\nvenv/\n")
    repo.commit()
    other = tmp_path / "other tree"
    repo.git("worktree", "add", "-q", "-b", "feature", str(other))
    (other / "more.sh").write_text(SUDO)
    code, report, _ = check_json(other, "--select", "VG1,VG3")
    assert code == 1
    assert codes_and_paths(report) == {("VG301", "install.sh"), ("VG301", "more.sh")}
    assert report["root"] == str(other.resolve())


def test_a_submodule_is_not_entered_and_the_rest_is_checked(repo: Repo, tmp_path: Path) -> None:
    inner = Repo(tmp_path / "inner")
    inner.path.mkdir()
    inner.git("init", "-q", "-b", "main")
    inner.write("inner.sh", SUDO)
    inner.commit()
    repo.write("install.sh", SUDO)
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "sub")
    repo.commit()
    code, report, _ = check_json(repo.path, "--select", "VG3")
    assert codes_and_paths(report) == {("VG301", "install.sh")}
    assert code == 1


def test_sparse_shallow_and_detached_clones(repo: Repo, tmp_path: Path) -> None:
    repo.write("a/install.sh", SUDO)
    repo.write("b/install.sh", SUDO)
    repo.commit("one")
    repo.write("b/more.sh", SUDO)
    repo.commit("two")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.path.as_uri(), str(clone)],
        check=True,
        capture_output=True,
    )
    subprocess.run(["git", "-C", str(clone), "sparse-checkout", "set", "a"], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach"], check=True)
    assert not (clone / "b").exists()
    code, report, _ = check_json(clone, "--select", "VG3")
    assert code == 1
    # Files outside the sparse cone are not on disk: nothing to read, nothing to report.
    assert codes_and_paths(report) == {("VG301", "a/install.sh")}


def test_odd_file_names_are_reported_with_their_names(repo: Repo) -> None:
    names = ["with space.sh", "new\nline.sh", "ünïcödé.sh", "-dash.sh", "tab\there.sh"]
    for name in names:
        repo.write(name, SUDO)
    repo.commit()
    code, report, _ = check_json(repo.path, "--select", "VG3")
    assert code == 1
    assert codes_and_paths(report) == {("VG301", name) for name in names}
    text = run_cli("check", "--select", "VG3", "--no-color", cwd=repo.path)
    assert "new\nline.sh" not in text.out  # a newline in a name cannot forge a report line


def test_gitignore_that_is_a_directory_or_a_link(repo: Repo, tmp_path: Path) -> None:
    (repo.path / "sub").mkdir()
    (repo.path / "sub" / ".gitignore").mkdir()
    (repo.path / "sub" / ".gitignore" / "x.sh").write_text(SUDO)
    (tmp_path / "outside-ignore").write_text("*.sh\n")
    (repo.path / ".gitignore").symlink_to(tmp_path / "outside-ignore")
    (repo.path / "other").mkdir()
    (repo.path / "other" / ".gitignore").symlink_to("/dev/zero")
    repo.write("install.sh", SUDO)
    code, report, _ = check_json(repo.path)
    found = codes_and_paths(report)
    assert ("VG301", "install.sh") in found or ("VG301", "sub/.gitignore/x.sh") in found
    assert code == 1


def test_garbage_pyvenv_cfg_is_a_venv_with_a_notice_not_a_crash(repo: Repo) -> None:
    venv = repo.path / ".venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_bytes(b"\xff\xfe garbage\nversion = banana\n= =\n\0\0\0")
    (venv / "bin").mkdir()
    repo.write("install.sh", SUDO)
    code, report, _ = check_json(repo.path)
    found = codes_and_paths(report)
    assert ("VG101", ".venv") in found
    assert ("VG301", "install.sh") in found
    assert code == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the repository to another user")
def test_dubious_ownership_is_a_notice_not_silence(repo: Repo) -> None:
    repo.write("install.sh", SUDO)
    repo.commit()
    os.chown(repo.path, 12345, 12345)
    os.chown(repo.path / ".git", 12345, 12345)
    code, report, _ = check_json(repo.path, "--select", "VG3")
    notices = report["notices"]
    assert isinstance(notices, list)
    messages = [n["message"] for n in notices]
    assert any("safe.directory" in m or "ownership" in m for m in messages), messages
    assert codes_and_paths(report) == {("VG301", "install.sh")}
    assert code == 1
