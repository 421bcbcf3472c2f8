"""Which rules run (``--select``/``--ignore``), and which findings are suppressed.

Selection follows ruff: codes or prefixes (``VG3``, ``VG301``, ``ALL``); when a code matches
both a selected and an ignored prefix, the longer (more specific) one decides. Rules that are
off by default (``VG306``, ``VG307``) are turned on only by their full code or by ``ALL``.

Suppression happens after the checks: ``per-file-ignores`` by glob, and inline comments
``venvguard: ignore[VG301]`` on the finding's lines or alone on the line before (see
``_FileDirectives``), and ``venvguard: ignore-file[VG305]`` on a line of its own anywhere in
the file. Any
comment marker works (``#``, ``//``, ``REM``, ``::``, ``<!--``, ``..``), so one syntax
serves every kind of file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from venvguard.findings import Finding
from venvguard.project import Project
from venvguard.records import FrozenRecord, Record
from venvguard.rules import RULES


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def resolve_selection(
    select: Sequence[str] | None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> frozenset[str]:
    """The set of rule codes that run."""
    chosen: set[str] = set()
    for code, rule in RULES.items():
        selectors = [*(select if select is not None else []), *extend_select]
        best_select = max(
            (s for s in selectors if _matches(s, code)), key=_specificity, default=None
        )
        best_ignore = max((s for s in ignore if _matches(s, code)), key=_specificity, default=None)
        if best_select is None:
            on = select is None and rule.default_enabled
        elif rule.default_enabled or best_select in {"ALL", code}:
            on = True
        else:
            on = select is None and rule.default_enabled
        if (
            on
            and best_ignore is not None
            and (best_select is None or _specificity(best_ignore) >= _specificity(best_select))
        ):
            on = False
        if on:
            chosen.add(code)
    return frozenset(chosen)


_DIRECTIVE = re.compile(
    r"(?:#|//|\bREM\b|::|<!--|\.\.)\s*venvguard:\s*(?P<kind>ignore-file|ignore)\b"
    r"(?:\[(?P<codes>[A-Za-z0-9,\s]*)\])?",
    re.IGNORECASE,
)
_COMMENT_ONLY = re.compile(r"""^\s*["']?\s*(?:#|//|@?REM\b|::|<!--|\.\.)""", re.IGNORECASE)


class _Directive(FrozenRecord):
    __slots__ = ("codes",)

    codes: Final[tuple[str, ...] | None]  # None: every code

    def __init__(self, codes: tuple[str, ...] | None) -> None:
        self.codes = codes

    def covers(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(c) for c in self.codes)


