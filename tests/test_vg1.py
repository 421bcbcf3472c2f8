"""VG101-VG106 end to end: real git repositories, real venvs, the real command line.

Each test builds a repository, runs ``venvguard check --format json`` for the rules it is
about, and asserts the exact findings (code, path, line, column). Where git has a say,
the expectation is checked against git too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Repo, create_venv, run_cli

Found = list[tuple[str, str, int | None, int | None]]


@pytest.fixture(scope="session")
def venv_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real venv (no pip: fast), copied into repositories by ``add_venv``."""
    path = tmp_path_factory.mktemp("template") / "venv"
    create_venv(path)
    site = next(path.glob("lib/python*/site-packages"))
    (site / "mod.py").write_text("x = 1\n")
    return path


def add_venv(repo: Repo, relative: str, template: Path) -> Path:
    target = repo.path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template, target, symlinks=True)
    return target


def make_venv(repo: Repo, relative: str) -> Path:
    """A venv created in place (its scripts point at where it is)."""
    target = repo.path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    create_venv(target)
    return target


def check(repo: Repo, select: str, *extra: str) -> tuple[Found, dict[str, str]]:
    result = run_cli("check", "--format", "json", "--select", select, *extra, cwd=repo.path)
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    found = [(f["code"], f["path"], f["line"], f["column"]) for f in report["findings"]]
    messages = {f"{f['code']} {f['path']}": f["message"] for f in report["findings"]}
    return found, messages


def git_addable(repo: Repo, folder: str) -> bool:
    return bool(repo.git("ls-files", "-o", "--exclude-standard", "--", folder).strip())


# --- VG101 ------------------------------------------------------------------------------


def test_unignored_venv_with_any_name_is_found(repo: Repo, venv_template: Path) -> None:
    add_venv(repo, "tools/deep/my-env", venv_template)
    repo.write("app.py", "")
    found, messages = check(repo, "VG101")
    assert found == [("VG101", "tools/deep/my-env", None, None)]
    assert "`tools/deep/my-env/`" in messages["VG101 tools/deep/my-env"]
    assert "/tools/deep/my-env/" in messages["VG101 tools/deep/my-env"]


@pytest.mark.parametrize(
    ("ignore", "where"),
    [
        (".venv/\n", ".gitignore"),
        (".venv\n", ".gitignore"),
        ("/.venv/**\n", ".gitignore"),
        ("*/\n", ".gitignore"),
        (".venv/\n", ".git/info/exclude"),
        (".venv/\n", "global"),
        ("*\n", ".venv/.gitignore"),  # what uv, virtualenv and Python 3.13 write
    ],
)
def test_ignored_venv_is_not_reported(
    repo: Repo, venv_template: Path, ignore: str, where: str
) -> None:
    add_venv(repo, ".venv", venv_template)
    if where == "global":
        excludes = repo.path.parent / "global-excludes"
        excludes.write_text(ignore)
        repo.git("config", "core.excludesFile", str(excludes))
    else:
        repo.write(where, ignore)
    assert not git_addable(repo, ".venv")
    assert check(repo, "VG101")[0] == []


def test_allow_list_leaves_venv_python_files_addable(repo: Repo, venv_template: Path) -> None:
    add_venv(repo, ".venv", venv_template)
    repo.write(".gitignore", "*\n!*/\n!*.py\n")
    assert git_addable(repo, ".venv")
    assert check(repo, "VG101")[0] == [("VG101", ".venv", None, None)]


def test_negation_after_directory_pattern(repo: Repo, venv_template: Path) -> None:
    add_venv(repo, "env", venv_template)
    repo.write(".gitignore", "env/*\n!env/lib/\n")
    assert git_addable(repo, "env")
    assert check(repo, "VG101")[0] == [("VG101", "env", None, None)]
    repo.write(".gitignore", "env/\n!env/lib/\n")  # cannot re-include under an ignored folder
    assert not git_addable(repo, "env")
    assert check(repo, "VG101")[0] == []


