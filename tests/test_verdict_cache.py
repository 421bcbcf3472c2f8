"""The verdict cache: an unchanged file is not parsed again, and no verdict goes stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Repo, imported_modules, run_cli


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("VENVGUARD_CACHE_DIR", str(folder))
    return folder


def findings(repo: Repo, *args: str) -> list[tuple[str, int, str]]:
    result = run_cli("check", "--select", "VG3", "--format", "json", *args, cwd=repo.path)
    assert result.code in (0, 1), result.err
    return [(f["path"], f["line"], f["code"]) for f in json.loads(result.out)["findings"]]


@pytest.fixture
def scripts(repo: Repo) -> Repo:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    repo.write("a.sh", "echo start\nsudo pip install x\n")
    repo.write("b.sh", "pip install --user y\n")
    repo.write("README.md", "```sh\npip install --break-system-packages z\n```\n")
    repo.commit()
    return repo


def test_second_run_gives_the_same_findings_without_parsing(scripts: Repo, cache: Path) -> None:
    first = findings(scripts)
    assert first == [("README.md", 2, "VG303"), ("a.sh", 2, "VG301"), ("b.sh", 1, "VG302")]
    assert list(cache.iterdir())
    assert findings(scripts) == first
    modules = imported_modules(scripts, "check", "--select", "VG3")
    parsers = ("tree_sitter", "markdown_it", "venvguard.sources.docblocks")
    assert not any(m.startswith(parsers) for m in modules)
    cold = imported_modules(scripts, "check", "--select", "VG3", "--no-cache")
    assert "tree_sitter" in cold and "venvguard.sources.docblocks" in cold  # the measurement works


def test_edits_and_configuration_changes_are_never_served_stale(scripts: Repo, cache: Path) -> None:
    findings(scripts)
    scripts.write("a.sh", "echo start\necho more\nsudo pip install x\n")
    assert ("a.sh", 3, "VG301") in findings(scripts)
    scripts.write("pyproject.toml", "[tool.venvguard]\nallow-user-install = ['y']\n")
    assert ("b.sh", 1, "VG302") not in findings(scripts)
    scripts.write("pyproject.toml", "")
    assert findings(scripts, "--select", "VG302") == [("b.sh", 1, "VG302")]
    assert findings(scripts, "--select", "VG301") == [("a.sh", 3, "VG301")]
    scripts.write("pyproject.toml", "[tool.venvguard.install-outside-venv]\nshell = false\n")
    scripts.write("c.sh", "pip install q\n")
    assert ("c.sh", 1, "VG305") not in findings(scripts)
    scripts.write("pyproject.toml", "")
    assert ("c.sh", 1, "VG305") in findings(scripts)


def test_a_corrupt_cache_is_ignored_and_no_cache_writes_nothing(scripts: Repo, cache: Path) -> None:
    expected = findings(scripts)
    for entry in cache.iterdir():
        entry.write_text('{"salt": 1, "files": {"a.sh": ["x", [["F", "bad"]]]')
    assert findings(scripts) == expected
    for entry in cache.iterdir():
        entry.unlink()
    assert findings(scripts, "--no-cache") == expected
    assert list(cache.iterdir()) == []


def test_the_checked_repository_is_left_untouched(scripts: Repo, cache: Path) -> None:
    before = scripts.git("status", "--porcelain", "--ignored")
    findings(scripts)
    findings(scripts)
    assert scripts.git("status", "--porcelain", "--ignored") == before


def test_drift_verdict_is_cached_until_the_venv_or_a_lock_changes(
    repo: Repo, cache: Path, tmp_path: Path
) -> None:
    from .vg2_fixtures import build_wheelhouse, install, make_venv

    wheels = build_wheelhouse(tmp_path / "wheels")
    venv = make_venv(repo.path / ".venv")
    install(venv, wheels, "alpha-pkg==1.0")
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    repo.write("requirements.txt", "-r base.txt\n")
    repo.write("base.txt", "alpha-pkg==1.0\n")
    repo.commit()

    def vg2() -> list[tuple[str, str | None]]:
        result = run_cli("check", "--select", "VG2", "--format", "json", cwd=repo.path)
        return [(f["code"], f["package"]) for f in json.loads(result.out)["findings"]]

    assert vg2() == []
    modules = imported_modules(repo, "check", "--select", "VG2")
    assert not any(m.startswith("packaging") for m in modules)  # no lock was parsed
    install(venv, wheels, "zeta==1.0")
    assert ("VG202", "zeta") in vg2()
    repo.write("base.txt", "alpha-pkg==1.0\nzeta==1.0\n")  # an included file
    assert vg2() == []
    repo.write("base.txt", "alpha-pkg==2.0\nzeta==1.0\n")
    assert vg2() == [("VG204", "alpha-pkg")]
