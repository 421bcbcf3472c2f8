"""Jupyter notebooks: ``!`` shell lines, ``%%bash``/``%%sh``/``%%script`` cells, and the
shell code blocks of Markdown cells, read as a Markdown file's are.

``%pip`` installs into the kernel's own environment, which is right, so it is not shell.
Each source line is reported on the line of the ``.ipynb`` file holding it: the JSON string
of every line (or of the whole source, when a cell keeps it as one string) is searched for
in order after the notebook is decoded. Colab's ``%%shell`` is a shell cell too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from venvguard.sources.snippet import Snippet, SourceError, unknown_value

_CELL_MAGIC = re.compile(r"^%%(?:bash|sh|shell|script\s+(?:\S*/)?(?:ba|z)?sh|system)\b")
_BANG = re.compile(r"^(\s*(?:[A-Za-z_][\w, ]*=\s*)?)(!!?|%system\s+|%sx\s+)")


def snippets(path: str, text: str) -> Iterator[Snippet]:
    try:
        document = json.loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", None)
        raise SourceError("not valid notebook JSON", line) from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        worksheets = document.get("worksheets") if isinstance(document, dict) else None
        if not isinstance(worksheets, list):  # nbformat 3 keeps its cells in worksheets
            raise SourceError("not a notebook: it has no list of cells", 1)
        cells = [c for w in worksheets if isinstance(w, dict) for c in w.get("cells", [])]
    locator = _Locator(text)
    problem: str | None = None  # the first cell that cannot be read; the rest still are
    for cell in cells:
        if not isinstance(cell, dict):
            problem = problem or "a cell that is not a JSON object"
            continue
        source = cell.get("source", cell.get("input", []))
        if not isinstance(source, (str, list)):
            problem = problem or "a cell's source is neither text nor lines"
            continue
        lines = _lines(source)
        if isinstance(source, str):
            positions = locator.find_all(lines)
        else:
            positions = [locator.find(line) for line in lines]
        if cell.get("cell_type") == "markdown":
            yield from _markdown_snippets(path, lines, positions)
        elif cell.get("cell_type") == "code":
            yield from cell_snippets(lines, positions)
    if problem is not None:
        raise SourceError(problem)


def _markdown_snippets(
    path: str, lines: Sequence[str], positions: Sequence[tuple[int, int]]
) -> Iterator[Snippet]:
    """The shell code blocks of a Markdown cell, read as a Markdown file's are."""
    text = "".join(lines)
    if "```" not in text and "~~~" not in text and "    " not in text and "\t" not in text:
        return
    from venvguard.sources import markdown

    def moved(line: int, column: int) -> tuple[int, int]:
        if not 0 < line <= len(positions):
            return positions[-1]
        number, start = positions[line - 1]
        return number, start + column

    for snippet in markdown.snippets(path, text):
        yield snippet.replace(
            origins=tuple(moved(*origin) for origin in snippet.origins),
            joins=tuple((row, at, *moved(line, column)) for row, at, line, column in snippet.joins),
        )


def _lines(source: Any) -> list[str]:
    if isinstance(source, str):
        return source.splitlines(keepends=True)
    if isinstance(source, list):
        return [line for line in source if isinstance(line, str)]
    return []


class _Locator:
    """Finds the file line of each source line, searching forward from the last one.

    Lines are counted from where the last count stopped, so a notebook is read once
    however many lines it has.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self._counted = 0  # text before this index has had its newlines counted
        self._newlines = 0

    def _number(self, index: int) -> int:
        # Searches only go forward, so ``index`` is never before where the count stopped.
        self._newlines += self.text.count("\n", self._counted, index)
        self._counted = index
        return self._newlines + 1

    def _column(self, index: int) -> int:
        return index - (self.text.rfind("\n", 0, index) + 1) + 1

    def find(self, line: str) -> tuple[int, int]:
        for encoded in (json.dumps(line, ensure_ascii=False), json.dumps(line)):
            found = self.text.find(encoded, self.position)
            if found >= 0:
                self.position = found + len(encoded)
                return self._number(found), self._column(found)
        return self._number(self.position), 0

    def find_all(self, lines: list[str]) -> list[tuple[int, int]]:
        """Positions of the lines of a source written as one JSON string, on one file line."""
        for ascii_only in (False, True):
            encoded = json.dumps("".join(lines), ensure_ascii=ascii_only)
            found = self.text.find(encoded, self.position)
            if found < 0:
                continue
            self.position = found + len(encoded)
            number, column = self._number(found), self._column(found)
            positions = []
            for line in lines:
                positions.append((number, column))
                column += len(json.dumps(line, ensure_ascii=ascii_only)) - 2
            return positions
        return [self.find(line) for line in lines]


def cell_snippets(lines: Sequence[str], positions: Sequence[tuple[int, int]]) -> Iterator[Snippet]:
    """The shell of one code cell: a ``%%bash`` cell's body, or its ``!`` lines."""
    # IPython drops a cell's leading blank lines before it looks for a cell magic.
    start = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    if start < len(lines) and _CELL_MAGIC.match(lines[start]):
        body = [line.rstrip("\n") for line in lines[start + 1 :]]
        if body:
            yield Snippet("\n".join(body), tuple(positions[start + 1 :]))
        return
    index = 0
    while index < len(lines):
        line, (number, column) = lines[index], positions[index]
        index += 1
        match = _BANG.match(line)
        if match is None:
            continue
        command = [line[match.end() :].rstrip("\n")]
        origins = [(number, column + match.end())]
        # A "!" line ending in a backslash goes on, as the shell reads it.
        while command[-1].endswith("\\") and index < len(lines):
            command.append(lines[index].rstrip("\n"))
            origins.append(positions[index])
            index += 1
        written = "\n".join(command)
        text = _EXPRESSION.sub(_expression_value, written) if "{" in written else written
        yield Snippet(text, tuple(origins), written=written if text != written else None)


#: ``{expression}``, whose value IPython puts into a ``!`` line: not ``{{`` (a brace),
#: not the shell's ``${name}``.
_EXPRESSION = re.compile(r"(?<![${])\{(?!\{)[^{}\n]+\}")


def _expression_value(match: re.Match[str]) -> str:
    """A word of the same length: the kernel's own interpreter for ``{sys.executable}``
    (``.venv/bin/python`` is as long), a value not known here for any other expression."""
    expression = match.group(0)
    return ".venv/bin/python" if expression == "{sys.executable}" else unknown_value(expression)
