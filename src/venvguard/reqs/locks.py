"""Which requirement files of a repository are locks, read once per run.

By default every ``requirements*.txt`` and ``requirements/*.txt`` at the root; the
``requirements`` config key names them instead (paths or globs). A file that another one
includes (``-r``) is judged as part of its includer; a ``-c`` constraint file adds no
requirements and is not a lock of its own.
"""

from __future__ import annotations

import fnmatch
import re
from typing import TYPE_CHECKING

from venvguard.findings import Notice
from venvguard.project import Project
from venvguard.records import Record

if TYPE_CHECKING:
    from venvguard.reqs.reqfile import LockFile

_DEFAULT = re.compile(r"^(requirements[^/]*\.txt|requirements/[^/]+\.txt)$")


class Locks(Record):
    """The root locks of a repository, and what could not be read."""

    __slots__ = ("roots", "notices")

    def __init__(
        self, roots: list[LockFile] | None = None, notices: list[Notice] | None = None
    ) -> None:
        self.roots: list[LockFile] = [] if roots is None else roots
        self.notices: list[Notice] = [] if notices is None else notices

    @property
    def files(self) -> list[str]:
        seen: dict[str, None] = {}
        for lock in self.roots:
            for name in lock.files:
                seen.setdefault(name, None)
        return list(seen)


def candidates(project: Project, patterns: tuple[str, ...] | None) -> tuple[list[str], list[str]]:
    """Requirement files to consider, and configured names that matched nothing."""
    files = project.files
    if patterns is None:
        return [name for name in files if _DEFAULT.match(name)], []
    found: dict[str, None] = {}
    unmatched: list[str] = []
    for configured in patterns:
        pattern = configured.removeprefix("./")
        matches = [name for name in files if fnmatch.fnmatchcase(name, pattern)]
        if not matches and project.absolute(pattern).is_file():
            matches = [pattern]
        if not matches:
            unmatched.append(pattern)
        for name in matches:
            found.setdefault(name, None)
    return list(found), unmatched


def read_locks(project: Project, patterns: tuple[str, ...] | None) -> Locks:
    """Parse every candidate and keep those no other candidate includes."""
    names, unmatched = candidates(project, patterns)
    locks = Locks()
    for pattern in unmatched:
        exists = project.absolute(pattern).exists() and "*" not in pattern
        why = "is not a regular file: not read" if exists else "not found"
        locks.notices.append(Notice(pattern, None, f"configured requirements file {why}"))
    if not names:
        return locks  # no lock: the parser (and packaging) is never imported
    from venvguard.reqs.reqfile import parse_lock

    def read(path: str) -> str | None:
        source = project.read_text(path)
        if source.notice is not None and source.notice not in locks.notices:
            locks.notices.append(source.notice)
        return source.text

    parsed = {name: parse_lock(name, read, project.root) for name in names}
    reached: set[str] = set()
    for name, lock in parsed.items():
        for other in (*lock.included, *lock.constraint_files):
            if other != name:
                reached.add(other)
    for name, lock in parsed.items():
        if name not in reached and lock.files:
            locks.roots.append(lock)
    covered = set(locks.files)
    for name, lock in parsed.items():  # files that only include each other in a loop
        if name not in covered and lock.files and name not in _constraint_only(parsed):
            locks.roots.append(lock)
            covered.update(lock.files)
    for lock in locks.roots:
        for path, line, target in lock.unfollowed:
            locks.notices.append(Notice(path, line, f"include {target} not followed (a URL)"))
    return locks


def _constraint_only(parsed: dict[str, LockFile]) -> set[str]:
    out: set[str] = set()
    for lock in parsed.values():
        out.update(lock.constraint_files)
    return out
