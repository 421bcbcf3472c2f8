"""VG1: virtual environments and ``.env`` files against what git tracks and ignores.

* VG101 a venv with files ``git add -A`` would add; VG102 a venv with tracked files.
  Both come from git's own listings (``Project.tracked`` / ``Project.untracked``), so every
  ignore source git knows counts, including ``info/exclude`` and global excludes. The
  listing is file by file on purpose: ``git ls-files -o --directory`` prints ``.venv/`` for
  a venv that ignores itself (``.venv/.gitignore`` holding ``*``) although ``git add -A``
  adds nothing from it.
* VG103 asks another question: would a fresh clone ignore the configured venv names? Only
  the ignore files that travel with the repository count: the ``.gitignore`` files that are
  tracked or addable (what the next ``git add -A && git commit`` holds, read from the work
  tree), decided by ``venvguard.gitignore``, never ``info/exclude`` or global excludes.
* VG104/VG105 look inside every venv of the repository, ignored ones included.
* VG106 ``.env`` secrets files that are tracked or addable.

``fix`` appends the missing names (VG103) and ``.env`` names (VG106) to the root
``.gitignore``, keeping its bytes, encoding and line endings.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from venvguard.context import Context
from venvguard.findings import FileEdit, Finding, Notice
from venvguard.ignore_shortcuts import plainly_ignored, plainly_unignored
from venvguard.rules import RULES
from venvguard.venvs import (
    PYVENV_CFG,
    ProjectVenv,
    base_python_version,
    entries_containing,
    parse_pyvenv_cfg,
    project_venvs,
)

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

CODES = frozenset(code for code in RULES if code.startswith("VG1"))

#: Files a venv folder holds (venv, virtualenv, uv; posix and Windows layouts): a folder
#: counts as ignored only if every one of them is.
VENV_PROBES = (
    PYVENV_CFG,
    "bin/python",
    "bin/python3",
    "bin/activate",
    "bin/pip",
    "lib64",
    "lib/python3.12/site-packages/pkg/__init__.py",
    "lib/python3.12/site-packages/pkg-1.0.dist-info/METADATA",
    "Scripts/python.exe",
    "Scripts/activate.bat",
    "Lib/site-packages/pkg/__init__.py",
)

_DOTENV_TEMPLATES = frozenset({"example", "sample", "template", "dist"})
#: Folders holding tool-made venvs (tox, nox) that use other Pythons on purpose.
_TOOL_ENV_PARENTS = frozenset({".tox", ".nox"})


def run(ctx: Context) -> Iterator[Finding | Notice]:
    if ctx.wants("VG104", "VG105"):
        ctx.project.prefetch_ignored_dirs()  # git works on it while we read the listing
    if ctx.wants("VG101", "VG102", "VG104", "VG105"):
        venvs = project_venvs(ctx.project, include_ignored=ctx.wants("VG104", "VG105"))
        yield from _committed_and_addable(ctx, venvs)
        if ctx.wants("VG104", "VG105"):
            yield from _inside_venvs(ctx, venvs)
    if ctx.wants("VG103"):
        yield from _missing_patterns(ctx)
    if ctx.wants("VG106"):
        yield from _dotenv_files(ctx)


# --- VG101, VG102 ------------------------------------------------------------------------


def _committed_and_addable(ctx: Context, venvs: Sequence[ProjectVenv]) -> Iterator[Finding]:
    git = ctx.project.is_git
    for venv in venvs:
        shown = f"{venv.path}/"
        if venv.addable and ctx.wants("VG101"):
            would = "`git add -A` would add" if git else "git would pick up"
            yield Finding(
                venv.path,
                None,
                None,
                "VG101",
                f"virtual environment `{shown}` is not ignored: {would} {_files(venv.addable)} "
                f"of it; add `/{_escape_pattern(venv.path)}/` to `.gitignore`",
            )
        if venv.tracked and ctx.wants("VG102"):
            command = f"git rm -r --cached -- {shlex.quote(venv.path)}"
            yield Finding(
                venv.path,
                None,
                None,
                "VG102",
                f"virtual environment `{shown}` is committed ({_files(venv.tracked)} tracked); "
                f"untrack it with `{command}` (the files stay on disk), make sure it is "
                "ignored, and commit",
            )


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


# --- VG103 ---------------------------------------------------------------------------------


def _named(paths: Sequence[str], needle: str, wanted: Callable[[str], bool]) -> list[str]:
    """The paths whose file name contains ``needle`` and is ``wanted``."""
    found = {path for path, _ in entries_containing("\0".join(paths), (needle,))}
    return sorted(path for path in found if wanted(path.rpartition("/")[2]))


def _committed_ignore_files(ctx: Context) -> dict[str, bytes]:
    from venvguard.project import read_ignore_file

    files: dict[str, bytes] = {}
    for paths in (ctx.project.tracked, ctx.project.untracked):
        for path in _named(paths, ".gitignore", ".gitignore".__eq__):
            # git reads no link and no non-file as an ignore file (a link to /dev/zero!)
            data = read_ignore_file(ctx.project.root / path, ctx.project.max_file_size)
            if data is None:
                continue  # tracked but deleted, unreadable, a link: not rules in the next clone
            files[path] = data
            ctx.files_checked.add(path)
    return files


def missing_venv_names(ctx: Context) -> list[str]:
    """The configured venv names that the committed ignore files leave unprotected."""
    files = _committed_ignore_files(ctx)
    folders = [name.strip("/") for name in ctx.config.venv_names]
    unsettled = [f for f in folders if f and not plainly_ignored(f, files)]
    if all(plainly_unignored(f"{folder}/{PYVENV_CFG}", files) for folder in unsettled):
        return unsettled  # the common verdicts need no matcher (venvguard.ignore_shortcuts)
    from venvguard.gitignore import IgnoreRules

    rules = IgnoreRules.from_files(files)
    return [
        folder
        for folder in unsettled
        if not rules.all_ignored(f"{folder}/{probe}" for probe in VENV_PROBES)
    ]


def _missing_patterns(ctx: Context) -> Iterator[Finding]:
    missing = missing_venv_names(ctx)
    if not missing:
        return
    shown = ", ".join(f"`{name}/`" for name in missing)
    lines = ", ".join(f"`/{_escape_pattern(name)}/`" for name in missing)
    yield Finding(
        ".gitignore",
        None,
        None,
        "VG103",
        f"the committed ignore files do not ignore {shown} at the repository root, so a "
        f"fresh clone is unprotected (`.git/info/exclude` and global excludes do not travel); "
        f"add {lines} to `.gitignore`",
        fix=f"append {lines} to .gitignore",
    )


# --- VG106 ---------------------------------------------------------------------------------


def is_dotenv_name(name: str) -> bool:
    """``.env`` and ``.env.<variant>`` secrets files; ``.env.example`` and kin are templates."""
    if name == ".env":
        return True
    if not name.startswith(".env.") or len(name) == len(".env."):
        return False
    return name[len(".env.") :].lower() not in _DOTENV_TEMPLATES


def _dotenv_files(ctx: Context) -> Iterator[Finding]:
    project = ctx.project
    for tracked, paths in ((True, project.tracked), (False, project.untracked)):
        for path in _named(paths, ".env", is_dotenv_name):
            name = path.rpartition("/")[2]
            quoted = shlex.quote(path)
            if tracked:
                message = (
                    f"secrets file `{path}` is tracked by git; untrack it with "
                    f"`git rm --cached -- {quoted}`, ignore it, and commit a `.env.example` "
                    "instead (rotate any secret it held)"
                )
            else:
                message = (
                    f"secrets file `{path}` is not ignored: `git add -A` would commit it; "
                    f"add `{_escape_pattern(name)}` to `.gitignore`"
                    if project.is_git
                    else f"secrets file `{path}` is not ignored; add "
                    f"`{_escape_pattern(name)}` to `.gitignore`"
                )
            yield Finding(
                path,
                None,
                None,
                "VG106",
                message,
                fix=f"append `{_escape_pattern(name)}` to .gitignore",
            )


# --- VG104, VG105 --------------------------------------------------------------------------


def _inside_venvs(ctx: Context, venvs: Sequence[ProjectVenv]) -> Iterator[Finding | Notice]:
    # Only a venv has a Python to hold against requires-python: no venv, no TOML parsing.
    requirements = _python_requirements(ctx) if venvs and ctx.wants("VG105") else None
    for venv in venvs:
        folder = ctx.project.root / venv.path
        cfg = parse_pyvenv_cfg(folder / PYVENV_CFG) if venv.kind == "venv" else None
        if cfg is not None:
            for line, problem in cfg.problems:
                yield Notice(f"{venv.path}/{PYVENV_CFG}", line, problem)
        elif venv.kind == "venv" and folder.exists():
            yield Notice(f"{venv.path}/{PYVENV_CFG}", None, "cannot read pyvenv.cfg")
        if not folder.is_dir():
            continue  # committed, then deleted from the work tree
        if ctx.wants("VG104"):
            reasons = stale_reasons(folder, cfg.home if cfg else None)
            if reasons:
                yield Finding(
                    venv.path,
                    None,
                    None,
                    "VG104",
                    f"virtual environment `{venv.path}/` is stale: {'; '.join(reasons)}; "
                    "recreate it",
                )
        if requirements is not None:
            finding = _version_mismatch(venv, folder, requirements)
            if finding is not None:
                yield finding
    if requirements is not None:
        yield from requirements.notices


_ACTIVATE_LINE = re.compile(
    r"""^\s*(?:export\s+)?VIRTUAL_ENV=(["']?)(/[^"'\n]*)\1\s*(?:;.*)?$""", re.MULTILINE
)
_BAT_LINE = re.compile(r"""^\s*set\s+"?VIRTUAL_ENV=([A-Za-z]:\\[^"\r\n]*)"?""", re.MULTILINE)
_SH_EXEC = re.compile(r"""^'''exec' ["']?([^"'\s]+)""", re.MULTILINE)


def _read_head(path: Path, size: int) -> str | None:
    from venvguard.project import read_regular_file

    data = read_regular_file(path, size)  # never a FIFO or a device: they block or never end
    return data.decode("utf-8", "replace") if data is not None else None


def _recorded_locations(folder: Path) -> list[tuple[str, str]]:
    """``(where, venv location)`` pairs that the venv's scripts have written in."""
    recorded: list[tuple[str, str]] = []
    scripts = "Scripts" if os.name == "nt" else "bin"
    if os.name == "nt":
        text = _read_head(folder / scripts / "activate.bat", 4096)
        match = _BAT_LINE.search(text) if text else None
        if match:
            recorded.append((f"{scripts}/activate.bat", match.group(1)))
    else:
        text = _read_head(folder / scripts / "activate", 8192)
        match = _ACTIVATE_LINE.search(text) if text else None
        if match:
            recorded.append((f"{scripts}/activate", match.group(2)))
    try:
        names = sorted(os.listdir(folder / scripts))
    except OSError:
        return recorded
    for name in names[:64]:
        if name.startswith(("activate", "Activate", "python", "deactivate")):
            continue
        head = _read_head(folder / scripts / name, 512)
        if not head or not head.startswith("#!"):
            continue
        first = head.split("\n", 1)[0][2:].strip()
        interpreter = first.split()[0] if first else ""
        if interpreter in {"/bin/sh", "/usr/bin/env"} or not interpreter:
            exec_line = _SH_EXEC.search(head)
            interpreter = exec_line.group(1) if exec_line else ""
        parent = os.path.dirname(interpreter)
        if os.path.isabs(interpreter) and os.path.basename(parent) == scripts:
            recorded.append((f"{scripts}/{name}", os.path.dirname(parent)))
            break  # one script tells where the installer thought the venv was
    return recorded


def _same_place(recorded: str, actual: Path) -> bool:
    if os.path.normpath(recorded) == os.path.normpath(actual):
        return True
    return os.path.realpath(recorded) == os.path.realpath(actual)


def stale_reasons(folder: Path, home: str | None) -> list[str]:
    """Why the venv at ``folder`` no longer works where it is (empty if it does)."""
    reasons: list[str] = []
    for where, location in _recorded_locations(folder):
        if not _same_place(location, folder):
            reasons.append(f"`{where}` points at `{location}` (moved or copied)")
    if home and _native_path(home) and not os.path.isdir(home):
        reasons.append(f"its base interpreter folder `{home}` (pyvenv.cfg `home`) is gone")
    elif os.name != "nt":
        python = folder / "bin" / "python"
        if python.is_symlink() and not python.exists():
            reasons.append(f"`bin/python` links to `{os.readlink(python)}`, which is gone")
    return reasons


def _native_path(path: str) -> bool:
    windows = bool(re.match(r"^[A-Za-z]:[\\/]", path)) or path.startswith("\\\\")
    return windows if os.name == "nt" else path.startswith("/")


class _PythonRequirements:
    """``requires-python`` and ``.python-version`` of the project, read once."""

    def __init__(self) -> None:
        self.specifier: SpecifierSet | None = None
        self.specifier_text: str | None = None
        self.pinned: list[tuple[int, ...]] = []
        self.pinned_text: str | None = None
        self.notices: list[Notice] = []


def _python_requirements(ctx: Context) -> _PythonRequirements:
    requirements = _PythonRequirements()
    root = ctx.project.root
    if (root / "pyproject.toml").is_file():
        text = _requires_python(root / "pyproject.toml", requirements.notices)
        if text is not None:
            from packaging.specifiers import InvalidSpecifier, SpecifierSet

            try:
                requirements.specifier = SpecifierSet(text)
                requirements.specifier_text = text
            except InvalidSpecifier:
                requirements.notices.append(
                    Notice("pyproject.toml", None, f"invalid requires-python {text!r}")
                )
    source = (
        ctx.project.read_text(".python-version") if (root / ".python-version").is_file() else None
    )
    if source is not None and source.text is not None:
        ctx.files_checked.add(".python-version")
        wanted = _pyenv_versions(source.text)
        if wanted:
            requirements.pinned = wanted
            requirements.pinned_text = ", ".join(".".join(map(str, v)) for v in wanted)
    return requirements


def _requires_python(path: Path, notices: list[Notice]) -> str | None:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        notices.append(Notice("pyproject.toml", None, f"cannot read requires-python: {error}"))
        return None
    project = data.get("project")
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) and value.strip() else None


