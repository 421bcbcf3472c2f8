"""VG2 checks (being written: this placeholder reports nothing yet)."""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.context import Context
from venvguard.findings import Finding, Notice
from venvguard.rules import RULES

CODES = frozenset(code for code in RULES if code.startswith("VG2"))


def run(ctx: Context) -> Iterator[Finding | Notice]:
    yield from ()
