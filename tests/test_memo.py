"""A repeated ``venvguard check`` is replayed only while nothing it depended on has changed.

Every test drives the real command line in a real repository: a first run records, a second
identical run is replayed (it imports none of the checker), and after a change the next run
must print exactly what a run without any cache prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Repo
from tests.vg2_fixtures import build_wheel, install, make_venv
from venvguard.memo import RACY_SECONDS

SETUP = "#!/bin/sh\necho 'preparing the build here'\n"
# The same size as SETUP: only the status of the file, not its size, can tell them apart.
SUDO = "#!/bin/sh\nsudo pip install requests_oauth\n"
assert len(SETUP) == len(SUDO)


def venvguard(
    repo: Repo, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str, bool]:
    """(status, stdout, stderr, replayed) of ``venvguard ARGS`` run in ``repo``.

    ``replayed``: the run imported nothing of the checker, only the memo.
    """
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "venvguard", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    imports = [line for line in completed.stderr.splitlines() if line.startswith("import time:")]
    stderr = "".join(
        line for line in completed.stderr.splitlines(True) if not line.startswith("import time:")
    )
    replayed = not any(line.rstrip().endswith("venvguard.engine") for line in imports)
    assert any(line.rstrip().endswith("venvguard.memo") for line in imports)
    return completed.returncode, completed.stdout, stderr, replayed


def settle() -> None:
    """Wait until what the test just wrote is old enough for its status to be trusted."""
    time.sleep(RACY_SECONDS + 0.2)


@pytest.fixture
def project(repo: Repo) -> Repo:
    repo.write(".gitignore", ".venv/\nvenv/\n")
    repo.write("README.md", "# demo\n\n```console\npython -m pip install -e .\n```\n")
    repo.write("pyproject.toml", '[project]\nname = "demo"\nversion = "1.0"\n')
    repo.write("requirements.txt", "requests==2.32.3\n")
    repo.write("src/demo/__init__.py")
    repo.write("scripts/setup.sh", SETUP)
    repo.write("scripts/global.sh", SUDO)
    repo.commit()
    return repo


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_an_unchanged_repository_is_replayed_with_the_same_output(project: Repo, fmt: str) -> None:
    settle()
    first = venvguard(project, "check", "--format", fmt)
    second = venvguard(project, "check", "--format", fmt)
    assert not first[3] and second[3]
    assert second[:3] == first[:3]
    assert first[0] == 1 and "VG30" in first[1]


def _nothing(repo: Repo) -> None:
    pass


def _edit_same_size(repo: Repo) -> None:
    repo.write("scripts/setup.sh", SUDO)


def _add_untracked(repo: Repo) -> None:
    repo.write("tools/global.sh", SUDO)


def _unignore_venvs(repo: Repo) -> None:
    repo.write(".gitignore", "# nothing\n")


def _ignored_venv(repo: Repo) -> None:
    make_venv(repo.path / ".venv")


def _configure(repo: Repo) -> None:
    repo.write("pyproject.toml", '[project]\nname = "demo"\n\n[tool.venvguard]\nselect = ["VG1"]\n')


def _exclude_locally(repo: Repo) -> None:
    (repo.path / ".git" / "info" / "exclude").write_text("tools/\n", encoding="utf-8")


def _stage_a_removal(repo: Repo) -> None:
    repo.git("rm", "-q", "--cached", "scripts/setup.sh")
    repo.write("scripts/setup.sh", SUDO)


#: What a test prepares before the recorded run, and the change it then makes.
CHANGES: dict[str, tuple[Callable[[Repo], None], Callable[[Repo], None]]] = {
    "same-size edit": (_nothing, _edit_same_size),
    "untracked file": (_nothing, _add_untracked),
    "gitignore edit": (_nothing, _unignore_venvs),
    "ignored venv created": (_nothing, _ignored_venv),
    "configuration": (_nothing, _configure),
    "info/exclude": (_add_untracked, _exclude_locally),
    "index change": (_nothing, _stage_a_removal),
}


@pytest.mark.parametrize("change", CHANGES)
def test_after_a_change_the_output_is_that_of_a_run_without_cache(
    project: Repo, change: str
) -> None:
    prepare, make_change = CHANGES[change]
    prepare(project)
    settle()
    venvguard(project, "check")
    recorded = venvguard(project, "check")
    assert recorded[3]
    make_change(project)
    after = venvguard(project, "check")
    truth = venvguard(project, "check", "--no-cache")
    assert after[:3] == truth[:3]
    assert truth[:3] != recorded[:3], "the change should change the report"
    assert not after[3]


def test_the_environment_is_part_of_what_a_run_depends_on(project: Repo) -> None:
    settle()
    venvguard(project, "check", "--format", "json")
    assert venvguard(project, "check", "--format", "json")[3]
    strict = {**os.environ, "VENVGUARD_NO_CACHE": "1"}
    assert not venvguard(project, "check", "--format", "json", env=strict)[3]
    other = {**os.environ, "PIP_USER": "1"}
    assert not venvguard(project, "check", "--format", "json", env=other)[3]


def test_installing_into_the_projects_venv_is_seen(project: Repo, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_wheel(wheels, "alpha", "1.0", ())
    build_wheel(wheels, "beta", "2.0", ())
    venv = make_venv(project.path / ".venv")
    install(venv, wheels, "alpha==1.0")
    project.write("requirements.txt", "alpha==1.0\n")
    settle()
    before = venvguard(project, "check", "--format", "json")
    assert "VG202" not in before[1] and venvguard(project, "check", "--format", "json")[3]
    install(venv, wheels, "beta==2.0")
    after = venvguard(project, "check", "--format", "json")
    missing = [f["package"] for f in json.loads(after[1])["findings"] if f["code"] == "VG202"]
    assert missing == ["beta"], after[1]


def test_a_run_that_writes_is_never_replayed(project: Repo, tmp_path: Path) -> None:
    settle()
    report = tmp_path / "report.json"
    args = ("check", "--format", "json", "--output", str(report))
    venvguard(project, *args)
    report.unlink()
    assert not venvguard(project, *args)[3]
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["errors"] == 1

    venvguard(project, "check", "--fix")
    assert not venvguard(project, "check", "--fix")[3]


def test_a_file_changed_just_before_a_run_is_not_trusted(project: Repo) -> None:
    project.write("scripts/setup.sh", SUDO)
    first = venvguard(project, "check")
    second = venvguard(project, "check")
    assert not second[3] and second[:3] == first[:3]


def test_output_cut_short_by_its_reader_is_not_what_is_replayed(project: Repo) -> None:
    lines = "".join(f"sudo pip install package{n}\n" for n in range(400))
    project.write("scripts/many.sh", "#!/bin/sh\n" + lines)  # a report past a pipe's buffer
    settle()
    command = f"{sys.executable} -m venvguard check --format json"
    shell = {"shell": True, "cwd": project.path, "capture_output": True, "text": True}
    # a reader that leaves before the report is written (through the same shell both times:
    # a shell sets variables of its own, and the environment is part of what a run is)
    gone = subprocess.run(f"{command} | true", check=False, **shell)  # type: ignore[call-overload]
    assert gone.returncode == 0
    replayed = subprocess.run(command, check=False, **shell)  # type: ignore[call-overload]
    assert json.loads(replayed.stdout)["summary"]["errors"] == 401