_PYENV_VERSION = re.compile(r"^(?:cpython-|python-?|pypy)?(\d+(?:\.\d+){0,2})")


def _pyenv_versions(text: str) -> list[tuple[int, ...]]:
    """Versions named in a ``.python-version`` (pyenv: one or more, ``#`` comments).

    ``3.11`` means any 3.11.x; names pyenv knows that are not Python versions
    (``system``, ``miniconda3-4.7.12``) are skipped.
    """
    wanted: list[tuple[int, ...]] = []
    for raw in text.splitlines():
        for token in raw.split("#", 1)[0].split():
            match = _PYENV_VERSION.match(token)
            if match:
                wanted.append(tuple(int(part) for part in match.group(1).split(".")))
    return wanted


def _version_mismatch(
    venv: ProjectVenv, folder: Path, requirements: _PythonRequirements
) -> Finding | None:
    version = base_python_version(folder)
    if version is None:
        return None
    shown = ".".join(map(str, version))
    problems: list[str] = []
    if requirements.specifier is not None:
        from packaging.version import Version

        if not requirements.specifier.contains(Version(shown), prereleases=True):
            problems.append(f"`requires-python = {requirements.specifier_text!r}`")
    tool_env = Path(venv.path).parent.name in _TOOL_ENV_PARENTS
    matches_pin = any(version[: len(want)] == want for want in requirements.pinned)
    if requirements.pinned and not tool_env and not matches_pin:
        problems.append(f"`.python-version` ({requirements.pinned_text})")
    if not problems:
        return None
    return Finding(
        venv.path,
        None,
        None,
        "VG105",
        f"virtual environment `{venv.path}/` uses Python {shown}, which does not satisfy "
        f"{' or '.join(problems)}; recreate it with a matching Python",
    )


