"""The github, sarif and markdown reporters, fed with hand-built results."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from venvguard.engine import Result
from venvguard.findings import Finding, Notice
from venvguard.project import Project
from venvguard.reporters import RenderOptions, get_reporter
from venvguard.rules import RULES

from .conftest import Repo, run_cli

SUDO = Finding(
    "scripts/install.sh",
    5,
    1,
    "VG301",
    "`sudo pip install -r requirements.txt` installs into the system Python",
    end_line=5,
    end_column=38,
)
VENV = Finding(
    ".venv", None, None, "VG101", "`.venv` is a virtual environment git would not ignore"
)
STALE = Finding("env", None, None, "VG104", "`env` was moved from /old/env")
NO_PATTERN = Finding("", None, None, "VG103", "the committed ignore files do not ignore `.venv`")
UNPINNED = Finding(
    "requirements.txt", 2, 1, "VG201", "`requests>=2` is not pinned", package="requests"
)


def make_result(root: Path, *findings: Finding, notices: tuple[Notice, ...] = ()) -> Result:
    return Result(Project(root=root, is_git=True), list(findings), list(notices), 7)


def render(fmt: str, *results: Result, strict: bool = False) -> str:
    return get_reporter(fmt).render(list(results), RenderOptions(strict=strict))


@pytest.fixture(autouse=True)
def outside_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_WORKSPACE", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)


# --- github -------------------------------------------------------------------------------


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Decode one workflow command the way the Actions runner does."""
    assert line.startswith("::")
    head, _, data = line[2:].partition("::")
    kind, _, raw_properties = head.partition(" ")
    properties: dict[str, str] = {}
    for pair in filter(None, raw_properties.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = (
            value.replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%")
        )
    message = data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
    return kind, properties, message


def test_github_finding_becomes_an_error_annotation_with_its_whole_range(tmp_path: Path) -> None:
    out = render("github", make_result(tmp_path, SUDO))
    assert out == (
        "::error file=scripts/install.sh,line=5,col=1,endLine=5,endColumn=38,"
        "title=VG301 sudo-install::"
        "`sudo pip install -r requirements.txt` installs into the system Python\n"
    )


def test_github_severity_and_whole_file_findings(tmp_path: Path) -> None:
    lines = render("github", make_result(tmp_path, VENV, STALE, NO_PATTERN)).splitlines()
    decoded = [parse_workflow_command(line) for line in lines]
    assert decoded[0] == (
        "error",
        {"file": ".venv", "title": "VG101 venv-not-ignored"},
        VENV.message,
    )
    assert decoded[1][0] == "warning"  # VG104 is a warning
    assert decoded[1][1] == {"file": "env", "title": "VG104 venv-stale"}
    # About the repository itself: no file to point at, still an annotation.
    assert decoded[2] == ("error", {"title": "VG103 venv-pattern-missing"}, NO_PATTERN.message)


def test_github_notices_are_notice_annotations(tmp_path: Path) -> None:
    notice = Notice("Makefile", 12, "could not parse the recipe, skipped")
    out = render("github", make_result(tmp_path, notices=(notice,)))
    assert out == (
        "::notice file=Makefile,line=12,title=venvguard note::could not parse the recipe, skipped\n"
    )


def test_github_escapes_messages_and_properties(tmp_path: Path) -> None:
    finding = Finding("odd, name: x.sh", 1, 2, "VG302", "100% bad\r\nsecond line: a, b")
    line = render("github", make_result(tmp_path, finding)).rstrip("\n")
    assert "\n" not in line and "\r" not in line
    assert "file=odd%2C name%3A x.sh," in line
    assert line.endswith("::100%25 bad%0D%0Asecond line: a, b")
    kind, properties, message = parse_workflow_command(line)
    assert (kind, properties["file"], message) == ("error", finding.path, finding.message)


@given(
    path=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30),
    message=st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
)
def test_github_escaping_round_trips_anything(path: str, message: str) -> None:
    result = make_result(Path("/repo"), Finding(path, 3, 4, "VG303", message))
    lines = render("github", result).split("\n")
    assert lines[-1] == "" and len(lines) == 2
    kind, properties, decoded = parse_workflow_command(lines[0])
    assert kind == "error"
    assert properties["file"] == path
    assert properties["title"] == "VG303 break-system-packages"
    assert decoded == message


