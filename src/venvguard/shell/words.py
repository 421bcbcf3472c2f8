"""The shape every shell front end hands to the analyser: words and simple commands."""

from __future__ import annotations

from typing import Final

from venvguard.records import FrozenRecord, Record


class Word(FrozenRecord):
    """One word of a command after quote removal and known-variable expansion.

    ``dynamic`` is true when the word holds an expansion whose value is not known (an
    unset variable, a command substitution). ``row``/``column`` locate the word's content
    (inside its quotes) in the snippet text, so a ``bash -c '...'`` string can be parsed
    again with true positions; ``exact`` says whether the content is the source text as is
    (no escapes or expansions changed it), which re-parsing needs for exact columns.
    ``flat`` says the content has line breaks the source has not (``$'a\\nb'``), so none of
    its lines can be traced below the word's own.
    """

    __slots__ = ("value", "dynamic", "row", "column", "exact", "flat")

    value: Final[str]
    dynamic: Final[bool]
    row: Final[int]
    column: Final[int]
    exact: Final[bool]
    flat: Final[bool]

    def __init__(
        self,
        value: str,
        dynamic: bool = False,
        row: int = 0,
        column: int = 0,
        exact: bool = False,
        flat: bool = False,
    ) -> None:
        self.value = value
        self.dynamic = dynamic
        self.row = row
        self.column = column
        self.exact = exact
        self.flat = flat


class Command(Record):
    """A simple command: ``VAR=value`` prefixes and its words, with where it is.

    ``start``/``end`` are (row, column) in the snippet text, 0-based; ``text`` is the
    command's source text.
    """

    __slots__ = ("words", "assignments", "start", "end", "text")

    def __init__(
        self,
        words: list[Word],
        assignments: dict[str, str] | None = None,
        start: tuple[int, int] = (0, 0),
        end: tuple[int, int] = (0, 0),
        text: str = "",
    ) -> None:
        self.words = words
        self.assignments: dict[str, str] = {} if assignments is None else assignments
        self.start = start
        self.end = end
        self.text = text
