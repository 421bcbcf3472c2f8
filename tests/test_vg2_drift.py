"""VG201-VG206 in local drift mode: locks against real venvs filled with real wheels.

One venv is built per test session from wheels the tests write themselves; ``pip freeze``
of that venv is the oracle for what venvguard reads from its site-packages.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from venvguard.reqs.environment import from_venv
from venvguard.reqs.installed import freeze, read_distributions

from .conftest import Repo, run_cli
from .vg2_fixtures import (
    SharedVenv,
    build_wheelhouse,
    fake_editable,
    findings_of,
    install,
    make_venv,
    pip_freeze,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedVenv]:
    base = tmp_path_factory.mktemp("vg2-drift")
    wheelhouse = build_wheelhouse(base / "wheels")
    venv = make_venv(base / "venv")
    install(venv, wheelhouse, "Alpha_Pkg==2.0", "beta", "Delta.Lib")
    install(venv, wheelhouse, str(wheelhouse / "epsilon-3.0-py3-none-any.whl"))
    project = base / "localproj"
    (project / "src").mkdir(parents=True)
    fake_editable(venv, "localproj", "0.1", project)
    yield SharedVenv(venv, wheelhouse)


def check(repo: Repo, venv: Path, *extra: str) -> tuple[int, list[tuple[object, ...]]]:
    result = run_cli(
        "check",
        "--select",
        "VG2",
        "--format",
        "json",
        "--python",
        str(venv),
        *extra,
        ".",
        cwd=repo.path,
    )
    assert result.err == "", result.err
    return result.code, list(findings_of(result.out))


def test_installed_distributions_read_from_disk_equal_pip_freeze(shared: SharedVenv) -> None:
    environment = from_venv(shared.path)
    installed = read_distributions(environment.site_dirs)
    ours = [d.freeze_line() for d in freeze(installed, environment.python_version)]
    assert ours == [line for line in pip_freeze(shared.path) if not line.startswith("#")]


def test_setuptools_is_hidden_as_pip_freeze_hides_it(tmp_path: Path, shared: SharedVenv) -> None:
    venv = make_venv(tmp_path / "venv")
    install(venv, shared.wheelhouse, "setuptools==99.0", "zeta==1.0")
    environment = from_venv(venv)
    installed = read_distributions(environment.site_dirs)
    ours = [d.freeze_line() for d in freeze(installed, environment.python_version)]
    assert ours == [line for line in pip_freeze(venv) if not line.startswith("#")]
    # pip freeze leaves setuptools out before Python 3.12 only, whatever runs the tests
    assert "setuptools==99.0" not in [d.freeze_line() for d in freeze(installed, (3, 11))]
    assert "setuptools==99.0" in [d.freeze_line() for d in freeze(installed, (3, 12))]


def test_a_lock_written_by_pip_freeze_passes(repo: Repo, shared: SharedVenv) -> None:
    repo.write("requirements.txt", "\n".join(pip_freeze(shared.path)) + "\n")
    assert check(repo, shared.path) == (0, [])


def test_drift_is_reported_line_by_line(repo: Repo, shared: SharedVenv) -> None:
    repo.write(
        "requirements.txt",
        "# lock\n"
        "alpha-pkg==1.0\n"
        'BETA>=1 ; python_version >= "3"\n'
        "Delta_Lib==0.9  # odd spelling, same package\n"
        'pywin32==306 ; sys_platform == "win32"\n'
        "six==1.16.0\n"
        "requests=2.0\n"
        'beta==1.5 ; python_version < "3"\n'
        "  delta.lib==0.9\n"
        f"-e {shared.path.parent / 'localproj'}\n"
        "epsilon @ https://example.invalid/epsilon-3.0-py3-none-any.whl\n",
    )
    code, findings = check(repo, shared.path)
    assert code == 1
    assert findings == [
        ("VG202", "requirements.txt", None, None, "gamma"),
        ("VG202", "requirements.txt", None, None, "zeta"),
        ("VG204", "requirements.txt", 2, 1, "alpha-pkg"),
        ("VG201", "requirements.txt", 3, 1, "beta"),
        ("VG203", "requirements.txt", 6, 1, "six"),
        ("VG206", "requirements.txt", 7, 1, None),
        ("VG205", "requirements.txt", 9, 3, "delta-lib"),
    ]


def test_included_file_is_judged_with_its_includer(repo: Repo, shared: SharedVenv) -> None:
    repo.write(
        "requirements.txt",
        "alpha-pkg==2.0\nbeta==1.5\ngamma==1.2 ; python_full_version >= '3.8'\n",
    )
    repo.write(
        "requirements-dev.txt",
        "-r requirements.txt\n"
        "delta-lib==0.9\n"
        "epsilon==3.0 ; python_full_version < '3.8'\n"
        "epsilon==3.0 ; python_full_version >= '3.8'\n"
        "zeta==1.0\n"
        "colorama==0.4.6 ; sys_platform == 'win32'\n"
        "zeta==1.0 ; sys_platform == 'linux'\n"
        f"-e {shared.path.parent / 'localproj'}\n",
    )
    code, findings = check(repo, shared.path)
    assert findings == [
        ("VG205", "requirements-dev.txt", 7, 1, "zeta"),
        ("VG204", "requirements.txt", 3, 1, "gamma"),
    ]
    assert code == 1


def test_no_venv_is_a_notice_unless_required(repo: Repo) -> None:
    repo.write("requirements.txt", "alpha==1.0\nbeta\n")
    result = run_cli("check", "--select", "VG2", "--format", "json", ".", cwd=repo.path)
    data = json.loads(result.out)
    assert result.code == 1  # VG201 needs no environment
    assert findings_of(result.out) == [("VG201", "requirements.txt", 2, 1, "beta")]
    assert "no virtual environment found" in data["notices"][0]["message"]
    repo.write("requirements.txt", "alpha==1.0\n")
    assert run_cli("check", "--select", "VG2", ".", cwd=repo.path).code == 0
    required = run_cli("check", "--select", "VG2", "--require-venv", ".", cwd=repo.path)
    assert required.code == 1
    assert "--require-venv" in required.out


def test_repository_venv_is_found_and_an_outside_virtual_env_is_not(
    repo: Repo, shared: SharedVenv, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_venv(repo.path / ".venv")
    repo.write(".gitignore", ".venv/\n")
    repo.write("requirements.txt", "alpha-pkg==2.0\n")
    monkeypatch.setenv("VIRTUAL_ENV", str(shared.path))  # as inside a pre-commit hook
    result = run_cli("check", "--select", "VG2", ".", cwd=repo.path)
    assert "VG203 `alpha-pkg` is listed but not installed in .venv" in result.out
    install(repo.path / ".venv", shared.wheelhouse, "Alpha_Pkg==2.0")
    assert run_cli("check", "--select", "VG2", ".", cwd=repo.path).code == 0


def test_project_own_distribution_is_never_missing(repo: Repo, shared: SharedVenv) -> None:
    repo.write("pyproject.toml", "[project]\nname = 'LocalProj'\nversion = '0.1'\n")
    lines = [line for line in pip_freeze(shared.path) if not line.startswith("-e")]
    repo.write("requirements.txt", "\n".join(lines) + "\n")
    assert check(repo, shared.path) == (0, [])


def test_fix_rewrites_pins_adds_and_removes_lines(repo: Repo, shared: SharedVenv) -> None:
    repo.write("pyproject.toml", "[project]\nname = 'localproj'\n")
    repo.write(
        "requirements.txt",
        "# runtime lock\n"
        "--only-binary :all:\n"
        "alpha-pkg==1.0  # keep this comment\n"
        "beta>=1\n"
        "delta-lib==0.9\n"
        "six==1.16.0 \\\n"
        "    --hash=sha256:abc\n"
        "zeta==1.0 ; sys_platform == 'linux'\n",
    )
    diff = run_cli(
        "check", "--select", "VG2", "--diff", "--python", str(shared.path), ".", cwd=repo.path
    )
    assert "\n-alpha-pkg==1.0  # keep this comment\n" in diff.out
    assert "\n+alpha-pkg==2.0  # keep this comment\n" in diff.out
    fixed = run_cli(
        "check", "--select", "VG2", "--fix", "--python", str(shared.path), ".", cwd=repo.path
    )
    assert fixed.code == 0, fixed.out
    assert (repo.path / "requirements.txt").read_text() == (
        "# runtime lock\n"
        "--only-binary :all:\n"
        "alpha-pkg==2.0  # keep this comment\n"
        "beta==1.5\n"
        "delta-lib==0.9\n"
        "epsilon @ " + (shared.wheelhouse / "epsilon-3.0-py3-none-any.whl").as_uri() + "\n"
        "gamma==1.3\n"
        "zeta==1.0 ; sys_platform == 'linux'\n"
    )


@pytest.mark.skipif(not (ROOT / ".venv").is_dir(), reason="the project's .venv is not set up")
def test_this_repository_passes_its_own_check() -> None:
    result = run_cli("check", "--select", "VG2", "--format", "json", str(ROOT), cwd=ROOT)
    assert findings_of(result.out) == []
    assert result.code == 0


def test_copy_of_a_venv_with_an_extra_package_is_drift(repo: Repo, shared: SharedVenv) -> None:
    shutil.copytree(shared.path, repo.path / "venv", symlinks=True)
    repo.write("requirements.txt", "\n".join(pip_freeze(shared.path)) + "\n")
    assert run_cli("check", "--select", "VG2", ".", cwd=repo.path).code == 0
    install(repo.path / "venv", shared.wheelhouse, "Alpha_Pkg==1.0", "gamma==1.2")
    _, findings = check(repo, repo.path / "venv")
    assert findings == [
        ("VG204", "requirements.txt", 1, 1, "alpha-pkg"),
        ("VG204", "requirements.txt", 5, 1, "gamma"),
    ]