# --- --fix ---------------------------------------------------------------------------------


def _escape_pattern(name: str) -> str:
    """``name`` as a literal gitignore pattern."""
    escaped = re.sub(r"([*?\[\\])", r"\\\1", name)
    if escaped.startswith(("#", "!")):
        escaped = "\\" + escaped
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return escaped


def append_lines(old: bytes | None, lines: Iterable[str]) -> bytes:
    """``old`` (a .gitignore's bytes, or None) with ``lines`` appended, in its own style.

    The existing bytes are kept as they are; the new lines use the file's line ending
    (CRLF if its first line ends so) and its encoding (UTF-8, or Latin-1 when the file is
    not valid UTF-8), and a missing final newline is added before them.
    """
    content = old or b""
    newline = b"\r\n" if b"\r\n" in content.split(b"\n", 1)[0] + b"\n" else b"\n"
    try:
        content.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
    new = content
    if new and not new.endswith(b"\n"):
        new += newline
    for line in lines:
        try:
            encoded = line.encode(encoding)
        except UnicodeEncodeError:
            encoded = line.encode("utf-8", "surrogateescape")
        new += encoded + newline
    return new


def fix(ctx: Context, findings: Sequence[Finding]) -> list[FileEdit]:
    lines: list[str] = []
    codes = {finding.code for finding in findings}
    if "VG103" in codes:
        lines.extend(f"/{_escape_pattern(name)}/" for name in missing_venv_names(ctx))
    if "VG106" in codes:
        for finding in findings:
            if finding.code == "VG106":
                line = _escape_pattern(finding.path.rpartition("/")[2])
                if line not in lines:
                    lines.append(line)
    if not lines:
        return []
    path = ctx.project.root / ".gitignore"
    try:
        old: bytes | None = path.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError:
        return []
    return [FileEdit(".gitignore", old, append_lines(old, lines))]
