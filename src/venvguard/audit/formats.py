"""Audit reports as text, JSON, CSV and Markdown (HTML lives in ``audit.html``).

Every renderer takes the reports in order and returns the whole document. Repository names
are shown relative to the current folder when they are below it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence

from venvguard import __version__
from venvguard.audit.runner import RepoReport
from venvguard.rules import RULES


def display_name(root: str) -> str:
    relative = os.path.relpath(root)
    return root if relative.startswith("..") else relative


def rule_counts(report: RepoReport) -> Counter[str]:
    return Counter(f["code"] for f in report.findings)


def totals_by_rule(reports: Sequence[RepoReport]) -> dict[str, tuple[int, int]]:
    """Each code found: (findings, repositories with it), in code order."""
    findings: Counter[str] = Counter()
    repositories: Counter[str] = Counter()
    for report in reports:
        counts = rule_counts(report)
        findings.update(counts)
        repositories.update(counts.keys())
    return {code: (findings[code], repositories[code]) for code in sorted(findings)}


def summary_line(reports: Sequence[RepoReport]) -> str:
    states = Counter(r.status for r in reports)
    count = len(reports)
    parts = [f"{states['ok']} ok", f"{states['fail']} failing"]
    if states["error"]:
        parts.append(f"{states['error']} could not be checked")
    return f"Audited {count} repositor{'y' if count == 1 else 'ies'}: {', '.join(parts)}."


def _counts(report: RepoReport) -> tuple[str, str]:
    if report.data is None:
        return "-", "-"
    summary = report.data["summary"]
    return str(summary["errors"]), str(summary["warnings"])


def render_text(reports: Sequence[RepoReport]) -> str:
    codes = list(totals_by_rule(reports))
    header = ["repository", "status", "errors", "warnings", *codes]
    rows = [header]
    for report in reports:
        counts = rule_counts(report)
        cells = [str(counts[c]) if counts[c] else "." for c in codes]
        if report.data is None:
            cells = ["-"] * len(codes)
        rows.append([display_name(report.root), report.status, *_counts(report), *cells])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        left = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        right = [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(left + right).rstrip())
    for report in reports:
        if report.error is not None:
            lines.append(f"{display_name(report.root)}: error: {report.error}")
    lines.append(summary_line(reports))
    return "\n".join(lines) + "\n"


def render_json(reports: Sequence[RepoReport]) -> str:
    objects = []
    for report in reports:
        if report.data is not None:
            objects.append({**report.data, "error": None})
        else:
            objects.append(
                {
                    "version": 1,
                    "tool": {"name": "venvguard", "version": __version__},
                    "root": report.root,
                    "findings": [],
                    "notices": [],
                    "summary": {"files_checked": 0, "errors": 0, "warnings": 0},
                    "error": report.error,
                }
            )
    return json.dumps(objects, indent=2) + "\n"


CSV_COLUMNS = (
    "repository",
    "status",
    "code",
    "name",
    "severity",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "package",
    "message",
)


def render_csv(reports: Sequence[RepoReport]) -> str:
    """One row per finding; a repository without findings gets one row with its status."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for report in reports:
        base = {"repository": report.root, "status": report.status}
        if not report.findings:
            writer.writerow({**base, "message": report.error or ""})
        for finding in report.findings:
            writer.writerow({**base, **{k: finding[k] for k in CSV_COLUMNS[2:]}})
    return out.getvalue()


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """A code span that survives any backticks or pipes in ``text``."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    body = text.replace("|", "\\|").replace("\n", " ")
    return f"{fence} {body} {fence}" if "`" in text else f"`{body}`"


def render_markdown(reports: Sequence[RepoReport]) -> str:
    lines = ["# venvguard audit", "", summary_line(reports), ""]
    totals = totals_by_rule(reports)
    if totals:
        lines += ["## Findings by rule", "", "| rule | name | findings | repositories |"]
        lines.append("|---|---|---:|---:|")
        for code, (findings, repositories) in totals.items():
            lines.append(f"| {code} | {RULES[code].name} | {findings} | {repositories} |")
        lines.append("")
    lines += ["## Repositories", "", "| repository | status | errors | warnings | rules |"]
    lines.append("|---|---|---:|---:|---|")
    for report in reports:
        counts = rule_counts(report)
        rules = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
        errors, warnings = _counts(report)
        name = _md(display_name(report.root))
        lines.append(f"| {name} | {report.status} | {errors} | {warnings} | {rules} |")
    for report in reports:
        if report.error is None and not report.findings:
            continue
        lines += ["", f"### {_md(display_name(report.root))}", ""]
        if report.error is not None:
            lines.append(f"Could not be checked: {_md(report.error)}")
        for f in report.findings:
            where = f["path"] or "."
            if f["line"] is not None:
                where += f":{f['line']}"
            lines.append(f"- {_code(where)} **{f['code']}** {_md(f['message'])}")
    return "\n".join(lines) + "\n"


def renderer(name: str) -> Callable[[Sequence[RepoReport]], str]:
    if name == "html":
        from venvguard.audit.html import render_html

        return render_html
    return {
        "text": render_text,
        "json": render_json,
        "csv": render_csv,
        "markdown": render_markdown,
    }[name]
