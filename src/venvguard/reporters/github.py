"""``--format github``: workflow commands that GitHub Actions turns into annotations.

One line per finding, ``::error file=F,line=L,col=C,endLine=..,endColumn=..,title=T::msg``
(``::warning`` for warnings, ``::notice`` for notices). GitHub decodes ``%25``, ``%0D`` and
``%0A`` in the message, and additionally ``%3A`` and ``%2C`` in property values, so a message
with a newline or a path with a comma survives intact.

Paths are made relative to ``$GITHUB_WORKSPACE`` when the checked repository lies inside it
(annotations are placed by workspace-relative path), else relative to the repository root.
The SARIF reporter uses the same base.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from pathlib import Path

from venvguard.engine import Result
from venvguard.reporters import RenderOptions
from venvguard.rules import RULES


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_base(results: Sequence[Result]) -> Path:
    """The folder that reported paths are relative to.

    ``$GITHUB_WORKSPACE`` when every checked root lies inside it, else the one root, else the
    roots' common folder.
    """
    roots = [r.project.root for r in results]
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        base = Path(workspace).resolve()
        if roots and all(root.resolve().is_relative_to(base) for root in roots):
            return base
    if not roots:
        return Path.cwd()
    return Path(os.path.commonpath([str(root) for root in roots]))


def report_path(result: Result, path: str, base: Path) -> str:
    """``path`` (relative to ``result``'s root) made relative to ``base``, with ``/``."""
    root = result.project.root
    try:
        prefix = root.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        prefix = root.as_posix()
    if prefix in ("", "."):
        return path
    return posixpath.join(prefix, path) if path else prefix


def _command(kind: str, properties: list[tuple[str, object]], message: str) -> str:
    shown = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return (
        f"::{kind} {shown}::{escape_data(message)}"
        if shown
        else f"::{kind}::{escape_data(message)}"
    )


def render(results: Sequence[Result], options: RenderOptions) -> str:
    base = report_base(results)
    lines: list[str] = []
    for result in results:
        for notice in result.notices:
            properties: list[tuple[str, object]] = [("title", "venvguard note")]
            if notice.path:
                properties.insert(0, ("file", report_path(result, notice.path, base)))
                if notice.line is not None:
                    properties.insert(1, ("line", notice.line))
            lines.append(_command("notice", properties, notice.message))
        for finding in result.findings:
            rule = RULES[finding.code]
            properties = []
            path = report_path(result, finding.path, base)
            if path:
                properties.append(("file", path))
                for key, value in (
                    ("line", finding.line),
                    ("col", finding.column),
                    ("endLine", finding.end_line),
                    ("endColumn", finding.end_column),
                ):
                    if value is not None and finding.line is not None:
                        properties.append((key, value))
            properties.append(("title", f"{finding.code} {rule.name}"))
            lines.append(_command(rule.severity, properties, finding.message))
    return "\n".join(lines) + ("\n" if lines else "")
