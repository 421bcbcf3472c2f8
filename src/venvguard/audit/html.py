"""``venvguard audit --format html``: one self-contained page (no scripts, no fetches).

Totals per rule, a table per repository, and every finding linked to its file and line
(``file://`` URL, the line in the fragment). Everything that comes from a repository (paths,
messages, error text) is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from venvguard import __version__
from venvguard.audit.formats import display_name, rule_counts, summary_line, totals_by_rule
from venvguard.audit.runner import RepoReport
from venvguard.rules import RULES

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.ok { color: #176f2c; } .fail { color: #b00020; font-weight: bold; } .error { color: #8a5300; }
.error-sev { color: #b00020; } .warning-sev { color: #8a5300; }
code { font-family: ui-monospace, monospace; }
"""


def _link(root: str, path: str, line: int | None) -> str:
    """A ``file://`` URL for ``path`` of the repository at ``root``, with the line."""
    target = Path(root) / path if path else Path(root)
    url = target.as_uri() if target.is_absolute() else target.as_posix()
    return f"{url}#L{line}" if line is not None else url


def _anchor(index: int) -> str:
    return f"repo-{index}"


def render_html(reports: Sequence[RepoReport]) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>venvguard audit</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>venvguard audit</h1>",
        f"<p>{escape(summary_line(reports))} venvguard {escape(__version__)}.</p>",
    ]
    totals = totals_by_rule(reports)
    out.append("<h2>Findings by rule</h2>")
    if totals:
        out.append("<table><tr><th>rule</th><th>name</th><th>severity</th>")
        out.append("<th>findings</th><th>repositories</th></tr>")
        for code, (findings, repositories) in totals.items():
            rule = RULES[code]
            out.append(
                f"<tr><td>{code}</td><td>{escape(rule.name)}</td>"
                f'<td class="{rule.severity}-sev">{rule.severity}</td>'
                f'<td class="n">{findings}</td><td class="n">{repositories}</td></tr>'
            )
        out.append("</table>")
    else:
        out.append("<p>No findings.</p>")
    out.append("<h2>Repositories</h2>")
    out.append("<table><tr><th>repository</th><th>status</th><th>errors</th>")
    out.append("<th>warnings</th><th>rules</th></tr>")
    for index, report in enumerate(reports):
        counts = rule_counts(report)
        rules = ", ".join(f"{code}:&nbsp;{n}" for code, n in sorted(counts.items()))
        summary = report.data["summary"] if report.data else None
        errors = summary["errors"] if summary else "-"
        warnings = summary["warnings"] if summary else "-"
        out.append(
            f'<tr><td><a href="#{_anchor(index)}">{escape(display_name(report.root))}</a></td>'
            f'<td class="{report.status}">{report.status}</td>'
            f'<td class="n">{errors}</td><td class="n">{warnings}</td><td>{rules}</td></tr>'
        )
    out.append("</table>")
    for index, report in enumerate(reports):
        out.append(f'<h3 id="{_anchor(index)}">{escape(display_name(report.root))}</h3>')
        if report.error is not None:
            out.append(f'<p class="error">Could not be checked: {escape(report.error)}</p>')
            continue
        if not report.findings:
            out.append('<p class="ok">No findings.</p>')
            continue
        out.append("<table><tr><th>where</th><th>rule</th><th>message</th></tr>")
        for f in report.findings:
            where = f["path"] or "."
            if f["line"] is not None:
                where += f":{f['line']}"
            href = escape(_link(report.root, f["path"], f["line"]), quote=True)
            severity = RULES[f["code"]].severity
            out.append(
                f'<tr><td><a href="{href}"><code>{escape(where)}</code></a></td>'
                f'<td class="{severity}-sev">{f["code"]} {escape(f["name"])}</td>'
                f"<td>{escape(f['message'])}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
