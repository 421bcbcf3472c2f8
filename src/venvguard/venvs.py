"""Virtual environments on disk: recognising them by content and reading what they record.

A folder is a virtual environment when it holds ``pyvenv.cfg`` (venv, virtualenv, uv) or
``conda-meta/history`` (a conda environment), whatever it is called. This module only looks
at the file system; deciding which venvs matter to a repository (tracked, addable, ignored)
is the job of ``venvguard.checks.venvs`` with the help of ``Project``.

``pyvenv.cfg`` is read the way CPython's ``site`` module reads it (``key = value`` lines,
keys lower-cased, anything else skipped), so a damaged file never raises: what could not be
understood is listed in ``PyvenvCfg.problems`` with its line number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

from venvguard.records import FrozenRecord

if TYPE_CHECKING:
    from venvguard.project import Project

PYVENV_CFG = "pyvenv.cfg"
CONDA_HISTORY = "conda-meta/history"

_VERSION = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?")
#: Folders never entered when looking for venvs by walking.
_NEVER_WALK = frozenset({".git", ".hg", ".svn"})


class PyvenvCfg(FrozenRecord):
    """What a ``pyvenv.cfg`` says.

    ``version`` is the base interpreter's version as a tuple of ints (``(3, 11, 4)``), from
    the ``version`` key (venv) or ``version_info`` (virtualenv, uv); ``version_string`` is
    the raw value. ``raw`` holds every ``key = value`` line (keys lower-cased, last wins).
    ``problems`` lists ``(line, message)`` for lines or values that made no sense.
    """

    __slots__ = (
        "path",
        "home",
        "version",
        "version_string",
        "include_system_site_packages",
        "executable",
        "command",
        "raw",
        "problems",
    )

    path: Final[Path]
    home: Final[str | None]
    version: Final[tuple[int, ...] | None]
    version_string: Final[str | None]
    include_system_site_packages: Final[bool]
    executable: Final[str | None]
    command: Final[str | None]
    raw: Final[dict[str, str]]
    problems: Final[tuple[tuple[int, str], ...]]

    def __init__(
        self,
        path: Path,
        home: str | None,
        version: tuple[int, ...] | None,
        version_string: str | None,
        include_system_site_packages: bool,
        executable: str | None,
        command: str | None,
        raw: dict[str, str] | None = None,
        problems: tuple[tuple[int, str], ...] = (),
    ) -> None:
        self.path = path
        self.home = home
        self.version = version
        self.version_string = version_string
        self.include_system_site_packages = include_system_site_packages
        self.executable = executable
        self.command = command
        self.raw = {} if raw is None else raw
        self.problems = problems


def parse_version(text: str) -> tuple[int, ...] | None:
    """``"3.11.4"`` -> ``(3, 11, 4)``; ``"3.12.1.final.0"`` -> ``(3, 12, 1)``; else ``None``."""
    match = _VERSION.match(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def parse_pyvenv_cfg_text(text: str, path: Path) -> PyvenvCfg:
    """Parse the content of a ``pyvenv.cfg``; never raises."""
    raw: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, equals, value = stripped.partition("=")
        if not equals or not key.strip():
            problems.append((number, f"not a `key = value` line: {stripped[:60]!r}"))
            continue
        raw[key.strip().lower()] = value.strip()

    version_string = raw.get("version") or raw.get("version_info")
    version = parse_version(version_string) if version_string else None
    if version_string and version is None:
        problems.append((_line_of(text, "version"), f"unreadable version {version_string!r}"))
    flag = raw.get("include-system-site-packages", "false").lower()
    if flag not in {"true", "false"}:
        problems.append(
            (
                _line_of(text, "include-system-site-packages"),
                f"include-system-site-packages should be true or false, not {flag!r}",
            )
        )
    return PyvenvCfg(
        path=path,
        home=raw.get("home") or None,
        version=version,
        version_string=version_string,
        include_system_site_packages=flag == "true",
        executable=raw.get("executable") or raw.get("base-executable") or None,
        command=raw.get("command") or None,
        raw=raw,
        problems=tuple(problems),
    )


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().lower().startswith(key):
            return number
    return 1


def parse_pyvenv_cfg(path: Path) -> PyvenvCfg | None:
    """Read ``path`` (a ``pyvenv.cfg``, or a venv folder holding one); ``None`` if unreadable.

    Bytes that are not UTF-8 are read as Latin-1 (CPython does the same), so only a missing
    or unreadable file gives ``None``.
    """
    if path.name != PYVENV_CFG or path.is_dir():
        path = path / PYVENV_CFG
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return parse_pyvenv_cfg_text(text.removeprefix("\ufeff"), path)


def venv_kind(folder: Path) -> str | None:
    """``"venv"`` if ``folder`` holds ``pyvenv.cfg``, ``"conda"`` for a conda env, else None."""
    if os.path.isfile(os.path.join(folder, PYVENV_CFG)):
        return "venv"
    if os.path.isfile(os.path.join(folder, "conda-meta", "history")):
        return "conda"
    return None


def is_venv(folder: Path) -> bool:
    """Whether ``folder`` is a virtual environment (venv, virtualenv, uv or conda)."""
    return venv_kind(folder) is not None


def find_venvs(root: Path, *, nested: bool = False) -> list[Path]:
    """Every venv under ``root`` (``root`` itself included), found by walking the folder.

    Symbolic links are not followed, ``.git`` is not entered, and by default a venv's own
    folder is not searched further (``nested=True`` looks inside venvs too). This is the
    simple, complete answer for a small folder; a repository check uses ``Project.venvs``,
    which asks git first and walks nothing that git already answered.
    """
    return sorted(_walk_for_venvs(root, nested))


def _walk_for_venvs(root: Path, nested: bool) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        if PYVENV_CFG in names or (
            "conda-meta" in dirs and os.path.isfile(os.path.join(folder, CONDA_HISTORY))
        ):
            yield here
            if not nested:
                dirs[:] = []
                continue
        dirs[:] = [
            d for d in dirs if d not in _NEVER_WALK and not os.path.islink(os.path.join(folder, d))
        ]


def site_packages_dirs(venv: Path) -> list[Path]:
    """The ``site-packages`` folders of a venv that exist, in a stable order.

    Covers posix ``lib/pythonX.Y/site-packages`` (and ``lib64``, PyPy's ``lib/pypyX.Y``),
    Windows ``Lib/site-packages``, and conda's layouts. A ``lib64`` that is a link to
    ``lib`` is listed once.
    """
    found: list[Path] = []
    seen: set[str] = set()

    def add(candidate: Path) -> None:
        if not candidate.is_dir():
            return
        key = os.path.realpath(candidate)
        if key not in seen:
            seen.add(key)
            found.append(candidate)

    for lib in ("lib", "lib64"):
        base = venv / lib
        try:
            children = sorted(os.listdir(base))
        except OSError:
            continue
        for child in children:
            if child.startswith(("python", "pypy")):
                add(base / child / "site-packages")
        add(base / "site-packages")  # PyPy < 3.8 and some conda builds
    add(venv / "Lib" / "site-packages")
    return found


def base_python_version(venv: Path) -> tuple[int, ...] | None:
    """The Python version a venv (from ``pyvenv.cfg``) or conda env (``conda-meta``) uses."""
    cfg = parse_pyvenv_cfg(venv / PYVENV_CFG)
    if cfg is not None and cfg.version is not None:
        return cfg.version
    try:
        names = os.listdir(venv / "conda-meta")
    except OSError:
        return None
    for name in sorted(names):
        match = re.match(r"^python-(\d+\.\d+(?:\.\d+)?)-.*\.json$", name)
        if match:
            return parse_version(match.group(1))
    return None


# --- The venvs of a repository -------------------------------------------------------------

#: Literal pieces of a venv's own layout, looked for with ``str.find`` (a regex alternation
#: is several times slower on a 100,000-path listing).
_LAYOUT_NEEDLES = (
    "pyvenv.cfg",
    "conda-meta/history",
    "site-packages/",
    "activate",
    "bin/python",
    "Scripts/python",
)
_LAYOUT = re.compile(
    r"(?:^|/)(?:"
    r"(?P<cfg>pyvenv\.cfg|conda-meta/history)$"
    r"|(?:lib|lib64)/(?:python|pypy)[^/]*/site-packages/"
    r"|Lib/site-packages/"
    r"|(?:bin|Scripts)/(?:activate|python[^/]*)$)"
)


def entries_containing(joined: str, needles: Iterable[str]) -> Iterator[tuple[str, int]]:
    """Each path of a ``\0``-joined listing that contains a needle: ``(path, where)``.

    A path holding several needles may come once per needle. Scanning one joined string
    with ``str.find`` keeps a 100,000-path listing to milliseconds; only hits cost Python.
    """
    for needle in needles:
        index = joined.find(needle)
        while index >= 0:
            start = joined.rfind("\0", 0, index) + 1
            end = joined.find("\0", index)
            end = len(joined) if end < 0 else end
            yield joined[start:end], index - start
            index = joined.find(needle, end)


def _layout_folders(path: str) -> Iterator[str]:
    """The folders of ``path`` that its venv-layout parts point at as possible venvs."""
    for match in _LAYOUT.finditer(path):
        folder = path[: match.start()]
        if folder:
            yield folder


class ProjectVenv(FrozenRecord):
    """A venv of a repository: where it is (relative, ``/``-separated) and what git sees.

    ``tracked`` counts its files in git's index; ``addable`` its untracked files that
    ``git add -A`` would add (not ignored). A venv with neither is ignored (or empty).
    """

    __slots__ = ("path", "kind", "tracked", "addable")

    path: Final[str]
    kind: Final[str]
    tracked: Final[int]
    addable: Final[int]

    def __init__(self, path: str, kind: str, tracked: int, addable: int) -> None:
        self.path = path
        self.kind = kind
        self.tracked = tracked
        self.addable = addable

    @property
    def ignored(self) -> bool:
        return self.tracked == 0 and self.addable == 0


def _count_under(sorted_paths: list[str], folder: str) -> int:
    import bisect

    # "0" sorts right after "/": [folder + "/", folder + "0") is everything inside folder.
    return bisect.bisect_left(sorted_paths, folder + "0") - bisect.bisect_left(
        sorted_paths, folder + "/"
    )


def _contains(sorted_paths: list[str], path: str) -> bool:
    import bisect

    index = bisect.bisect_left(sorted_paths, path)
    return index < len(sorted_paths) and sorted_paths[index] == path


def project_venvs(project: Project, *, include_ignored: bool = False) -> list[ProjectVenv]:
    """The outermost venvs of ``project``, found from git's listings plus targeted probes.

    Tracked files suggest venv folders by their layout (``X/pyvenv.cfg``,
    ``X/lib/pythonY/site-packages/...``, ``X/bin/activate``...); every folder holding an
    addable file is a candidate; each candidate is probed on disk (or in the index, for
    a venv committed and then deleted). With
    ``include_ignored`` the ignored folders git reports (and their parents and direct
    children, for ``.tox/py312`` and self-ignoring venvs) are probed too; ignored trees are
    never walked. Venvs inside venvs are left out.
    """
    root = project.root
    tracked = sorted(project.tracked)
    addable = sorted(project.untracked)
    candidates: set[str] = set()
    for path, _ in entries_containing("\0".join(tracked), _LAYOUT_NEEDLES):
        candidates.update(_layout_folders(path))
    for path in addable:
        folder = path.rpartition("/")[0]
        while folder and folder not in candidates:
            candidates.add(folder)
            folder = folder.rpartition("/")[0]

    kinds: dict[str, str] = {}
    for folder in candidates:
        kind = venv_kind(root / folder)
        if kind is None and _contains(tracked, f"{folder}/{PYVENV_CFG}"):
            kind = "venv"
        elif kind is None and _contains(tracked, f"{folder}/{CONDA_HISTORY}"):
            kind = "conda"
        if kind is not None:
            kinds[folder] = kind

    if include_ignored:
        probes: set[str] = set()
        for folder in project.ignored_dirs:
            probes.add(folder)
            if "/" in folder:
                probes.add(folder.rpartition("/")[0])
            try:
                with os.scandir(root / folder) as entries:
                    probes.update(
                        f"{folder}/{entry.name}"
                        for entry in entries
                        if entry.is_dir(follow_symlinks=False)
                    )
            except OSError:
                continue
        for folder in probes - kinds.keys():
            kind = venv_kind(root / folder)
            if kind is not None:
                kinds[folder] = kind

    found: list[ProjectVenv] = []
    for folder in sorted(kinds):
        if any(folder.startswith(outer + "/") for outer in (v.path for v in found)):
            continue
        found.append(
            ProjectVenv(
                path=folder,
                kind=kinds[folder],
                tracked=_count_under(tracked, folder),
                addable=_count_under(addable, folder),
            )
        )
    return found


__all__ = [
    "CONDA_HISTORY",
    "PYVENV_CFG",
    "ProjectVenv",
    "PyvenvCfg",
    "base_python_version",
    "entries_containing",
    "find_venvs",
    "is_venv",
    "parse_pyvenv_cfg",
    "parse_pyvenv_cfg_text",
    "parse_version",
    "project_venvs",
    "site_packages_dirs",
    "venv_kind",
]