def test_nested_venvs_and_venvs_in_ignored_folders(repo: Repo, venv_template: Path) -> None:
    add_venv(repo, "outer", venv_template)
    add_venv(repo, "outer/inner", venv_template)
    add_venv(repo, "build/env", venv_template)
    repo.write(".gitignore", "build/\n")
    assert check(repo, "VG101")[0] == [("VG101", "outer", None, None)]


def test_windows_and_conda_layouts_are_venvs(repo: Repo) -> None:
    repo.write("winenv/pyvenv.cfg", "home = C:\\Python312\nversion = 3.12.1\n")
    repo.write("winenv/Scripts/python.exe", b"MZ")
    repo.write("winenv/Lib/site-packages/mod.py", "")
    repo.write("condaenv/conda-meta/history", "==> 2024-01-01 <==\n")
    repo.write("condaenv/bin/python3", "")
    repo.write("notavenv/lib/python3.12/site-packages/mod.py", "")
    assert check(repo, "VG101")[0] == [
        ("VG101", "condaenv", None, None),
        ("VG101", "winenv", None, None),
    ]


def test_plain_folder_uses_the_rebuilt_rules(folder: Repo, venv_template: Path) -> None:
    add_venv(folder, "env", venv_template)
    add_venv(folder, ".venv", venv_template)
    (folder.path / ".venv" / ".gitignore").write_text("*\n")
    folder.write("app.py", "")
    assert check(folder, "VG101")[0] == [("VG101", "env", None, None)]
    folder.write(".gitignore", "env/\n")
    assert check(folder, "VG101")[0] == []


# --- VG102 ------------------------------------------------------------------------------


def test_committed_venv_is_reported_with_the_untrack_command(
    repo: Repo, venv_template: Path
) -> None:
    add_venv(repo, "my env", venv_template)
    repo.write(".gitignore", "my env/\n")
    repo.git("add", "-f", "my env")
    repo.git("commit", "-q", "-m", "oops")
    found, messages = check(repo, "VG102,VG101")
    assert found == [("VG102", "my env", None, None)]  # ignored, so no VG101
    assert "`git rm -r --cached -- 'my env'`" in messages["VG102 my env"]
    subprocess.run(["git", "rm", "-r", "-q", "--cached", "--", "my env"], cwd=repo.path, check=True)
    assert check(repo, "VG102")[0] == []


def test_committed_then_deleted_venv_is_still_reported(repo: Repo, venv_template: Path) -> None:
    add_venv(repo, "env", venv_template)
    repo.commit("add env")
    shutil.rmtree(repo.path / "env")
    assert check(repo, "VG102")[0] == [("VG102", "env", None, None)]


# --- VG103 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gitignore", "missing"),
    [
        (None, "`.venv/`, `venv/`"),
        ("__pycache__/\n", "`.venv/`, `venv/`"),
        (".venv/\n", "`venv/`"),
        ("*\n!*/\n!*.py\n", "`.venv/`, `venv/`"),
        (".venv\nvenv\n", None),
        ("/.venv/**\n/venv/\n", None),
        ("*env/\n", None),
        (".venv/\nvenv/\n!venv/\n", "`venv/`"),
        ("\ufeff.venv/\nvenv/\n", None),  # a byte-order mark is not part of the first line
        ("*.py[cod]\nlib/\nbin/\n*.cfg\n", "`.venv/`, `venv/`"),  # some files, not all
    ],
)
def test_committed_ignore_files_must_cover_venv_names(
    repo: Repo, gitignore: str | None, missing: str | None
) -> None:
    if gitignore is not None:
        repo.write(".gitignore", gitignore)
    repo.commit()
    found, messages = check(repo, "VG103")
    if missing is None:
        assert found == []
    else:
        assert found == [("VG103", ".gitignore", None, None)]
        assert f"do not ignore {missing} at the repository root" in messages["VG103 .gitignore"]


def test_info_exclude_and_global_excludes_do_not_count(repo: Repo) -> None:
    repo.write(".git/info/exclude", ".venv/\nvenv/\n")
    excludes = repo.path.parent / "global-excludes"
    excludes.write_text(".venv/\nvenv/\n")
    repo.git("config", "core.excludesFile", str(excludes))
    assert check(repo, "VG103")[0] == [("VG103", ".gitignore", None, None)]


