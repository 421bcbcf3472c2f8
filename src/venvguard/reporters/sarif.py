"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning (``codeql-action/upload-sarif``).

One run for all checked roots (code scanning rejects several runs of one tool in one
upload). ``tool.driver.rules`` holds the whole catalogue, so a rule's ``ruleIndex`` is stable
from run to run. Locations are URIs relative to ``%SRCROOT%`` (the workspace or repository
root, as for the ``github`` format), percent-encoded; a ``region`` is given only when the
finding has a line, so findings about a whole file or folder point at the path alone.
Columns count Unicode code points, as venvguard's do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from venvguard import __version__
from venvguard.engine import Result
from venvguard.findings import Finding
from venvguard.reporters import RenderOptions
from venvguard.reporters.github import report_base, report_path
from venvguard.rules import RULES, Rule

SRCROOT = "%SRCROOT%"
_FAMILY_TAGS = {"VG1": "virtualenv", "VG2": "requirements", "VG3": "install"}


def _homepage() -> str | None:
    """The project's home page from the installed package's metadata, if it declares one."""
    try:
        meta = metadata.metadata("venvguard")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"}:
            return str(url).strip()
    home = meta.get_all("Home-page") or []
    return str(home[0]).strip() if home else None


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    help_text = rule.explanation
    help_markdown = rule.explanation
    if rule.bad:
        help_text += f"\n\nFlagged:\n{rule.bad}"
        help_markdown += f"\n\nFlagged:\n\n```\n{rule.bad}\n```"
    if rule.good:
        help_text += f"\n\nInstead:\n{rule.good}"
        help_markdown += f"\n\nInstead:\n\n```\n{rule.good}\n```"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {
            "level": rule.severity,
            "enabled": rule.default_enabled,
        },
        "properties": {"tags": [_FAMILY_TAGS.get(rule.family, "venvguard")], "precision": "high"},
    }


def _uri(path: str) -> str:
    # An empty path is the repository itself.
    return quote(path, safe="/") if path else "./"


def _result(finding: Finding, uri: str, rule_index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if finding.line is not None:
        region: dict[str, int] = {"startLine": finding.line}
        if finding.column is not None:
            region["startColumn"] = finding.column
        if finding.end_line is not None:
            region["endLine"] = finding.end_line
        if finding.end_column is not None:
            region["endColumn"] = finding.end_column
        physical["region"] = region
    item: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": RULES[finding.code].severity,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical}],
    }
    if finding.package is not None:
        item["properties"] = {"package": finding.package}
    return item


def _folder_uri(folder: Path) -> str:
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_log(results: Sequence[Result]) -> dict[str, Any]:
    """The SARIF log of ``results`` as a JSON-ready dictionary."""
    base = report_base(results)
    index = {code: i for i, code in enumerate(RULES)}
    driver: dict[str, Any] = {
        "name": "venvguard",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule_descriptor(rule) for rule in RULES.values()],
    }
    homepage = _homepage()
    if homepage:
        driver["informationUri"] = homepage
    sarif_results = [
        _result(f, _uri(report_path(r, f.path, base)), index[f.code])
        for r in results
        for f in r.findings
    ]
    notifications = [
        {
            "level": "note",
            "message": {"text": n.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": _uri(report_path(r, n.path, base)),
                            "uriBaseId": SRCROOT,
                        }
                    }
                }
            ],
        }
        for r in results
        for n in r.notices
    ]
    return {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": _folder_uri(base)}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": sarif_results,
            }
        ],
    }


def render(results: Sequence[Result], options: RenderOptions) -> str:
    return json.dumps(sarif_log(results), indent=2) + "\n"
