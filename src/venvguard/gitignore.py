"""git's ignore rules, rebuilt on ``pathspec`` for where git itself cannot answer.

Inside a git work tree venvguard asks git (see ``Project``). This module is for the two
places where git cannot be asked: a plain folder, and VG103's question "do the *committed*
ignore files alone ignore this?" (no ``info/exclude``, no global excludes).

``pathspec`` translates each pattern into a regular expression; everything around the
patterns is git's own logic, rebuilt here because ``pathspec`` differs from git in it:

* a file is read the way git reads it: a UTF-8 BOM dropped, lines split on ``\\n`` only with
  one ``\\r`` before it dropped (a lone ``\\r`` is part of the line), ``#`` lines and blank
  lines skipped, trailing spaces dropped unless escaped with ``\\``;
* a path is decided directory by directory from the top: once a directory is ignored,
  nothing below it can be re-included (git never looks inside it, nor reads the
  ``.gitignore`` files there);
* for one path the ignore files are consulted from the deepest directory up to the root,
  then the extra lists (``info/exclude``, ``core.excludesFile``) if any: the first file with
  a matching pattern decides, and in that file the last matching pattern wins;
* a pattern matches the path itself, never "through" a parent directory, so ``X/**``
  matches what is inside ``X`` but not ``X``.

Each pattern is translated by pathspec's ``GitIgnoreSpecPattern`` (the pattern class of
``GitIgnoreSpec``); ``_self_regex`` cuts its "or anything below" tail off. Matching is done
with Python's ``re`` on those regexes, never through a pathspec backend: the backends
(simple, re2, hyperscan) disagree on edge cases, and this way the answer is the same
whichever of them happens to be installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

from venvguard.records import FrozenRecord


class IgnorePattern(FrozenRecord):
    """One compiled line of an ignore file.

    ``regex`` matches a path (relative to the ignore file's folder) that the pattern
    matches itself; ``dir_only`` patterns (a trailing ``/``) match directories only.
    """

    __slots__ = ("text", "line", "exclude", "regex", "dir_only")

    text: Final[str]
    line: Final[int]
    exclude: Final[bool]  # False for a negated (``!``) pattern
    regex: Final[re.Pattern[str]]
    dir_only: Final[bool]

    def __init__(
        self, text: str, line: int, exclude: bool, regex: re.Pattern[str], dir_only: bool
    ) -> None:
        self.text = text
        self.line = line
        self.exclude = exclude
        self.regex = regex
        self.dir_only = dir_only

    def matches(self, path: str, *, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        return self.regex.match(path if path.isascii() else _as_bytes(path)) is not None


def _as_bytes(text: str) -> str:
    """``text`` as its UTF-8 bytes, one character per byte: git matches bytes, so ``?``
    is one byte and never all of ``é``. Patterns are compiled in the same form."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


_ANY_BELOW = "(?:(?P<ps_d>/)|$)"


def _self_regex(pathspec_regex: str) -> str | None:
    """pathspec's regex for "this path or anything below it" cut down to "this path".

    pathspec ends a pattern with ``(?:(?P<ps_d>/)|$)`` ("here, or below a directory that
    matched"); git decides each directory on its own, so only the ``$`` branch is kept.
    Regexes without the marker (``X/**`` is ``^X/``, ``*`` is ``.``) already mean "a path
    that this prefix starts", which is git's meaning of a trailing ``**``.
    """
    if pathspec_regex.endswith(_ANY_BELOW):
        body = pathspec_regex[: -len(_ANY_BELOW)]
        return body + "$" if "ps_d" not in body else None
    return pathspec_regex if "ps_d" not in pathspec_regex else None


def split_lines(data: bytes | str) -> list[str]:
    """The lines of an ignore file as git reads them (bytes decode as UTF-8, else Latin-1)."""
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    else:
        text = data.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _trim_trailing_spaces(line: str) -> str:
    end = len(line)
    while end > 0 and line[end - 1] == " ":
        # A space escaped by an odd number of backslashes is kept, and stops the trim.
        backslashes = 0
        index = end - 2
        while index >= 0 and line[index] == "\\":
            backslashes += 1
            index -= 1
        if backslashes % 2 == 1:
            break
        end -= 1
    return line[:end]


def _unescape_slashes(pattern: str) -> str:
    """``a\\/b`` is ``a/b`` to git (an escaped slash is a slash); pathspec splits it wrongly."""
    if "\\/" not in pattern:
        return pattern
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            following = pattern[index + 1]
            out.append(following if following == "/" else char + following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def compile_patterns(data: bytes | str) -> list[IgnorePattern]:
    """Compile an ignore file's content; lines that are not patterns are skipped."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    patterns: list[IgnorePattern] = []
    shown = split_lines(data)
    if isinstance(data, bytes):
        as_bytes = split_lines(data.removeprefix(b"\xef\xbb\xbf").decode("latin-1"))
    else:
        as_bytes = [_as_bytes(line) for line in shown]
    for number, (raw, text) in enumerate(zip(as_bytes, shown, strict=True), start=1):
        if not raw or raw.startswith("#"):
            continue
        line = _trim_trailing_spaces(raw)
        if not line:
            continue
        negated = line.startswith("!")
        body = line[1:] if negated else line
        dir_only = body.endswith("/")
        if dir_only:
            # git strips the slash and remembers "directories only"; handing pathspec the
            # stripped pattern keeps ``X/**/`` from matching ``X`` itself.
            body = body[:-1]
        if body.startswith("\\/"):
            continue  # git anchors only at a plain leading slash: this needs a path "/..."
        body = _unescape_slashes(body)
        if not body:
            continue
        if negated and body.startswith(("!", "#")):
            body = "\\" + body  # literal after the negation, as git reads it
        try:
            compiled = GitIgnoreSpecPattern(body)
        except Exception:  # a pattern git can never match (a trailing lone backslash)
            continue
        if compiled.include is None or compiled.regex is None:
            continue
        regex = _self_regex(compiled.regex.pattern)
        if regex is None:
            continue
        patterns.append(
            IgnorePattern(
                text=_trim_trailing_spaces(text),
                line=number,
                exclude=not negated,
                regex=re.compile(regex, compiled.regex.flags),
                dir_only=dir_only,
            )
        )
    return patterns


#: Reads the ignore file of a folder ("" is the root): its bytes, or None when absent.
Loader = Callable[[str], "bytes | str | None"]


#: Ignore files larger than this are not read (git's own limit is 100 MiB).
_MAX_IGNORE_FILE = 100 * 1024 * 1024


class IgnoreRules:
    """Decides, as git would, whether a path is ignored.

    Built from a loader of per-folder ``.gitignore`` files (read lazily, only for folders
    that are reached) plus optional extra pattern lists consulted after them, lowest
    precedence last (``info/exclude``, then ``core.excludesFile``).
    """

    def __init__(self, loader: Loader, extra: Iterable[bytes | str] = ()) -> None:
        self._loader = loader
        self._files: dict[str, list[IgnorePattern]] = {}
        self._extra = [compile_patterns(data) for data in extra]
        self._dirs: dict[str, bool] = {}

    @classmethod
    def from_tree(cls, root: Path) -> IgnoreRules:
        """The ``.gitignore`` files of the folder at ``root``, read from disk as needed."""

        def load(folder: str) -> bytes | None:
            from venvguard.project import read_ignore_file

            return read_ignore_file(root / folder / ".gitignore", _MAX_IGNORE_FILE)

        return cls(load)

    @classmethod
    def from_files(
        cls, files: Mapping[str, bytes | str], extra: Iterable[bytes | str] = ()
    ) -> IgnoreRules:
        """Ignore files given as ``{path of the .gitignore: content}`` (nothing else read)."""
        by_folder: dict[str, bytes | str] = {}
        for path, content in files.items():
            folder, _, name = path.rpartition("/")
            if name == ".gitignore":
                by_folder[folder] = content
        return cls(by_folder.get, extra)

    def _patterns(self, folder: str) -> list[IgnorePattern]:
        cached = self._files.get(folder)
        if cached is None:
            data = self._loader(folder)
            cached = self._files[folder] = compile_patterns(data) if data else []
        return cached

    def _decide(self, path: str, is_dir: bool) -> bool:
        """The verdict of the pattern lists for ``path`` alone (parents not considered)."""
        parts = path.split("/")
        for depth in range(len(parts) - 1, -1, -1):
            folder = "/".join(parts[:depth])
            relative = "/".join(parts[depth:])
            for pattern in reversed(self._patterns(folder)):
                if pattern.matches(relative, is_dir=is_dir):
                    return pattern.exclude
        for patterns in self._extra:
            for pattern in reversed(patterns):
                if pattern.matches(path, is_dir=is_dir):
                    return pattern.exclude
        return False

    def _dir_ignored(self, folder: str) -> bool:
        cached = self._dirs.get(folder)
        if cached is None:
            parent = folder.rpartition("/")[0]
            cached = (bool(parent) and self._dir_ignored(parent)) or self._decide(folder, True)
            self._dirs[folder] = cached
        return cached

    def is_ignored(self, path: str, *, is_dir: bool) -> bool:
        """Whether git would ignore ``path`` (relative to the root, ``/``-separated)."""
        path = path.strip("/")
        if not path:
            return False
        if is_dir:
            return self._dir_ignored(path)
        parent = path.rpartition("/")[0]
        if parent and self._dir_ignored(parent):
            return True
        return self._decide(path, False)

    def all_ignored(self, paths: Iterable[str]) -> bool:
        """Whether every file in ``paths`` is ignored: a folder probed through its files."""
        return all(self.is_ignored(path, is_dir=False) for path in paths)


__all__ = ["IgnorePattern", "IgnoreRules", "compile_patterns", "split_lines"]