def test_github_paths_are_relative_to_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = tmp_path / "services" / "api"
    nested.mkdir(parents=True)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    out = render("github", make_result(nested, SUDO, NO_PATTERN))
    assert "file=services/api/scripts/install.sh,line=5," in out
    assert "::error file=services/api,title=VG103" in out


def test_github_without_findings_prints_nothing(tmp_path: Path) -> None:
    assert render("github", make_result(tmp_path)) == ""


# --- sarif --------------------------------------------------------------------------------


def sarif(*results: Result) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render("sarif", *results))
    return log


def assert_code_scanning_accepts(log: dict[str, Any]) -> None:
    """What GitHub code scanning requires of an uploaded SARIF file."""
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1  # several runs of one tool in one upload are rejected
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "venvguard"
    assert isinstance(driver["version"], str) and driver["version"]
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    for rule in rules:
        catalogued = RULES[rule["id"]]
        assert rule["name"] == catalogued.name
        for key in ("shortDescription", "fullDescription", "help"):
            assert isinstance(rule[key]["text"], str) and rule[key]["text"].strip()
        assert rule["defaultConfiguration"]["level"] == catalogued.severity
    base_ids = run["originalUriBaseIds"]
    for base in base_ids.values():
        assert base["uri"].startswith("file:///") and base["uri"].endswith("/")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"].strip()
        assert len(result["locations"]) == 1
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and not uri.startswith("/") and ":" not in uri.split("/")[0]
        assert physical["artifactLocation"]["uriBaseId"] in base_ids
        assert not re.search(r"[\s#?]", uri), uri  # percent-encoded
        if "region" in physical:
            region = physical["region"]
            assert region["startLine"] >= 1
            assert region.get("startColumn", 1) >= 1
            assert region.get("endLine", region["startLine"]) >= region["startLine"]


def test_sarif_meets_code_scanning_requirements(tmp_path: Path) -> None:
    log = sarif(make_result(tmp_path, SUDO, VENV, STALE, NO_PATTERN, UNPINNED))
    assert_code_scanning_accepts(log)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["VG301", "VG101", "VG104", "VG103", "VG201"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "error", "error"]
    assert results[0]["message"]["text"] == SUDO.message
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "scripts/install.sh", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 1, "endLine": 5, "endColumn": 38}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_sarif_region_only_when_the_line_is_known(tmp_path: Path) -> None:
    results = sarif(make_result(tmp_path, VENV, NO_PATTERN))["runs"][0]["results"]
    venv = results[0]["locations"][0]["physicalLocation"]
    assert venv == {"artifactLocation": {"uri": ".venv", "uriBaseId": "%SRCROOT%"}}
    root = results[1]["locations"][0]["physicalLocation"]
    assert root["artifactLocation"]["uri"] == "./" and "region" not in root


