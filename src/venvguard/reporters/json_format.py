"""``--format json``: the JSON contract of DESIGN.md (one object for one repository).

Notices are an addition to the contract (``notices``); consumers that do not know the key
ignore it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from venvguard import __version__
from venvguard.engine import Result
from venvguard.reporters import RenderOptions
from venvguard.rules import RULES


def result_to_dict(result: Result) -> dict[str, Any]:
    return {
        "version": 1,
        "tool": {"name": "venvguard", "version": __version__},
        "root": str(result.project.root),
        "findings": [
            {
                "code": f.code,
                "name": RULES[f.code].name,
                "severity": RULES[f.code].severity,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "end_line": f.end_line,
                "end_column": f.end_column,
                "message": f.message,
                "package": f.package,
                "fix": f.fix,
            }
            for f in result.findings
        ],
        "notices": [{"path": n.path, "line": n.line, "message": n.message} for n in result.notices],
        "summary": {
            "files_checked": result.files_checked,
            "errors": result.errors,
            "warnings": result.warnings,
        },
    }


def render(results: Sequence[Result], options: RenderOptions) -> str:
    if len(results) == 1:
        return json.dumps(result_to_dict(results[0]), indent=2) + "\n"
    return json.dumps([result_to_dict(r) for r in results], indent=2) + "\n"
