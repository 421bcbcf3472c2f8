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


def test_includes_never_read_files_outside_the_repository(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOP-SECRET-TOKEN\n")
    repo.write("requirements.txt", "-r ../../secret.txt\n-c /etc/passwd\nidna==3.7\n")
    result = run_cli("check", "--select", "VG2", "--format", "json", cwd=repo.path)
    assert "TOP-SECRET-TOKEN" not in result.out + result.err
    assert "root:" not in result.out
    import json

    findings = json.loads(result.out)["findings"]
    outside = [(f["code"], f["path"], f["line"]) for f in findings if "outside" in f["message"]]
    assert outside == [("VG206", "requirements.txt", 1), ("VG206", "requirements.txt", 2)]


def test_project_never_reads_a_path_that_leaves_the_root(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOP-SECRET-TOKEN\n")
    project = Project.discover(repo.path)
    for escaping in ("../secret.txt", "a/../../secret.txt", str(tmp_path / "secret.txt")):
        source = project.read_text(escaping)
        assert source.text is None
        assert source.notice is not None and "outside the repository" in source.notice.message


def test_links_out_of_the_repository_and_link_loops_are_not_followed(
    repo: Repo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP-SECRET-TOKEN\n")
    (repo.path / "linked").symlink_to(outside)
    (repo.path / "direct.txt").symlink_to(outside / "secret.txt")
    (repo.path / "loop.sh").symlink_to(repo.path / "loop.sh")
    project = Project.discover(repo.path)
    for name in ("linked/secret.txt", "direct.txt", "loop.sh"):
        source = project.read_text(name)
        assert source.text is None, name
        assert source.notice is not None, name


def test_links_that_stay_inside_the_repository_are_read(repo: Repo, tmp_path: Path) -> None:
    repo.write("tools/real.sh", "#!/bin/sh\nsudo pip install requests\n")
    (repo.path / "scripts").symlink_to("tools")
    (repo.path / "install.sh").symlink_to("tools/real.sh")
    project = Project.discover(repo.path)
    for name in ("tools/real.sh", "scripts/real.sh", "install.sh"):
        assert project.read_text(name).text == "#!/bin/sh\nsudo pip install requests\n", name
    # Reached through a folder that leads out, even a name that exists inside is not read.
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "real.sh").write_text("echo outside\n")
    (repo.path / "away").symlink_to(tmp_path / "elsewhere")
    source = project.read_text("away/real.sh")
    assert source.text is None and source.notice is not None
    assert "leads out" in source.notice.message
