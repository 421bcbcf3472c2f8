"""Finding the repositories an audit covers.

A repository is a folder with a ``.git`` entry (a folder, or a file as in worktrees and
submodules). The search never enters a repository it found (its submodules are read from
``.gitmodules`` when asked for), never follows links, and skips folders that cannot hold a
repository worth auditing: virtual environments, ``node_modules``, caches.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from venvguard.project import GitError, run_git

#: Folders never searched for repositories: heavy, and never a project of their own.
SKIPPED_FOLDERS = frozenset(
    {
        "node_modules",
        "__pycache__",
        "site-packages",
        ".tox",
        ".nox",
        ".cache",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
    }
)


def is_repository(folder: Path) -> bool:
    return os.path.lexists(folder / ".git")


def _is_environment(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(folder, "conda-meta")
    )


def submodules(root: Path) -> list[Path]:
    """The checked-out submodules of the repository at ``root`` (those with a ``.git``)."""
    if not (root / ".gitmodules").is_file():
        return []
    try:
        out = run_git(root, "config", "-z", "-f", ".gitmodules", "--get-regexp", r"\.path$")
    except GitError:
        return []
    found = []
    for entry in out.split(b"\0"):
        _, _, value = entry.partition(b"\n")
        if value:
            candidate = root / os.fsdecode(value)
            if is_repository(candidate):
                found.append(candidate)
    return found


def _with_submodules(root: Path) -> list[Path]:
    found = [root]
    for sub in submodules(root):
        found.extend(_with_submodules(sub))
    return found


def find_repositories(folder: Path, *, include_submodules: bool = False) -> list[Path]:
    """Every repository at or below ``folder``, sorted by path."""
    found: list[Path] = []
    pending = [str(folder)]
    while pending:
        current = pending.pop()
        if is_repository(Path(current)):
            root = Path(current)
            found.extend(_with_submodules(root) if include_submodules else [root])
            continue
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue  # an unreadable folder holds nothing we could check
        for entry in entries:
            if (
                entry.name in SKIPPED_FOLDERS
                or not entry.is_dir(follow_symlinks=False)
                or _is_environment(entry.path)
            ):
                continue
            pending.append(entry.path)
    return sorted(found)


def expand(paths: Iterable[Path], *, recursive: bool, include_submodules: bool) -> list[Path]:
    """The repositories named by ``paths``: each one itself, or with ``recursive`` searched.

    Duplicates are dropped; the order is the order given (searched folders sorted).
    """
    roots: list[Path] = []
    for path in paths:
        absolute = Path(os.path.abspath(path))
        if recursive and absolute.is_dir() and not is_repository(absolute):
            roots.extend(find_repositories(absolute, include_submodules=include_submodules))
        elif include_submodules and is_repository(absolute):
            roots.extend(_with_submodules(absolute))
        else:
            roots.append(absolute)
    return list(dict.fromkeys(roots))
