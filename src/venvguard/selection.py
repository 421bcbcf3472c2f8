"""Which rules run (``--select``/``--ignore``), and which findings are suppressed.

Selection follows ruff: codes or prefixes (``VG3``, ``VG301``, ``ALL``); when a code matches
both a selected and an ignored prefix, the longer (more specific) one decides. Rules that are
off by default (``VG306``, ``VG307``) are turned on only by their full code or by ``ALL``.

Suppression happens after the checks: ``per-file-ignores`` by glob, and inline comments
``venvguard: ignore[VG301]`` on the finding's line or alone on the line before, and
``venvguard: ignore-file[VG305]`` anywhere in the file. Any comment marker works (``#``,
``//``, ``REM``, ``::``, ``<!--``), so one syntax serves every kind of file.
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


class _FileDirectives(Record):
    __slots__ = ("by_line", "comment_lines", "whole_file")

    def __init__(
        self,
        by_line: dict[int, _Directive] | None = None,
        comment_lines: set[int] | None = None,
        whole_file: list[_Directive] | None = None,
    ) -> None:
        self.by_line = {} if by_line is None else by_line
        self.comment_lines = set() if comment_lines is None else comment_lines
        self.whole_file = [] if whole_file is None else whole_file

    @classmethod
    def scan(cls, text: str) -> _FileDirectives:
        found = cls()
        if "venvguard" not in text:
            return found
        for number, line in enumerate(text.split("\n"), start=1):
            match = _DIRECTIVE.search(line)
            if match is None:
                continue
            directive = _Directive(_parse_codes(match.group("codes")))
            if match.group("kind").lower() == "ignore-file":
                found.whole_file.append(directive)
                continue
            found.by_line[number] = directive
            if _COMMENT_ONLY.match(line):
                found.comment_lines.add(number)
        return found

    def suppresses(self, finding: Finding) -> bool:
        if any(d.covers(finding.code) for d in self.whole_file):
            return True
        if finding.line is None:
            return False
        here = self.by_line.get(finding.line)
        if here is not None and here.covers(finding.code):
            return True
        before = finding.line - 1
        above = self.by_line.get(before)
        return above is not None and before in self.comment_lines and above.covers(finding.code)


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
