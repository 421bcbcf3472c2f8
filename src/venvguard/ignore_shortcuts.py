"""Settling, without the gitignore matcher, what committed ignore files certainly say.

Building ``venvguard.gitignore``'s matcher imports pathspec, which costs more than a whole
small check. Two common answers need no matcher:

- ``plainly_ignored``: a root line spells the folder (``.venv/``) and no ``!`` line
  anywhere can take it back;
- ``plainly_unignored``: no line of an ignore file on the path's way can match the path
  or a folder above it. Each line is widened to an ``fnmatch`` pattern that matches at
  least what git's matches (over bytes, ``*`` crossing ``/``, a bracket or an escape
  standing for any run), so "cannot match" is never wrong.

Anything else is left to the matcher: ``False`` from either is no verdict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase

#: What git reads specially in a pattern besides ``*`` and ``?``: bracket expressions and
#: backslash escapes (widened to ``*``), and ``**/`` (which may match no folder at all).
_WIDEN = re.compile(r"\[[!^]?\]?[^\]]*\]|\\.|\*\*/")


def _lines(data: bytes) -> list[str]:
    """The lines of an ignore file as git reads them: one trailing CR and spaces dropped."""
    lines = []
    for raw in data.decode("utf-8", "surrogateescape").split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.endswith("\\ "):
            line = line.rstrip(" ")
        lines.append(line)
    return lines


def plainly_ignored(folder: str, files: Mapping[str, bytes]) -> bool:
    """Whether a literal root line ignores ``folder`` and no negation can take it back."""
    if "/" in folder or any(b"!" in data for data in files.values()):
        return False
    root = files.get(".gitignore")
    if root is None:
        return False
    spelled = {folder, f"{folder}/", f"/{folder}", f"/{folder}/", f"**/{folder}", f"**/{folder}/"}
    return not spelled.isdisjoint(_lines(root))


def _widened(line: str) -> str | None:
    """An fnmatch pattern over latin-1-read bytes matching all ``line`` matches, or None."""
    if line.count("[") != line.count("]"):  # an unclosed bracket: let the matcher decide
        return None
    pattern = _WIDEN.sub("*", line)
    if "[" in pattern or "]" in pattern or "\\" in pattern:
        return None
    return pattern.encode("utf-8", "surrogateescape").decode("latin-1")


def _may_match(line: str, relative: str) -> bool:
    """Whether pattern ``line`` of an ignore file may match ``relative`` or a folder above it."""
    pattern = _widened(line.rstrip("/") if line.endswith("/") else line)
    if pattern is None:
        return True
    path = relative.encode("utf-8", "surrogateescape").decode("latin-1")
    parts = path.split("/")
    if "/" in pattern:  # anchored to its file's folder: the path or one of its folders
        pattern = pattern.removeprefix("/")
        candidates = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
    else:  # any one name on the way
        candidates = parts
    return any(fnmatchcase(candidate, pattern) for candidate in candidates)


def plainly_unignored(path: str, files: Mapping[str, bytes]) -> bool:
    """Whether no line of the ignore files ``{path of a .gitignore: content}`` can ignore
    ``path`` (relative to the root, ``/``-separated), so that git certainly does not."""
    parts = path.split("/")
    for depth in range(len(parts)):
        folder = "/".join(parts[:depth])
        data = files.get(f"{folder}/.gitignore" if folder else ".gitignore")
        if data is None:
            continue
        relative = "/".join(parts[depth:])
        for line in _lines(data):
            if not line or line.startswith("#"):
                continue
            if line.startswith("!") or _may_match(line, relative):
                return False
    return True
