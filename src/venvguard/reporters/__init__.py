"""Output formats: one module per format, each with ``render(results, options) -> str``.

Listed once here so the CLI can validate ``--format`` without importing every reporter.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Final, Protocol, cast

from venvguard.engine import Result
from venvguard.records import FrozenRecord


class RenderOptions(FrozenRecord):
    __slots__ = ("color", "quiet", "strict", "fixed")

    color: Final[bool]
    quiet: Final[bool]
    strict: Final[bool]
    fixed: Final[bool]  # --fix was given: edits in results were applied

    def __init__(
        self, color: bool = False, quiet: bool = False, strict: bool = False, fixed: bool = False
    ) -> None:
        self.color = color
        self.quiet = quiet
        self.strict = strict
        self.fixed = fixed


class Reporter(Protocol):
    def render(self, results: Sequence[Result], options: RenderOptions) -> str: ...


FORMATS: dict[str, str] = {
    "text": "venvguard.reporters.text",
    "json": "venvguard.reporters.json_format",
    "github": "venvguard.reporters.github",
    "sarif": "venvguard.reporters.sarif",
    "markdown": "venvguard.reporters.markdown",
}


def get_reporter(name: str) -> Reporter:
    return cast(Reporter, importlib.import_module(FORMATS[name]))
