"""What the Project lists: git's own answer to what is tracked and what `git add -A` adds."""

from __future__ import annotations

import subprocess

from venvguard.project import Project

from .conftest import Repo


def test_listing_is_tracked_plus_addable_never_ignored(repo: Repo) -> None:
    repo.write(".gitignore", "build/\n*.log\n")
    repo.write("src/app.py", "x = 1\n")
    repo.commit()
    repo.write("src/new.py", "y = 2\n")
    repo.write("build/out.py", "")
    repo.write("debug.log", "")
    repo.write("name with spaces/ü.sh", "echo\n")
    project = Project.discover(repo.path)
    assert project.tracked == (".gitignore", "src/app.py")
    assert set(project.untracked) == {"src/new.py", "name with spaces/ü.sh"}
    assert project.files == (".gitignore", "name with spaces/ü.sh", "src/app.py", "src/new.py")


def test_an_unmerged_path_is_listed_once(repo: Repo) -> None:
    repo.write("a.txt", "base\n")
    repo.commit()
    repo.git("checkout", "-q", "-b", "other")
    repo.write("a.txt", "other\n")
    repo.commit()
    repo.git("checkout", "-q", "main")
    repo.write("a.txt", "main\n")
    repo.commit()
    merge = subprocess.run(
        ["git", "merge", "-q", "other"], cwd=repo.path, capture_output=True, check=False
    )
    assert merge.returncode != 0  # a real conflict: a.txt has three stages in the index
    assert "a.txt" in repo.git("ls-files", "-u")
    assert Project.discover(repo.path).tracked == ("a.txt",)
