"""The shape every shell front end hands to the analyser: words and simple commands."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Word:
    """One word of a command after quote removal and known-variable expansion.

    ``dynamic`` is true when the word holds an expansion whose value is not known (an
    unset variable, a command substitution). ``row``/``column`` locate the word's content
    (inside its quotes) in the snippet text, so a ``bash -c '...'`` string can be parsed
    again with true positions; ``exact`` says whether the content is the source text as is
    (no escapes or expansions changed it), which re-parsing needs for exact columns.
    """

    value: str
    dynamic: bool = False
    row: int = 0
    column: int = 0
    exact: bool = False


@dataclass
class Command:
    """A simple command: ``VAR=value`` prefixes and its words, with where it is.

    ``start``/``end`` are (row, column) in the snippet text, 0-based; ``text`` is the
    command's source text.
    """

    words: list[Word]
    assignments: dict[str, str] = field(default_factory=dict)
    start: tuple[int, int] = (0, 0)
    end: tuple[int, int] = (0, 0)
    text: str = ""
