"""``--format text``: ``path:line:col: CODE message`` lines and a closing summary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from venvguard.engine import Result
from venvguard.reporters import RenderOptions
from venvguard.rules import RULES

_BOLD, _RED, _YELLOW, _CYAN, _DIM, _RESET = (
    "\x1b[1m",
    "\x1b[31m",
    "\x1b[33m",
    "\x1b[36m",
    "\x1b[2m",
    "\x1b[0m",
)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Show control characters as escapes: a file name must not drive the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _location(path: str, line: int | None, column: int | None) -> str:
    shown = safe(path) or "."
    if line is None:
        return shown
    return f"{shown}:{line}:{column}" if column is not None else f"{shown}:{line}"


def render(results: Sequence[Result], options: RenderOptions) -> str:
    def paint(text: str, *styles: str) -> str:
        return "".join(styles) + text + _RESET if options.color else text

    lines: list[str] = []
    errors = warnings = files = fixed = 0
    for result in results:
        prefix = "" if len(results) == 1 else f"{result.project.root}: "
        for notice in result.notices:
            where = _location(notice.path, notice.line, None)
            lines.append(
                f"{prefix}{paint(where, _BOLD)}: {paint('note', _CYAN)}: {safe(notice.message)}"
            )
        for finding in result.findings:
            rule = RULES[finding.code]
            colour = _RED if rule.severity == "error" else _YELLOW
            where = _location(finding.path, finding.line, finding.column)
            marker = paint(" [*]", _DIM) if finding.fix else ""
            lines.append(
                f"{prefix}{paint(where, _BOLD)}: {paint(finding.code, colour, _BOLD)}"
                f" {safe(finding.message)}{marker}"
            )
        errors += result.errors
        warnings += result.warnings
        files += result.files_checked
        fixed += len(result.edits) if options.fixed else 0
    if options.quiet and not (errors or warnings):
        return "\n".join(lines) + ("\n" if lines else "")
    summary = []
    if fixed:
        summary.append(f"fixed {fixed} file{'s' if fixed != 1 else ''}")
    if errors or warnings:
        summary.append(
            f"found {errors} error{'s' if errors != 1 else ''} and "
            f"{warnings} warning{'s' if warnings != 1 else ''} in {files} files checked"
        )
        fixable = sum(bool(f.fix) for r in results for f in r.findings)
        if fixable and not options.fixed:
            summary.append(f"{fixable} fixable with --fix ([*])")
    else:
        summary.append(f"all checks passed ({files} files checked)")
    lines.append("; ".join(summary).capitalize() + ".")
    return "\n".join(lines) + "\n"
