"""Settling, without the gitignore matcher, what committed ignore files certainly say.

Building ``venvguard.gitignore``'s matcher imports pathspec, which costs more than a whole
small check. Two common answers need no matcher:

- ``plainly_ignored``: a root line spells the folder (``.venv/``) and no ``!`` line
  anywhere can take it back;
- ``plainly_unignored``: no line of an ignore file on the path's way can match the path
  or a folder above it. Each line is widened to an ``fnmatch`` pattern that matches at
  least what the matcher's does (over bytes, ``*`` crossing ``/``, a bracket expression
  standing for any run, tried on every run of the path's names), so "cannot match" is
  never wrong. A line with a backslash or trailing whitespace other than plain spaces is
  left to the matcher.

Anything else is left to the matcher: ``False`` from either is no verdict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase

#: What a pattern holds besides ``*`` and ``?`` that may match more than one byte, or none:
#: bracket expressions (the matcher lets some match ``/``) and ``**/`` (perhaps no folder).
_WIDEN = re.compile(r"\[[!^]?\]?[^\]]*\]|\*\*/")


def _lines(data: bytes) -> list[str]:
    """The lines of an ignore file as git reads them: no byte-order mark, one CR dropped."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    return [raw[:-1] if raw.endswith("\r") else raw for raw in text.split("\n")]


def _trimmed(line: str) -> str:
    """``line`` without its trailing spaces, unless the last one is escaped."""
    return line if line.endswith("\\ ") else line.rstrip(" ")


def plainly_ignored(folder: str, files: Mapping[str, bytes]) -> bool:
    """Whether a literal root line ignores ``folder`` and no negation can take it back."""
    if any(c in folder for c in "/*?[\\") or any(b"!" in data for data in files.values()):
        return False  # a line spelling a glob-like name is a pattern, not that name
    root = files.get(".gitignore")
    if root is None:
        return False
    spelled = {folder, f"{folder}/", f"/{folder}", f"/{folder}/", f"**/{folder}", f"**/{folder}/"}
    return not spelled.isdisjoint(_trimmed(line) for line in _lines(root))


def _widened(line: str) -> str | None:
    """An fnmatch pattern over latin-1-read bytes matching all ``line`` matches, or None."""
    as_bytes = line.encode("utf-8", "surrogateescape").decode("latin-1")
    if "\\" in line or as_bytes != as_bytes.rstrip() or line.count("[") != line.count("]"):
        return None  # escapes, odd whitespace, an unclosed bracket: the matcher decides
    pattern = _WIDEN.sub("*", as_bytes.strip("/"))
    return None if "[" in pattern or "]" in pattern else pattern


def _may_match(line: str, relative: str) -> bool:
    """Whether pattern ``line`` of an ignore file may match ``relative`` or a folder above it.

    Anchored or not, the widened pattern is tried on every run of consecutive names of
    ``relative``: a superset of the path, its folders and each single name.
    """
    pattern = _widened(line)
    if pattern is None:
        return True
    parts = relative.encode("utf-8", "surrogateescape").decode("latin-1").split("/")
    return any(
        fnmatchcase("/".join(parts[start:end]), pattern)
        for start in range(len(parts))
        for end in range(start + 1, len(parts) + 1)
    )


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
