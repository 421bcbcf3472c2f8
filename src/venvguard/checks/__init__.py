"""The registry of check families: one module per family, imported only when selected.

A check module defines::

    CODES: frozenset[str]                               # the codes it can report
    def run(ctx: Context) -> Iterable[Finding | Notice]
    def fix(ctx: Context, findings: Sequence[Finding]) -> list[FileEdit]   # optional

Adding a family is one module and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Final, Protocol, cast

from venvguard.context import Context
from venvguard.findings import FileEdit, Finding, Notice
from venvguard.records import FrozenRecord


class CheckModule(Protocol):
    CODES: frozenset[str]

    def run(self, ctx: Context) -> Iterable[Finding | Notice]: ...


class CheckFamily(FrozenRecord):
    __slots__ = ("prefix", "module")

    prefix: Final[str]
    module: Final[str]

    def __init__(self, prefix: str, module: str) -> None:
        self.prefix = prefix
        self.module = module

    def load(self) -> CheckModule:
        return cast(CheckModule, importlib.import_module(self.module))

    def fixer(self) -> FixFunction | None:
        module: ModuleType = importlib.import_module(self.module)
        return cast("FixFunction | None", getattr(module, "fix", None))


class FixFunction(Protocol):
    def __call__(self, ctx: Context, findings: Sequence[Finding]) -> list[FileEdit]: ...


FAMILIES: tuple[CheckFamily, ...] = (
    CheckFamily("VG1", "venvguard.checks.venvs"),
    CheckFamily("VG2", "venvguard.checks.requirements"),
    CheckFamily("VG3", "venvguard.checks.installs"),
)
