"""VG101 and VG103 against git on generated repositories: git is the oracle.

VG101's oracle is ``git ls-files -o --exclude-standard -- VENV`` (would ``git add -A`` add
anything of it?). VG103's oracle is a fresh clone, where only committed ignore files
exist: a real venv is made under each configured name and git is asked the same question.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import Repo, create_venv, run_cli
from .fuzzing import profile

PROFILE = profile("vg1", default=15, thorough=400)

VENV_PLACES = [".venv", "venv", "env", "tools/venv", "build/venv", ".tox/py312"]
PATTERNS = [
    ".venv",
    ".venv/",
    "/venv/",
    "venv",
    "venv/**",
    "*venv*/",
    "env/",
    "build/",
    ".tox/",
    "*",
    "!*/",
    "!*.py",
    "!venv/",
    "**/site-packages/",
    "*.cfg",
    "bin/",
    "lib/",
    "lib64",
    "!lib/",
    "tools/*",
    "!tools/venv/",
    "*/venv/",
]


@pytest.fixture(scope="session")
def real_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("real") / "venv"
    create_venv(path)
    site = next(path.glob("lib/python*/site-packages"))
    (site / "mod.py").write_text("x = 1\n")
    (path / "bin" / "tool").write_text("#!/bin/sh\n")
    return path


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def findings(root: Path, select: str) -> list[tuple[str, str]]:
    result = run_cli("check", "--format", "json", "--select", select, cwd=root)
    assert result.code in (0, 1), result.err
    return [(f["code"], f["path"]) for f in json.loads(result.out)["findings"]]


def outermost(places: list[str]) -> list[str]:
    return [p for p in places if not any(p.startswith(q + "/") for q in places if q != p)]


@settings(settings.get_profile(PROFILE))
@given(
    places=st.lists(st.sampled_from(VENV_PLACES), min_size=1, max_size=3, unique=True),
    root_lines=st.lists(st.sampled_from(PATTERNS), max_size=5),
    exclude_lines=st.lists(st.sampled_from(PATTERNS), max_size=2),
    self_ignoring=st.booleans(),
)
def test_vg101_and_vg103_agree_with_git(
    tmp_path_factory: pytest.TempPathFactory,
    real_venv: Path,
    *,
    places: list[str],
    root_lines: list[str],
    exclude_lines: list[str],
    self_ignoring: bool,
) -> None:
    base = tmp_path_factory.mktemp("diff")
    repo = Repo(base / "repo")
    repo.path.mkdir()
    git(repo.path, "init", "-q", "-b", "main")
    repo.write(".gitignore", "\n".join(root_lines) + "\n")
    repo.write("app.py", "")
    git(repo.path, "add", "-f", ".gitignore", "app.py")
    git(repo.path, "commit", "-q", "-m", "init")
    repo.write(".git/info/exclude", "\n".join(exclude_lines) + "\n")
    for place in places:
        shutil.copytree(real_venv, repo.path / place, symlinks=True)
        if self_ignoring:
            (repo.path / place / ".gitignore").write_text("*\n")

    expected_101 = sorted(
        ("VG101", place)
        for place in outermost(sorted(places))
        if git(repo.path, "ls-files", "-o", "--exclude-standard", "--", place).strip()
    )
    assert sorted(f for f in findings(repo.path, "VG101") if f[0] == "VG101") == expected_101

    clone = base / "clone"
    git(base, "clone", "-q", str(repo.path), str(clone))
    unprotected = []
    for name in (".venv", "venv"):
        if (clone / name).exists():
            shutil.rmtree(clone / name)
        shutil.copytree(real_venv, clone / name, symlinks=True)
        if git(clone, "ls-files", "-o", "--exclude-standard", "--", name).strip():
            unprotected.append(name)
    expected_103 = [("VG103", ".gitignore")] if unprotected else []
    assert findings(repo.path, "VG103") == expected_103, (root_lines, unprotected)
