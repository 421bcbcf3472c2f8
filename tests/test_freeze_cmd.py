"""``venvguard freeze``: what the lock should be, from a real venv."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Repo, run_cli
from .vg2_fixtures import SharedVenv, build_wheelhouse, install, make_venv, pip_freeze


@pytest.fixture(scope="session")
def small_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedVenv]:
    base = tmp_path_factory.mktemp("vg2-freeze")
    wheelhouse = build_wheelhouse(base / "wheels")
    venv = make_venv(base / "venv")
    install(venv, wheelhouse, "Alpha_Pkg==1.0", "beta==1.5")
    yield SharedVenv(venv, wheelhouse)


def test_freeze_prints_the_fixed_lock(repo: Repo, small_venv: SharedVenv) -> None:
    repo.write("requirements.txt", "# app\nalpha-pkg==2.0\nbeta  # web\nsix==1.0\n")
    result = run_cli("freeze", "--python", str(small_venv.path), cwd=repo.path)
    assert result.code == 0, result.err
    assert result.out == "# app\nalpha-pkg==1.0\nbeta==1.5  # web\ngamma==1.3\n"
    assert (repo.path / "requirements.txt").read_text().startswith("# app\nalpha-pkg==2.0")


def test_freeze_without_a_lock_is_pip_freeze(repo: Repo, small_venv: SharedVenv) -> None:
    result = run_cli("freeze", "--python", str(small_venv.path), cwd=repo.path)
    assert result.out.splitlines() == pip_freeze(small_venv.path)


def test_freeze_without_lock_or_venv_is_a_one_line_error(tmp_path: Path, repo: Repo) -> None:
    result = run_cli("freeze", cwd=repo.path)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "no virtual environment" in result.err
