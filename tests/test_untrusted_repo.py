"""Checking a repository never runs code that the repository chose."""

from __future__ import annotations

from pathlib import Path

from venvguard.project import Project

from .conftest import Repo, run_cli


def test_git_fsmonitor_of_the_checked_repository_is_never_run(repo: Repo, tmp_path: Path) -> None:
    marker = tmp_path / "fsmonitor-ran"
    repo.write("a.sh", "echo hi\n")
    repo.commit()
    repo.git("config", "core.fsmonitor", f"touch '{marker}'; false")
    repo.write("b.sh", "echo new\n")
    assert Project.discover(repo.path).files == ("a.sh", "b.sh")
    assert not marker.exists()
    result = run_cli("check", cwd=repo.path)
    assert result.code in (0, 1), result.err
    assert not marker.exists()