def test_addable_root_gitignore_counts_but_an_ignored_one_does_not(repo: Repo) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n")  # not committed yet: the next commit has it
    assert check(repo, "VG103")[0] == []
    repo.write(".git/info/exclude", ".gitignore\n")  # now it would never be committed
    assert check(repo, "VG103")[0] == [("VG103", ".gitignore", None, None)]


def test_committed_nested_ignore_file_counts(repo: Repo) -> None:
    repo.write(".gitignore", "venv/\n")
    repo.write(".venv/.gitignore", "*\n")
    repo.git("add", "-f", ".gitignore", ".venv/.gitignore")
    repo.git("commit", "-q", "-m", "c")
    assert check(repo, "VG103")[0] == []


def test_configured_venv_names(repo: Repo) -> None:
    repo.write("pyproject.toml", '[tool.venvguard]\nvenv-names = ["env"]\n')
    repo.write(".gitignore", ".venv/\n")
    _, messages = check(repo, "VG103")
    assert "do not ignore `env/`" in messages["VG103 .gitignore"]


# --- VG104 ------------------------------------------------------------------------------


def test_venv_in_place_is_not_stale(repo: Repo) -> None:
    make_venv(repo, ".venv")
    repo.write(".gitignore", ".venv/\n")
    assert check(repo, "VG104")[0] == []


def test_moved_venv_is_stale(repo: Repo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    create_venv(elsewhere)
    shutil.move(str(elsewhere), str(repo.path / ".venv"))
    repo.write(".gitignore", ".venv/\n")
    found, messages = check(repo, "VG104")
    assert found == [("VG104", ".venv", None, None)]
    assert f"points at `{elsewhere}` (moved or copied)" in messages["VG104 .venv"]


def test_venv_whose_base_interpreter_is_gone_is_stale(repo: Repo) -> None:
    venv = make_venv(repo, "tox-like/py")
    repo.write(".gitignore", "tox-like/\n")
    cfg = venv / "pyvenv.cfg"
    text = cfg.read_text()
    home = next(line for line in text.splitlines() if line.startswith("home"))
    cfg.write_text(text.replace(home, "home = /nonexistent/python/bin"))
    found, messages = check(repo, "VG104")
    assert found == [("VG104", "tox-like/py", None, None)]
    assert "`/nonexistent/python/bin`" in messages["VG104 tox-like/py"]


def test_garbage_pyvenv_cfg_gives_a_notice_not_a_traceback(repo: Repo) -> None:
    repo.write("env/pyvenv.cfg", b"\xff\xfe garbage\nversion = banana\n")
    repo.write(".gitignore", "env/\n")
    result = run_cli("check", "--select", "VG104,VG105", cwd=repo.path)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err + result.out


# --- VG105 ------------------------------------------------------------------------------

RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHER = f"{sys.version_info.major}.{sys.version_info.minor + 1}"


@pytest.mark.parametrize(
    ("pyproject", "python_version", "expected"),
    [
        (f'requires-python = ">={RUNNING}"', None, False),
        (f'requires-python = ">={OTHER}"', None, True),
        (None, RUNNING, False),
        (None, f"{RUNNING}.{sys.version_info.micro}", False),
        (None, OTHER, True),
        (None, f"system\n{RUNNING}\n", False),
        (f'requires-python = "<{RUNNING}"', RUNNING, True),
    ],
)
def test_venv_python_must_match_the_project(
    repo: Repo,
    venv_template: Path,
    pyproject: str | None,
    python_version: str | None,
    *,
    expected: bool,
) -> None:
    add_venv(repo, ".venv", venv_template)
    repo.write(".gitignore", ".venv/\n")
    if pyproject is not None:
        repo.write("pyproject.toml", f"[project]\nname = 'x'\n{pyproject}\n")
    if python_version is not None:
        repo.write(".python-version", python_version)
    found, _ = check(repo, "VG105")
    assert found == ([("VG105", ".venv", None, None)] if expected else [])


# --- VG106 ------------------------------------------------------------------------------


def test_dotenv_files(repo: Repo) -> None:
    for name in (".env", "api/.env.local", ".env.production", ".env.example", ".env.sample"):
        repo.write(name, "SECRET=1\n")
    repo.write(".env.template", "")
    repo.write(".env.dist", "")
    repo.write(".gitignore", ".env.production\n")
    repo.git("add", "-f", ".env.production")
    found, messages = check(repo, "VG106")
    assert found == [
        ("VG106", ".env", None, None),
        ("VG106", ".env.production", None, None),
        ("VG106", "api/.env.local", None, None),
    ]
    assert "`git rm --cached -- .env.production`" in messages["VG106 .env.production"]
    assert "add `.env` to `.gitignore`" in messages["VG106 .env"]


def test_env_folder_that_is_a_venv_is_not_a_dotenv_file(repo: Repo, venv_template: Path) -> None:
    add_venv(repo, ".env", venv_template)
    found, _ = check(repo, "VG101,VG106")
    assert found == [("VG101", ".env", None, None)]


# --- --fix and --diff -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, b"/.venv/\n/venv/\n.env\n"),
        (b"build/\r\n", b"build/\r\n/.venv/\r\n/venv/\r\n.env\r\n"),
        (b"build/", b"build/\n/.venv/\n/venv/\n.env\n"),
        (b"# caf\xe9\nbuild/\n", b"# caf\xe9\nbuild/\n/.venv/\n/venv/\n.env\n"),
        (b".venv/\n", b".venv/\n/venv/\n.env\n"),
    ],
)
def test_fix_appends_to_root_gitignore_keeping_its_bytes(
    repo: Repo, old: bytes | None, new: bytes
) -> None:
    if old is not None:
        repo.write(".gitignore", old)
    repo.write(".env", "SECRET=1\n")
    diff = run_cli("check", "--select", "VG103,VG106", "--diff", cwd=repo.path)
    assert "+/venv/" in diff.out
    assert (repo.path / ".gitignore").exists() == (old is not None)  # --diff writes nothing
    fixed = run_cli("check", "--select", "VG103,VG106", "--fix", cwd=repo.path)
    assert fixed.code == 0, fixed.out + fixed.err
    assert (repo.path / ".gitignore").read_bytes() == new
    again = run_cli("check", "--select", "VG103,VG106", "--fix", cwd=repo.path)
    assert again.code == 0
    assert (repo.path / ".gitignore").read_bytes() == new
    assert not git_addable(repo, ".env")


