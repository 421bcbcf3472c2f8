"""The line-level front end for PowerShell and batch files.

Neither language needs a full parser to find installs: lines are joined at their
continuation marks (a backtick in PowerShell, ``^`` in batch), comments dropped, statements
split at ``;``, ``|``, ``&&``, ``||`` (and ``&`` in batch), and words split with their
quotes. Variable assignments (``$env:PIP_USER = 1``, ``set PIP_USER=1``) and activation
scripts update the shell state as in a POSIX shell.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from venvguard.shell.state import ShellState
from venvguard.shell.words import Command, Word

if TYPE_CHECKING:
    from venvguard.shell.analyser import Analyser, Frame

_PS_ASSIGN = re.compile(r"^\s*\$(?:env:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)$")
_BATCH_SET = re.compile(
    r'^\s*set\s+"?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^"]*)"?\s*$', re.I
)
_BATCH_VAR = re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)%")
_PS_VAR = re.compile(r"\$(?:env:)?([A-Za-z_][A-Za-z0-9_]*)")


def analyse(analyser: Analyser, text: str, state: ShellState, frame: Frame, dialect: str) -> None:
    batch = dialect == "batch"
    for row, column, line in _logical_lines(text, batch):
        for start, statement in _statements(line, batch):
            _statement(
                analyser,
                statement,
                row=row,
                column=column + start,
                state=state,
                frame=frame,
                batch=batch,
                dialect=dialect,
            )


def _logical_lines(text: str, batch: bool) -> list[tuple[int, int, str]]:
    mark = "^" if batch else "`"
    found: list[tuple[int, int, str]] = []
    pending: tuple[int, int, str] | None = None
    in_block_comment = False
    for row, raw in enumerate(text.split("\n")):
        line = raw.rstrip("\r")
        if not batch:
            if in_block_comment:
                if "#>" in line:
                    in_block_comment = False
                    line = " " * (line.index("#>") + 2) + line[line.index("#>") + 2 :]
                else:
                    continue
            if "<#" in line and "#>" not in line[line.index("<#") :]:
                in_block_comment = True
                line = line[: line.index("<#")]
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if batch and re.match(r"^@?(?:rem\b|::)", stripped, re.I):
            continue
        if pending is not None:
            start_row, start_column, previous = pending
            line = previous + " " + stripped
            indent = start_column
            row_to_use = start_row
        else:
            line = stripped
            row_to_use = row
        if line.endswith(mark):
            pending = (row_to_use, indent, line[:-1])
            continue
        pending = None
        if line:
            found.append((row_to_use, indent, line))
    if pending is not None:
        found.append(pending)
    return found


def _statements(line: str, batch: bool) -> list[tuple[int, str]]:
    """Split a line at statement separators outside quotes; drop a trailing comment."""
    parts: list[tuple[int, str]] = []
    start = 0
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == quote:
                quote = ""
            index += 1
            continue
        if char in "\"'" and not (batch and char == "'"):
            quote = char
        elif not batch and char == "#" and (index == 0 or line[index - 1].isspace()):
            break
        elif (
            char in ";|&"
            and not (char == ";" and batch)
            and not (char == "&" and not batch and line[index + 1 : index + 2] != "&")
        ):
            parts.append((start, line[start:index]))
            while index + 1 < len(line) and line[index + 1] in "|&":
                index += 1
            start = index + 1
        index += 1
    end = index if index <= len(line) else len(line)
    parts.append((start, line[start:end]))
    return [(offset + len(text) - len(text.lstrip()), text.strip()) for offset, text in parts]


def _words(statement: str, row: int, column: int, state: ShellState, batch: bool) -> list[Word]:
    words: list[Word] = []
    for match in re.finditer(r'"[^"]*"|\'[^\']*\'|[^\s]+', statement):
        token = match.group(0)
        value = token[1:-1] if token[:1] in "\"'" and len(token) > 1 else token
        dynamic = False

        def expand(found: re.Match[str]) -> str:
            nonlocal dynamic
            name = found.group(1)
            for key, known in state.variables.items():
                if key.lower() == name.lower():
                    return known
            dynamic = True
            return found.group(0)

        value = (_BATCH_VAR if batch else _PS_VAR).sub(expand, value)
        words.append(Word(value, dynamic, row, column + match.start(), False))
    return words


def _statement(
    analyser: Analyser,
    statement: str,
    *,
    row: int,
    column: int,
    state: ShellState,
    frame: Frame,
    batch: bool,
    dialect: str,
) -> None:
    if not statement:
        return
    if batch:
        statement = statement.lstrip("@")
        assign = _BATCH_SET.match(statement)
    else:
        assign = _PS_ASSIGN.match(statement)
    if assign is not None:
        value = assign.group("value").strip().strip("\"'")
        exported = batch or statement.lstrip().lower().startswith("$env:")
        state.assign(assign.group("name"), value, exported=exported, raw=value)
        return
    words = _words(statement, row, column, state, batch)
    if words and words[0].value in {"&", "."} and not batch:
        words = words[1:] if words[0].value == "&" else words
    if not words:
        return
    end = (row, column + len(statement))
    command = Command(words, {}, (row, column), end, statement)
    analyser.command(command, state, frame, dialect=dialect)