def _parse_codes(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    codes = tuple(c.strip().upper() for c in raw.split(",") if c.strip())
    return codes or None


#: A line that opens a block of code whose first line a comment above it may speak for: a
#: Markdown fence, a YAML block scalar (``run: |``), a reStructuredText code directive.
_OPENS_BLOCK = re.compile(
    r"^\s*(?:>\s*)*(?:(?:[-*+]|\d+[.)])\s+)?(?:```|~~~)"
    r"|(?:^|[:\-\s])[|>][-+0-9]*\s*(?:#.*)?$"
    r"|^\s*\.\.\s+(?:code-block|code|sourcecode|prompt)::",
)
_RST_OPTION = re.compile(r"^\s*(?::[\w-]+:.*)?$")  # ``:caption: x``, or blank
_MOST_OPTION_LINES = 8


class _FileDirectives(Record):
    """The suppression comments of one file, and the lines they may speak for.

    A directive covers a command when it is on any line the command spans (a trailing
    comment ends the last line of a continued command), or alone on the line before the
    line the command starts on. That line is looked for above the start of a continued
    line (``RUN a \\`` ... ``&& sudo pip install x``) and above the line that opens the
    command's block (a fence, ``run: |``).
    """

    __slots__ = ("by_line", "comment_lines", "whole_file", "lines")

    def __init__(self, lines: list[str] | None = None) -> None:
        self.by_line: dict[int, _Directive] = {}
        self.comment_lines: set[int] = set()  # lines holding only a comment
        self.whole_file: list[_Directive] = []
        self.lines = [] if lines is None else lines

    @classmethod
    def scan(cls, text: str) -> _FileDirectives:
        if "venvguard" not in text:
            return cls()
        found = cls(text.split("\n"))
        for number, line in enumerate(found.lines, start=1):
            if _COMMENT_ONLY.match(line):
                found.comment_lines.add(number)
            match = _DIRECTIVE.search(line)
            if match is None:
                continue
            directive = _Directive(_parse_codes(match.group("codes")))
            if match.group("kind").lower() == "ignore-file":
                if number in found.comment_lines:  # not text a command prints
                    found.whole_file.append(directive)
            else:
                found.by_line[number] = directive
        return found

    def _line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def _continued(self, number: int) -> bool:
        return self._line(number).rstrip().endswith(("\\", "`", "^"))

    def _covers(self, number: int, code: str, alone: bool = True) -> bool:
        directive = self.by_line.get(number)
        if directive is None or not directive.covers(code):
            return False
        return not alone or number in self.comment_lines

    def suppresses(self, finding: Finding) -> bool:
        if any(d.covers(finding.code) for d in self.whole_file):
            return True
        if finding.line is None or not self.by_line:
            return False
        code = finding.code
        last = max(finding.line, finding.end_line or finding.line)
        if any(self._covers(n, code, alone=False) for n in range(finding.line, last + 1)):
            return True
        if self._covers(finding.line - 1, code):
            return True
        start = self._logical_start(finding.line)
        if start != finding.line and self._covers(start - 1, code):
            return True
        above = start - 1
        while above > 0 and above + _MOST_OPTION_LINES > start:
            if not _RST_OPTION.fullmatch(self._line(above)):
                break
            above -= 1  # a code directive's options and the blank line after them
        if above > 0 and _OPENS_BLOCK.search(self._line(above)):
            return self._covers(above, code, alone=False) or self._covers(above - 1, code)
        return False

    def _logical_start(self, line: int) -> int:
        """The first line of the continued line that ``line`` is part of; comment lines
        inside the continuation (as a Dockerfile allows) are part of it."""
        start = line
        while start > 1:
            above = start - 1
            while above > 1 and above in self.comment_lines and not self._continued(above):
                above -= 1
            if not self._continued(above):
                return start
            start = above
        return start


class Suppressions:
    """Drops findings silenced by ``per-file-ignores`` or inline comments."""

    def __init__(self, project: Project, per_file_ignores: Mapping[str, Sequence[str]]) -> None:
        self._project = project
        self._per_file = [
            (_glob_matcher(glob), tuple(codes)) for glob, codes in per_file_ignores.items()
        ]
        self._directives: dict[str, _FileDirectives] = {}

    def _file(self, path: str) -> _FileDirectives:
        directives = self._directives.get(path)
        if directives is None:
            text = self._project.read_text(path).text if path else None
            directives = _FileDirectives.scan(text) if text else _FileDirectives()
            self._directives[path] = directives
        return directives

    def keep(self, finding: Finding) -> bool:
        for matches, codes in self._per_file:
            if matches(finding.path) and any(_matches(c, finding.code) for c in codes):
                return False
        return not self._file(finding.path).suppresses(finding)

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if self.keep(f)]


class GlobMatcher:
    """Matches repository paths against globs written in gitignore syntax."""

    def __init__(self, globs: Sequence[str]) -> None:
        import pathspec

        self._spec = pathspec.GitIgnoreSpec.from_lines(list(globs))

    def __call__(self, path: str) -> bool:
        return bool(path) and self._spec.match_file(path)


def _glob_matcher(glob: str) -> GlobMatcher:
    return GlobMatcher([glob])
