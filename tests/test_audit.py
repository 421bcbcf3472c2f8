"""``venvguard audit``: many real git repositories, every format, exit statuses, discovery."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import Repo, run_cli

IGNORES = ".venv/\nvenv/\n.env\n"


def make_repo(path: Path, files: dict[str, str]) -> Repo:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    repo = Repo(path)
    for name, content in files.items():
        repo.write(name, content)
    repo.commit()
    return repo


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of repositories as a platform team has them.

    ``clean`` passes; ``failing`` has no ignore patterns and an unignored venv whose name
    is markup; ``broken`` has a ``.git`` git cannot read; ``group/inner`` is nested;
    ``super`` has ``clean`` as a submodule; ``node_modules/dep`` must never be searched.
    """
    root = tmp_path_factory.mktemp("org")
    env_home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(env_home))
        patch.setenv("XDG_CONFIG_HOME", str(env_home / ".config"))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for key in ("AUTHOR", "COMMITTER"):
            patch.setenv(f"GIT_{key}_NAME", "Test")
            patch.setenv(f"GIT_{key}_EMAIL", "test@example.invalid")
        make_repo(root / "clean", {".gitignore": IGNORES, "app.py": "print('hi')\n"})
        failing = make_repo(
            root / "failing", {"app.py": "x = 1\n", "requirements.txt": "requests\n"}
        )
        failing.write("<b>env/pyvenv.cfg", "home = /usr/bin\n")
        make_repo(root / "group" / "inner", {".gitignore": IGNORES})
        (root / "broken" / ".git").mkdir(parents=True)
        (root / "broken" / ".git" / "HEAD").write_text("not a ref\n")
        make_repo(root / "node_modules" / "dep", {"index.js": ""})
        superproject = make_repo(root / "super", {".gitignore": IGNORES})
        superproject.git(
            "-c", "protocol.file.allow=always", "submodule", "add", "-q", "../clean", "lib"
        )
        superproject.commit("add submodule")
    return root


def names(output: str) -> list[str]:
    """Repository names of the text table (first column, between header and summary)."""
    lines = output.splitlines()
    return [line.split()[0] for line in lines[1:] if line.split()[1:2] in (["ok"], ["fail"])]


def test_recursive_audit_finds_repositories_but_not_submodules_or_heavy_folders(
    org: Path,
) -> None:
    result = run_cli("audit", "--recursive", ".", "--jobs", "1", cwd=org)
    assert result.code == 1, result.err
    assert result.err == ""  # no progress bar when stderr is not a terminal
    rows = {line.split()[0]: line.split()[1] for line in result.out.splitlines()[1:6]}
    assert rows == {
        "broken": "error",
        "clean": "ok",
        "failing": "fail",
        "group/inner": "ok",
        "super": "ok",
    }
    assert "broken: error: cannot read the git repository" in result.out
    assert "VG103" in result.out.splitlines()[0]
    assert result.out.endswith("Audited 5 repositories: 3 ok, 1 failing, 1 could not be checked.\n")


def test_submodules_are_audited_when_asked(org: Path) -> None:
    result = run_cli("audit", "super", "--include-submodules", "-j", "1", cwd=org)
    assert result.code == 0, result.out + result.err
    assert names(result.out) == ["super", "super/lib"]


def test_json_is_one_check_contract_object_per_repository(org: Path) -> None:
    result = run_cli("audit", "clean", "failing", "broken", "--format", "json", cwd=org)
    assert result.code == 1
    data = json.loads(result.out)
    assert [Path(item["root"]).name for item in data] == ["clean", "failing", "broken"]
    clean, failing, broken = data
    assert clean["findings"] == [] and clean["error"] is None
    assert clean["summary"]["errors"] == 0
    assert {f["code"] for f in failing["findings"]} >= {"VG101", "VG103"}
    venv = next(f for f in failing["findings"] if f["code"] == "VG101")
    assert venv["path"] == "<b>env" and venv["name"] == "venv-not-ignored"
    assert failing["summary"]["errors"] == len(
        [f for f in failing["findings"] if f["severity"] == "error"]
    )
    assert "cannot read the git repository" in broken["error"]
    assert broken["findings"] == []


def test_parallel_jobs_report_the_same_as_one(org: Path) -> None:
    one = run_cli("audit", "-r", ".", "--format", "json", "--jobs", "1", cwd=org)
    two = run_cli("audit", "-r", ".", "--format", "json", "--jobs", "2", cwd=org)
    assert one.code == two.code == 1
    assert json.loads(one.out) == json.loads(two.out)


