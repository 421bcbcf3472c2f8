"""VG2: a requirements file is a lock that matches a fresh ``pip freeze``.

The work is done by ``venvguard.reqs``; this module adapts it to the check interface.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from venvguard.context import Context
from venvguard.findings import FileEdit, Finding, Notice
from venvguard.rules import RULES

CODES = frozenset(code for code in RULES if code.startswith("VG2"))


def run(ctx: Context) -> Iterator[Finding | Notice]:
    wanted = frozenset(code for code in CODES if ctx.wants(code))
    if not wanted:
        return
    from venvguard.reqs.analysis import analyse

    analysis = analyse(ctx.project, ctx.config, wanted)
    ctx.files_checked.update(analysis.files)
    yield from analysis.notices
    yield from analysis.findings


def fix(ctx: Context, findings: Sequence[Finding]) -> list[FileEdit]:
    """Rewrite pins, add missing ones and drop extraneous ones, as whole-file edits."""
    from venvguard.reqs.analysis import analyse
    from venvguard.reqs.rewrite import plan_edits

    wanted = frozenset(code for code in CODES if ctx.wants(code))
    analysis = analyse(ctx.project, ctx.config, wanted, use_cache=False)
    return plan_edits(ctx.project, analysis, findings)