def test_fix_leaves_a_tracked_env_file_reported(repo: Repo) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n")
    repo.write(".env", "SECRET=1\n")
    repo.commit()
    fixed = run_cli("check", "--select", "VG106", "--fix", "--format", "json", cwd=repo.path)
    assert fixed.code == 0  # a warning: the file is tracked, only git rm --cached helps
    assert [f["path"] for f in json.loads(fixed.out)["findings"]] == [".env"]
    assert (repo.path / ".gitignore").read_text() == ".venv/\nvenv/\n.env\n"


def test_clean_repository_has_no_vg1_findings(repo: Repo, venv_template: Path) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n.env\n")
    add_venv(repo, ".venv", venv_template)
    repo.write("pyproject.toml", "[project]\nname = 'x'\nrequires-python = '>=3.10'\n")
    repo.commit()
    result = run_cli("check", "--select", "VG101,VG102,VG103,VG105,VG106", cwd=repo.path)
    assert result.code == 0, result.out
    assert os.listdir(repo.path)  # the check wrote nothing


def test_committed_windows_venv_without_its_pyvenv_cfg(repo: Repo) -> None:
    repo.write(".gitignore", "*.cfg\n")
    repo.write("winenv/pyvenv.cfg", "home = C:\\Python312\n")
    repo.write("winenv/Scripts/python.exe", b"MZ")
    repo.write("winenv/Lib/site-packages/mod.py", "")
    repo.write("tools/bin/python-lint", "")  # a bin/ folder of the project is no venv
    repo.commit()
    assert "winenv/pyvenv.cfg" not in repo.git("ls-files")
    found, messages = check(repo, "VG102")
    assert found == [("VG102", "winenv", None, None)]
    assert "(2 files tracked)" in messages["VG102 winenv"]