@pytest.mark.parametrize("jobs", ["2", "3", "8"])
def test_parallel_reports_keep_the_order_given(org: Path, jobs: str) -> None:
    order = ["super", "failing", "no-such-repo", "group/inner", "broken", "clean", "super/lib"]
    one = run_cli("audit", *order, "--format", "json", "--jobs", "1", cwd=org)
    many = run_cli("audit", *order, "--format", "json", "--jobs", jobs, cwd=org)
    assert one.code == many.code == 1 and many.err == ""
    assert [
        Path(item["root"]).relative_to(org).as_posix() for item in json.loads(many.out)
    ] == order
    assert json.loads(many.out) == json.loads(one.out)


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_a_worker_that_dies_loses_only_the_repository_it_was_checking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each forked worker exits mid-check; the parent checks the rest and reports all."""
    from venvguard.audit import runner

    parent = os.getpid()
    paths = [f"repo{n}" for n in range(8)]

    def check_one(path: str, args: object) -> runner.RepoReport:
        if os.getpid() != parent:
            (tmp_path / f"died-{os.getpid()}").touch()
            os._exit(3)
        # Wait (past the warm-up) for a worker to have died, so that one surely has.
        for _ in range(1000):
            if path == paths[0] or any(tmp_path.iterdir()):
                break
            time.sleep(0.01)
        return runner.RepoReport(path, {"findings": []})

    monkeypatch.setattr(runner, "check_one", check_one)
    seen: list[tuple[int, int]] = []
    reports = runner.check_all(
        paths, argparse.Namespace(), 3, lambda done, total, root: seen.append((done, total))
    )
    assert [r.root for r in reports] == paths
    lost = [r for r in reports if r.error is not None]
    assert 1 <= len(lost) == len(list(tmp_path.iterdir())) <= 2  # one each, two workers
    assert {r.error for r in lost} == {"worker failed: exit status 3"}
    assert all(r.status == "ok" for r in reports if r not in lost)
    assert seen == [(n, 8) for n in range(1, 9)]


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_every_repository_is_checked_once_when_workers_race_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More repositories than the queue of claims holds one by one: they go in batches."""
    from venvguard.audit import runner

    def check_one(path: str, args: object) -> runner.RepoReport:
        return runner.RepoReport(path, {"findings": [], "pid": os.getpid()})

    monkeypatch.setattr(runner, "check_one", check_one)
    paths = [f"repo{n}" for n in range(20_000)]
    calls: list[int] = []
    reports = runner.check_all(
        paths, argparse.Namespace(), 3, lambda done, total, root: calls.append(done)
    )
    assert [r.root for r in reports] == paths
    assert calls == list(range(1, len(paths) + 1))


def test_the_pool_used_off_linux_reports_the_same(
    org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = run_cli("audit", "-r", ".", "--format", "json", "--jobs", "1", cwd=org)
    monkeypatch.setattr(sys, "platform", "darwin")
    pooled = run_cli("audit", "-r", ".", "--format", "json", "--jobs", "2", cwd=org)
    assert json.loads(pooled.out) == json.loads(one.out)


def test_csv_has_a_row_per_finding_and_one_for_each_quiet_repository(org: Path) -> None:
    result = run_cli("audit", "clean", "failing", "broken", "--format", "csv", cwd=org)
    rows = list(csv.DictReader(io.StringIO(result.out)))
    by_repo: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_repo.setdefault(Path(row["repository"]).name, []).append(row)
    assert [(r["status"], r["code"]) for r in by_repo["clean"]] == [("ok", "")]
    assert by_repo["broken"][0]["status"] == "error"
    assert "cannot read" in by_repo["broken"][0]["message"]
    codes = {r["code"] for r in by_repo["failing"]}
    assert {"VG101", "VG103"} <= codes
    assert all(r["status"] == "fail" for r in by_repo["failing"])


def test_markdown_has_totals_per_rule_and_a_row_per_repository(org: Path) -> None:
    result = run_cli("audit", "clean", "failing", "--format", "markdown", cwd=org)
    assert result.code == 1
    assert "| VG103 | venv-pattern-missing | 1 | 1 |" in result.out
    assert "| clean | ok | 0 | 0 |  |" in result.out
    assert "### failing" in result.out
    assert "&lt;b&gt;env" in result.out  # markup from a repository stays text


def test_html_links_every_finding_and_escapes_what_repositories_hold(
    org: Path, tmp_path: Path
) -> None:
    page = tmp_path / "audit.html"
    result = run_cli(
        "audit", "clean", "failing", "broken", "--format", "html", "-o", str(page), cwd=org
    )
    assert result.code == 1 and result.out == ""
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert "<b>" not in html and "&lt;b&gt;env" in html
    failing = (org / "failing").resolve().as_uri()
    assert f'href="{failing}/%3Cb%3Eenv"' in html
    assert f'href="{failing}/requirements.txt#L1"' in html  # VG201: a line of a file
    assert "Could not be checked" in html
    assert "<td>VG103</td>" in html  # totals per rule


def test_exit_status_is_zero_when_every_repository_passes(org: Path) -> None:
    result = run_cli("audit", "clean", "group/inner", cwd=org)
    assert result.code == 0, result.out
    assert result.out.endswith("Audited 2 repositories: 2 ok, 0 failing.\n")
    assert run_cli("audit", "failing", "--exit-zero", cwd=org).code == 0


def test_missing_path_is_an_entry_not_an_abort(org: Path) -> None:
    result = run_cli("audit", "clean", "no-such-repo", cwd=org)
    assert result.code == 1
    assert "no-such-repo: error: no such folder" in result.out
    assert "clean" in names(result.out)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["audit", ".", "--jobs", "0"], "expected a whole number of 1 or more"),
        (["audit", ".", "--format", "sarif"], "invalid choice: 'sarif'"),
        (["audit"], "the following arguments are required: PATH"),
        (["audit", ".", "--select", "VG9"], "unknown rule code or prefix 'VG9'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(org: Path, args: list[str], needle: str) -> None:
    result = run_cli(*args, cwd=org)
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert needle in result.err


def test_select_applies_to_every_repository(org: Path) -> None:
    result = run_cli("audit", "failing", "--select", "VG101", "--format", "json", cwd=org)
    codes = {f["code"] for f in json.loads(result.out)[0]["findings"]}
    assert codes == {"VG101"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_bar_is_drawn_on_a_terminal_only(org: Path, jobs: str) -> None:
    repositories = ["clean", "failing", "group/inner"]
    leader, follower = pty.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "venvguard", "audit", *repositories, "-j", jobs],
            cwd=org,
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert completed.returncode == 1
    assert b"] 3/3 " in drawn  # the bar, on the terminal
    assert b"3/3" not in completed.stdout and b"failing" in completed.stdout
