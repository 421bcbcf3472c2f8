"""``--format markdown``: a report for ``$GITHUB_STEP_SUMMARY`` (or any Markdown page).

Totals first, then a count per rule, then every finding in a table (annotations are capped
at ten per step, the summary is where the whole list lives), then notices. Inside GitHub
Actions (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and ``GITHUB_SHA`` set) locations link
to the file at the checked commit.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import quote

from venvguard.engine import Result
from venvguard.reporters import RenderOptions
from venvguard.reporters.github import report_base, report_path
from venvguard.rules import RULES

_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def _escape_plain(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\r\n", "\n")
        .replace("\n", "<br>")
    )


def cell(text: str) -> str:
    """``text`` made safe for one table cell, keeping its `code spans` as code.

    Inside a code span entities are not decoded, so only ``|`` (which GitHub's table
    parser sees first) and line breaks are changed there.
    """
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape_plain(text[position : match.start()]))
        ticks, body = match.group(1), match.group(2)
        body = body.replace("|", "\\|").replace("\r\n", " ").replace("\n", " ")
        parts.append(f"{ticks}{body}{ticks}")
        position = match.end()
    parts.append(_escape_plain(text[position:]))
    return "".join(parts)


def _link_base() -> str | None:
    server = os.environ.get("GITHUB_SERVER_URL")
    repository = os.environ.get("GITHUB_REPOSITORY")
    sha = os.environ.get("GITHUB_SHA")
    if server and repository and sha:
        return f"{server.rstrip('/')}/{repository}/blob/{sha}/"
    return None


def _location(path: str, line: int | None, column: int | None, link_base: str | None) -> str:
    shown = path or "."
    if line is not None:
        shown += f":{line}" + (f":{column}" if column is not None else "")
    label = cell(f"`{shown}`" if "`" not in shown else shown)
    if link_base is None or not path:
        return label
    anchor = f"#L{line}" if line is not None else ""
    return f"[{label}]({link_base}{quote(path, safe='/')}{anchor})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(results: Sequence[Result], options: RenderOptions) -> str:
    base = report_base(results)
    link_base = _link_base()
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    files = sum(r.files_checked for r in results)
    lines = ["## venvguard", ""]
    if errors or warnings:
        mark = ":x:" if errors or options.strict else ":warning:"
        lines.append(
            f"{mark} **{_plural(errors, 'error')}** and **{_plural(warnings, 'warning')}** "
            f"in {_plural(files, 'file')} checked."
        )
    else:
        lines.append(f":white_check_mark: No findings in {_plural(files, 'file')} checked.")
    findings = [(r, f) for r in results for f in r.findings]
    if findings:
        counts = Counter(f.code for _, f in findings)
        lines += ["", "| Rule | Name | Severity | Findings |", "| --- | --- | --- | ---: |"]
        for code in sorted(counts):
            rule = RULES[code]
            lines.append(f"| {code} | {rule.name} | {rule.severity} | {counts[code]} |")
        lines += [
            "",
            "### Findings",
            "",
            "| Severity | Rule | Location | Message |",
            "| --- | --- | --- | --- |",
        ]
        for result, finding in findings:
            rule = RULES[finding.code]
            path = report_path(result, finding.path, base)
            where = _location(path, finding.line, finding.column, link_base)
            lines.append(
                f"| {rule.severity} | {finding.code} {rule.name} | {where} "
                f"| {cell(finding.message)} |"
            )
    notices = [(r, n) for r in results for n in r.notices]
    if notices:
        lines += ["", "### Notes", ""]
        for result, notice in notices:
            path = report_path(result, notice.path, base)
            where = _location(path, notice.line, None, link_base)
            lines.append(f"- {where}: {cell(notice.message)}")
    return "\n".join(lines) + "\n"
