"""Hostile and broken files: each gives a finding or a notice at its true place, no crash.

Every test builds a real repository (or folder) holding the bad file next to a good one
and runs ``venvguard check`` as a user would: the bad file is reported with file and line,
the rest is still checked, and the exit status stays 0 or 1 (2 is venvguard's own failure).
"""

from __future__ import annotations

import json

from .conftest import Repo, run_cli


def findings_of(repo: Repo, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = run_cli("check", "--format", "json", *args, cwd=repo.path)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    return result.code, json.loads(result.out)["findings"]


def places(findings: list[dict[str, object]], code: str) -> list[tuple[object, object]]:
    return [(f["path"], f["line"]) for f in findings if f["code"] == code]


def test_requirement_after_a_lone_carriage_return_points_at_its_true_line(repo: Repo) -> None:
    # pip splits lines on a lone CR (and on form feeds, U+2028 ...); editors and GitHub do
    # not: the finding must name the line a user sees.
    repo.write("requirements.txt", b"idna==3.7\rrequests\nflask\x0cclick\n")
    _, findings = findings_of(repo, "--select", "VG201")
    assert places(findings, "VG201") == [
        ("requirements.txt", 1),
        ("requirements.txt", 2),
        ("requirements.txt", 2),
    ]
