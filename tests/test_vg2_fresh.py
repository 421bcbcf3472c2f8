"""VG2 in fresh mode: locks resolved from scratch against a local folder of wheels."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from .conftest import Repo, run_cli
from .vg2_fixtures import build_wheel, build_wheelhouse, findings_of


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build_wheelhouse(tmp_path_factory.mktemp("vg2-fresh") / "wheels")
    data = b'[project]\nname = "onlysrc"\nversion = "1.0"\n'
    with tarfile.open(folder / "onlysrc-1.0.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("onlysrc-1.0/pyproject.toml")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return folder


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("PIP_", "UV_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_NO_CONFIG", "1")


def fresh(repo: Repo, *extra: str) -> tuple[int, list[tuple[object, ...]], str]:
    result = run_cli(
        "check", "--select", "VG2", "--fresh", "--format", "json", *extra, ".", cwd=repo.path
    )
    assert result.err == "", result.err
    return result.code, list(findings_of(result.out)), result.out


def test_fresh_resolution_finds_gaps_unpinned_and_stale_hashes(repo: Repo, wheels: Path) -> None:
    good = build_wheel(repo.path.parent, "alpha_pkg", "9.9")  # only for a wrong digest
    repo.write(
        "requirements.txt",
        f"--no-index\n--find-links {wheels}\n"
        "Alpha_Pkg==2.0\n"
        f"beta==1.5 --hash=sha256:{'0' * 64}\n"
        "zeta>=1\n"
        "pywin32==306 ; sys_platform == 'win32'\n",
    )
    good.unlink()
    code, findings, _ = fresh(repo)
    assert code == 1
    assert findings == [
        ("VG202", "requirements.txt", None, None, "gamma"),
        ("VG207", "requirements.txt", 4, 1, "beta"),
        ("VG201", "requirements.txt", 5, 1, "zeta"),
    ]
    _, on_windows, _ = fresh(repo, "--platform", "win_amd64", "--python-version", "3.12")
    # On Windows pywin32 applies, and the folder has no wheel of it.
    assert on_windows == [
        ("VG208", "requirements.txt", None, None, None),
        ("VG201", "requirements.txt", 5, 1, "zeta"),
    ]


def test_conflicts_and_sdist_only_packages_are_unresolvable(repo: Repo, wheels: Path) -> None:
    repo.write("requirements.txt", f"--no-index\n-f {wheels}\nbeta==1.5\ngamma==1.0\n")
    code, findings, out = fresh(repo)
    assert (code, findings) == (1, [("VG208", "requirements.txt", None, None, None)])
    assert "gamma" in out
    repo.write("requirements.txt", f"--no-index\n-f {wheels}\nonlysrc==1.0\n")
    code, findings, out = fresh(repo)
    assert findings == [("VG208", "requirements.txt", None, None, None)]
    assert "--allow-build" in out


def test_a_clean_lock_passes_and_its_verdict_is_cached(
    repo: Repo, wheels: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from venvguard.reqs import fresh as fresh_module

    lock = f"--no-index\n--find-links {wheels}\nbeta==1.5\ngamma==1.3\n"
    repo.write("requirements.txt", lock)
    assert fresh(repo)[:2] == (0, [])

    def no_resolver(*args: object) -> None:
        raise AssertionError("the resolver ran on an unchanged lock")

    with monkeypatch.context() as patch:
        patch.setattr(fresh_module, "resolve", no_resolver)
        assert fresh(repo)[:2] == (0, [])
    repo.write("requirements.txt", lock + "zeta>=1\n")
    assert fresh(repo)[1] == [("VG201", "requirements.txt", 5, 1, "zeta")]