def test_sarif_rules_carry_metadata_and_off_rules_are_marked(tmp_path: Path) -> None:
    rules = sarif(make_result(tmp_path))["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["VG306"]["defaultConfiguration"] == {"level": "warning", "enabled": False}
    assert by_id["VG301"]["shortDescription"]["text"] == RULES["VG301"].summary
    assert RULES["VG301"].bad in by_id["VG301"]["help"]["text"]


def test_sarif_uris_are_percent_encoded_and_workspace_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = tmp_path / "sub dir"
    nested.mkdir()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    odd = Finding("ci/my script#1.sh", 2, 1, "VG301", "sudo")
    log = sarif(make_result(nested, odd))
    assert_code_scanning_accepts(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "sub%20dir/ci/my%20script%231.sh"
    assert unquote(uri["uri"]) == "sub dir/ci/my script#1.sh"
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_sarif_several_roots_share_one_run(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    log = sarif(make_result(tmp_path / "a", SUDO), make_result(tmp_path / "b", UNPINNED))
    assert_code_scanning_accepts(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["a/scripts/install.sh", "b/requirements.txt"]
    assert log["runs"][0]["results"][1]["properties"] == {"package": "requests"}


def test_sarif_without_findings_is_still_a_valid_upload(tmp_path: Path) -> None:
    log = sarif(make_result(tmp_path))
    assert_code_scanning_accepts(log)
    assert log["runs"][0]["results"] == []


# --- markdown -----------------------------------------------------------------------------


def table_rows(markdown: str, header: str) -> list[list[str]]:
    lines = markdown.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([cell.strip() for cell in cells])
    return rows


def test_markdown_has_totals_rule_counts_and_every_finding(tmp_path: Path) -> None:
    many = [
        Finding(f"scripts/s{i:02}.sh", i, 1, "VG301", f"`sudo pip install p{i}` installs globally")
        for i in range(1, 13)
    ]
    out = render("markdown", make_result(tmp_path, *many, STALE, VENV))
    assert out.startswith("## venvguard\n")
    assert "**13 errors** and **1 warning** in 7 files checked." in out
    counts = table_rows(out, "| Rule | Name | Severity | Findings |")
    assert counts == [
        ["VG101", "venv-not-ignored", "error", "1"],
        ["VG104", "venv-stale", "warning", "1"],
        ["VG301", "sudo-install", "error", "12"],
    ]
    rows = table_rows(out, "| Severity | Rule | Location | Message |")
    assert len(rows) == 14  # all of them, not the ten annotations GitHub shows
    assert rows[0] == [
        "error",
        "VG301 sudo-install",
        "`scripts/s01.sh:1:1`",
        "`sudo pip install p1` installs globally",
    ]
    assert rows[-1][2] == "`.venv`"


def test_markdown_cells_cannot_break_the_table(tmp_path: Path) -> None:
    finding = Finding("a|b.sh", 1, 1, "VG301", "`cat x | sudo pip install -` <b>bold</b> a|b\nnext")
    rows = table_rows(
        render("markdown", make_result(tmp_path, finding)),
        "| Severity | Rule | Location | Message |",
    )
    assert len(rows) == 1 and len(rows[0]) == 4
    assert rows[0][2] == r"`a\|b.sh:1:1`"
    assert rows[0][3] == (r"`cat x \| sudo pip install -` &lt;b&gt;bold&lt;/b&gt; a\|b<br>next")


def test_markdown_clean_run_and_notices(tmp_path: Path) -> None:
    out = render(
        "markdown", make_result(tmp_path, notices=(Notice("Dockerfile", 3, "heredoc skipped"),))
    )
    assert ":white_check_mark: No findings in 7 files checked." in out
    assert "| Severity |" not in out
    assert "### Notes\n\n- `Dockerfile:3`: heredoc skipped\n" in out


def test_markdown_links_to_the_commit_inside_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/app")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    out = render("markdown", make_result(tmp_path, SUDO, NO_PATTERN))
    assert (
        "[`scripts/install.sh:5:1`](https://github.example/octo/app/blob/abc123/"
        "scripts/install.sh#L5)"
    ) in out
    assert "| `.` |" in out  # the repository itself: nothing to link


def test_markdown_warnings_only_are_marked_as_warnings(tmp_path: Path) -> None:
    out = render("markdown", make_result(tmp_path, STALE))
    assert out.splitlines()[2].startswith(":warning: **0 errors** and **1 warning**")
    strict = render("markdown", make_result(tmp_path, STALE), strict=True)
    assert strict.splitlines()[2].startswith(":x:")


# --- through the command line -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["github", "sarif", "markdown"])
def test_every_format_runs_from_the_cli(repo: Repo, fmt: str, tmp_path: Path) -> None:
    repo.write(".gitignore", ".venv/\nvenv/\n")
    repo.commit()
    target = tmp_path / f"report.{fmt}"
    result = run_cli("check", "--format", fmt, "--output", str(target), cwd=repo.path)
    assert result.code == 0, result.err
    text = target.read_text(encoding="utf-8")
    if fmt == "sarif":
        assert_code_scanning_accepts(json.loads(text))
    elif fmt == "markdown":
        assert text.startswith("## venvguard\n")
