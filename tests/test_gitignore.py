"""The rebuilt ignore rules against git itself: git is right wherever we differ.

The oracle is ``git ls-files -o --exclude-standard`` (exactly what ``git add -A`` would
add) in a real repository holding the same files; our side walks the same tree as a plain
folder with ``IgnoreRules``. Hypothesis generates pattern/path combinations; its example
count stays modest by default (``VENVGUARD_HYPOTHESIS=thorough`` for a long run).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from venvguard.gitignore import IgnoreRules, compile_patterns, split_lines
from venvguard.project import Project

from .fuzzing import profile

PROFILE = profile("gitignore", default=40, thorough=1500)


def git_addable(root: Path) -> set[str]:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "-o", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout
    return {os.fsdecode(name) for name in out.split(b"\0") if name}


def our_addable(root: Path) -> set[str]:
    return set(Project(root=root, is_git=False)._walk_plain_folder())


def build(root: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def fresh_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


# Names overlap on purpose between folders and files, and with the patterns' words.
DIR_NAMES = ["a", "b", ".venv", "lib", "x.py"]
FILE_NAMES = ["f", "x.py", "y.txt", "pyvenv.cfg", "#h", "!n", "sp ace"]
PATTERN_WORDS = [
    *["a", "b", ".venv", "lib", "x.py", "f", "*", "**", "?", "*.py", "[ab]", "#h", ".*"],
    *["[!.]*", "*a*", "l?b", "!n", "sp\\ ace", "a\\", "**a", "[a-c]"],
]


@st.composite
def trees(draw: st.DrawFn) -> list[str]:
    paths: set[str] = set()
    for _ in range(draw(st.integers(1, 10))):
        depth = draw(st.integers(0, 3))
        folders = [draw(st.sampled_from(DIR_NAMES)) for _ in range(depth)]
        paths.add("/".join([*folders, draw(st.sampled_from(FILE_NAMES))]))
    # A name cannot be a file and a folder at once: drop files that shadow folders.
    folders_used = {p.rsplit("/", 1)[0] for p in paths if "/" in p}
    prefixes = {"/".join(f.split("/")[: i + 1]) for f in folders_used for i in range(9)}
    return sorted(p for p in paths if p not in prefixes)


@st.composite
def pattern_lines(draw: st.DrawFn) -> str:
    segments = [draw(st.sampled_from(PATTERN_WORDS)) for _ in range(draw(st.integers(1, 3)))]
    line = "/".join(segments)
    if draw(st.booleans()):
        line = "/" + line
    if draw(st.integers(0, 3)) == 0:
        line += "/"
    if draw(st.integers(0, 3)) == 0:
        line = "!" + line
    line = line.replace("#h", "\\#h") if line.startswith("#") else line
    if draw(st.integers(0, 5)) == 0:
        line += draw(st.sampled_from([" ", "  ", "\\ ", "\r"]))
    return line


@st.composite
def ignore_files(draw: st.DrawFn) -> dict[str, str]:
    files = {".gitignore": "\n".join(draw(st.lists(pattern_lines(), max_size=6)))}
    if draw(st.booleans()):
        folder = draw(st.sampled_from(["a", "a/b", ".venv", "lib"]))
        files[f"{folder}/.gitignore"] = "\n".join(draw(st.lists(pattern_lines(), max_size=4)))
    return files


@settings(settings.get_profile(PROFILE))
@given(tree=trees(), ignores=ignore_files())
def test_walk_agrees_with_git_on_generated_patterns(
    tmp_path_factory: pytest.TempPathFactory, tree: list[str], ignores: dict[str, str]
) -> None:
    root = fresh_repo(tmp_path_factory.mktemp("gen") / "r")
    files = {path: b"x" for path in tree}
    # An ignore file cannot sit in a folder that is a file of the tree.
    files.update({p: t.encode() for p, t in ignores.items() if p.rsplit("/", 1)[0] not in files})
    build(root, files)
    assert our_addable(root) == git_addable(root), ignores


REALISTIC = {
    "github-python": """\
