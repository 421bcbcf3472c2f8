"""Shell code found in a file, with the way back to where each of its lines came from.

A source module turns a file into ``Snippet`` objects. The snippet's text is what a shell
would run; ``origins`` maps every line of that text to its line in the original file and the
column where it starts there, so a finding in a Dockerfile continuation line, a YAML block
scalar or a Markdown fence points at the right place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from venvguard.records import FrozenRecord


class Snippet(FrozenRecord):
    """Code in one dialect (``bash``, ``powershell`` or ``batch``).

    ``origins[i]`` is ``(line, column)`` of line ``i`` of ``text``: the 1-based file line
    and the 0-based column in that file line where the text's line begins.
    ``env`` holds variables the file sets around the code (Dockerfile ``ENV``, a workflow's
    ``env:``). ``fresh`` is false when the code continues the shell of the snippet before
    (one Markdown document read top to bottom, a ``.ONESHELL`` Makefile recipe).
    ``managed`` is true when the code runs inside an environment the tool manages (tox).
    ``joins`` are ``(row, column, line, file_column)``: from ``column`` on, line ``row`` of
    the text continues at ``line``/``file_column`` of the file (a folded YAML scalar makes
    one line of several).
    ``written`` is the code as the file spells it, when ``text`` reads placeholders in its
    place (``${{ matrix.pkg }}`` as ``${_____________}``): of the same length, for messages.
    """

    __slots__ = ("text", "origins", "dialect", "env", "fresh", "managed", "joins", "written")

    text: Final[str]
    origins: Final[tuple[tuple[int, int], ...]]
    dialect: Final[str]
    env: Final[Mapping[str, str]]
    fresh: Final[bool]
    managed: Final[bool]
    joins: Final[tuple[tuple[int, int, int, int], ...]]
    written: Final[str | None]

    def __init__(
        self,
        text: str,
        origins: tuple[tuple[int, int], ...],
        dialect: str = "bash",
        env: Mapping[str, str] | None = None,
        fresh: bool = True,
        managed: bool = False,
        joins: tuple[tuple[int, int, int, int], ...] = (),
        written: str | None = None,
    ) -> None:
        self.text = text
        self.origins = origins
        self.dialect = dialect
        self.env = {} if env is None else env
        self.fresh = fresh
        self.managed = managed
        self.joins = joins
        self.written = written

    def position(self, row: int, column: int) -> tuple[int, int]:
        """The 1-based (line, column) in the file of ``row``/``column`` of the text."""
        if not self.origins:
            return 1, column + 1
        if row >= len(self.origins):
            line, offset = self.origins[-1]
            return line + (row - len(self.origins) + 1), column + 1
        for joined_row, start, line, offset in reversed(self.joins):
            if joined_row == row and column >= start:
                return line, offset + column - start + 1
        line, offset = self.origins[row]
        return line, offset + column + 1


def unknown_value(text: str) -> str:
    """A placeholder of ``text``'s length for a value not known here (``${{ matrix.x }}``, a
    notebook's ``{expression}``): a shell variable, ``${____}``, so that it still reads as one
    word; underscores (newlines kept) where that does not fit."""
    if "\n" in text or len(text) < 4:
        return re.sub(r"[^\n]", "_", text)
    return "${" + "_" * (len(text) - 3) + "}"


def lines_from(text: str, first_line: int, column: int = 0) -> Snippet:
    """A snippet of contiguous file lines: the first starts at ``column``, the rest at 0."""
    count = text.count("\n") + 1
    origins = ((first_line, column), *((first_line + i, 0) for i in range(1, count)))
    return Snippet(text, origins)


class SourceError(Exception):
    """A file that could not be read as its kind; ``line`` says where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
