"""Rule selection (ruff's semantics) and suppressions (inline comments, per-file ignores)."""

from __future__ import annotations

import pytest

from venvguard.findings import Finding
from venvguard.project import Project
from venvguard.rules import RULES
from venvguard.selection import Suppressions, resolve_selection

from .conftest import Repo

DEFAULT_ON = {code for code, rule in RULES.items() if rule.default_enabled}


@pytest.mark.parametrize(
    ("select", "extend", "ignore", "expected"),
    [
        (None, [], [], DEFAULT_ON),
        (["VG1"], [], [], {c for c in RULES if c.startswith("VG1")}),
        (["VG3"], [], [], {c for c in DEFAULT_ON if c.startswith("VG3")}),
        (["VG306"], [], [], {"VG306"}),
        (["ALL"], [], [], set(RULES)),
        (None, ["VG307"], [], DEFAULT_ON | {"VG307"}),
        (None, [], ["VG2"], {c for c in DEFAULT_ON if not c.startswith("VG2")}),
        (["VG3"], [], ["VG30"], set()),
        (["VG301"], [], ["VG3"], {"VG301"}),
        (["VG3"], [], ["VG305"], {c for c in DEFAULT_ON if c.startswith("VG3")} - {"VG305"}),
        (["ALL"], [], ["VG3"], {c for c in RULES if not c.startswith("VG3")}),
    ],
)
def test_selection_follows_ruff(
    select: list[str] | None, extend: list[str], ignore: list[str], expected: set[str]
) -> None:
    assert resolve_selection(select, extend, ignore) == frozenset(expected)


def _finding(path: str, line: int | None, code: str = "VG301") -> Finding:
    return Finding(path=path, line=line, column=1 if line else None, code=code, message="m")


def test_inline_suppressions_in_every_comment_style(repo: Repo) -> None:
    repo.write(
        "install.sh",
        "sudo pip install a  # venvguard: ignore[VG301]\n"  # 1: trailing, matching code
        "sudo pip install b  # venvguard: ignore[VG302]\n"  # 2: trailing, other code
        "# venvguard: ignore\n"  # 3: alone on the line before
        "sudo pip install c\n"  # 4
        "echo x  # venvguard: ignore\n"  # 5: trailing on a command line...
        "sudo pip install d\n"  # 6: ...does not cover the next line
        "sudo pip install e # VENVGUARD: IGNORE[vg3]\n",  # 7: prefix and case
    )
    repo.write(
        "run.bat", "REM venvguard: ignore[VG305]\npip install x\n@rem venvguard: ignore\npip y\n"
    )
    repo.write("README.md", "<!-- venvguard: ignore-file[VG305] -->\n\n    pip install y\n")
    project = Project(repo.path, is_git=True)
    suppress = Suppressions(project, {})
    kept = suppress.filter(
        [_finding("install.sh", line) for line in range(1, 8) if line not in {3, 5}]
        + [
            _finding("run.bat", 2, "VG305"),
            _finding("run.bat", 4, "VG305"),
            _finding("README.md", 3, "VG305"),
            _finding("README.md", 3, "VG301"),
        ]
    )
    assert [(f.path, f.line, f.code) for f in kept] == [
        ("install.sh", 2, "VG301"),
        ("install.sh", 6, "VG301"),
        ("README.md", 3, "VG301"),
    ]


def test_per_file_ignores_use_gitignore_globs(repo: Repo) -> None:
    project = Project(repo.path, is_git=True)
    suppress = Suppressions(project, {"docs/": ("VG3",), "*.ipynb": ("VG305",)})
    kept = suppress.filter(
        [
            _finding("docs/guide/install.md", 3),
            _finding("notebooks/a.ipynb", 4, "VG305"),
            _finding("notebooks/a.ipynb", 5, "VG301"),
            _finding("scripts/docs.sh", 1),
        ]
    )
    assert [(f.path, f.code) for f in kept] == [
        ("notebooks/a.ipynb", "VG301"),
        ("scripts/docs.sh", "VG301"),
    ]


def test_quoted_directive_text_is_not_a_comment_on_the_line_before(repo: Repo) -> None:
    repo.write("a.sh", 'echo "venvguard: ignore"\nsudo pip install x\n')
    project = Project(repo.path, is_git=True)
    kept = Suppressions(project, {}).filter([_finding("a.sh", 2)])
    assert len(kept) == 1


def test_a_whole_file_suppression_is_a_comment_on_a_line_of_its_own(repo: Repo) -> None:
    """As ruff's file-level ``# ruff: noqa``: text a command prints is not a directive."""
    repo.write(
        "echo.sh",
        'echo "# venvguard: ignore-file[VG302]"\n'
        "pip install --user a\n"
        "cat <<'EOF'  # venvguard: ignore-file\n"
        "EOF\n",
    )
    repo.write("own.sh", "pip install --user a\n    # venvguard: ignore-file[VG302]\n")
    project = Project(repo.path, is_git=True)
    kept = Suppressions(project, {}).filter(
        [_finding("echo.sh", 2, "VG302"), _finding("own.sh", 1, "VG302")]
    )
    assert [(f.path, f.line) for f in kept] == [("echo.sh", 2)]