# Byte-compiled / optimized / DLL files
__pycache__/
*.py[cod]
*$py.class
build/
dist/
*.egg-info/
.env
.venv
env/
venv/
ENV/
env.bak/
venv.bak/
!keep.pyc
""",
    "allow-list": "*\n!*/\n!*.py\n!.gitignore\n",
    "double-star": "lib/**\n!lib/**/*.txt\n**/cache/**\n.venv/**/\n",
    "anchored": "/build\n/.venv/\ndocs/_build/\n\\#notes\n\\!bang\nspace\\ \ntrail   \n",
    "crlf": "venv/\r\n*.log\r\n!keep.log\r\n",
    "lone-cr": "Icon\r\n.venv\rjunk\n",
    "reinclude-under-excluded": (
        "out/\n!out/keep.txt\nlogs/*\n!logs/keep/\nlogs/keep/*\n!logs/keep/a.log\n"
    ),
}
REALISTIC_TREE = [
    "a.py",
    "a.pyc",
    "keep.pyc",
    "x$py.class",
    "build/x.o",
    "src/build/y.o",
    "dist/p.whl",
    "p.egg-info/PKG-INFO",
    ".env",
    ".venv/pyvenv.cfg",
    ".venv/lib/python3.12/site-packages/m.py",
    "env/pyvenv.cfg",
    "src/env/x.txt",
    "venv/bin/python",
    "lib/a.txt",
    "lib/sub/b.txt",
    "lib/sub/c.py",
    "src/cache/x/y",
    "docs/_build/index.html",
    "#notes",
    "!bang",
    "space ",
    "trail",
    "x.log",
    "keep.log",
    "Icon\r",
    "junk",
    "out/keep.txt",
    "logs/a.log",
    "logs/keep/a.log",
    "logs/keep/b.log",
    "sub/.gitignore",
]


@pytest.mark.parametrize("name", sorted(REALISTIC))
def test_walk_agrees_with_git_on_realistic_files(tmp_path: Path, name: str) -> None:
    root = fresh_repo(tmp_path / "r")
    build(root, {path: b"x" for path in REALISTIC_TREE})
    build(root, {".gitignore": REALISTIC[name].encode(), "sub/.gitignore": b"*\n"})
    ours, gits = our_addable(root), git_addable(root)
    assert ours == gits
    assert gits  # the comparison is not vacuous


def test_self_ignoring_venv_is_ignored_file_by_file(tmp_path: Path) -> None:
    root = fresh_repo(tmp_path / "r")
    build(root, {".venv/.gitignore": b"*\n", ".venv/pyvenv.cfg": b"", "a.py": b""})
    rules = IgnoreRules.from_tree(root)
    assert not rules.is_ignored(".venv", is_dir=True)  # git says the same of the folder
    assert rules.is_ignored(".venv/pyvenv.cfg", is_dir=False)
    assert our_addable(root) == git_addable(root) == {"a.py"}


def test_file_is_not_reincluded_under_an_excluded_folder() -> None:
    rules = IgnoreRules.from_files({".gitignore": "build/\n!build/keep.txt\n"})
    assert rules.is_ignored("build/keep.txt", is_dir=False)
    rules = IgnoreRules.from_files({".gitignore": "build/*\n!build/keep.txt\n"})
    assert not rules.is_ignored("build/keep.txt", is_dir=False)


def test_trailing_double_star_matches_contents_not_the_folder() -> None:
    rules = IgnoreRules.from_files({".gitignore": "X/**\n"})
    assert not rules.is_ignored("X", is_dir=True)
    assert rules.is_ignored("X/a", is_dir=False)
    assert rules.is_ignored("X/a/b", is_dir=False)


def test_deeper_file_wins_and_extra_lists_come_last() -> None:
    rules = IgnoreRules.from_files(
        {".gitignore": "*.log\n", "a/.gitignore": "!keep.log\n"}, extra=["keep.log\nz/\n"]
    )
    assert rules.is_ignored("x.log", is_dir=False)
    assert rules.is_ignored("b/keep.log", is_dir=False)
    assert not rules.is_ignored("a/keep.log", is_dir=False)  # decided before the extra list
    assert rules.is_ignored("z", is_dir=True)
    assert not rules.is_ignored("y.txt", is_dir=False)


def test_lines_split_like_git() -> None:
    assert split_lines(b"\xef\xbb\xbfa\r\nb\rc\n\nd") == ["a", "b\rc", "", "d"]
    assert [p.text for p in compile_patterns("# c\n\\#x\n!\\!y\nz  \nw\\ \n\n")] == [
        "\\#x",
        "!\\!y",
        "z",
        "w\\ ",
    ]
