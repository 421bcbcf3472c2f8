"""The text reporter: locations, summary, and no terminal control from repository content."""

from __future__ import annotations

from pathlib import Path

from venvguard.engine import Result
from venvguard.findings import Finding, Notice
from venvguard.project import Project
from venvguard.reporters import RenderOptions
from venvguard.reporters.text import render


def _result(tmp_path: Path, *findings: Finding, notices: tuple[Notice, ...] = ()) -> Result:
    return Result(Project(tmp_path, is_git=False), list(findings), list(notices), files_checked=3)


def test_lines_and_summary(tmp_path: Path) -> None:
    result = _result(
        tmp_path,
        Finding("ci/install.sh", 4, 1, "VG301", "`sudo pip install x` installs as root"),
        Finding(".gitignore", None, None, "VG103", "does not ignore .venv", fix="add .venv/"),
        Finding(".venv", None, None, "VG104", "moved"),
        notices=(Notice("big.ipynb", None, "skipped: too large"),),
    )
    out = render([result], RenderOptions())
    assert out.splitlines() == [
        "big.ipynb: note: skipped: too large",
        "ci/install.sh:4:1: VG301 `sudo pip install x` installs as root",
        ".gitignore: VG103 does not ignore .venv [*]",
        ".venv: VG104 moved",
        "Found 2 errors and 1 warning in 3 files checked; 1 fixable with --fix ([*]).",
    ]


def test_control_characters_from_the_repository_are_escaped(tmp_path: Path) -> None:
    result = _result(tmp_path, Finding("evil\x1b[2J\nname.sh", 1, 1, "VG301", "`pip\rinstall`"))
    out = render([result], RenderOptions(color=False))
    assert "\x1b" not in out and "\r" not in out
    assert out.splitlines()[0] == "evil\\x1b[2J\\nname.sh:1:1: VG301 `pip\\rinstall`"


def test_colour_only_when_asked(tmp_path: Path) -> None:
    result = _result(tmp_path, Finding("a.sh", 1, 1, "VG301", "m"))
    assert "\x1b[" not in render([result], RenderOptions(color=False))
    assert "\x1b[31m" in render([result], RenderOptions(color=True))
