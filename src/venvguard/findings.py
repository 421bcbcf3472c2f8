"""What checks produce: findings (rule violations) and notices (things a user should know).

Checks yield these and nothing else; they never print or exit. A ``Finding`` carries a rule
code; its name and severity come from the rule catalogue (``venvguard.rules``). A ``Notice``
is not a rule violation and never fails a run: a file that could not be read or fully
parsed, a check that was skipped and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    """One rule violation at one place.

    ``path`` is relative to the repository root with ``/`` separators; ``line`` and
    ``column`` are 1-based, or ``None`` when the finding is about a whole file or folder.
    ``fix`` describes what ``--fix`` would do, or is ``None`` when there is no safe fix.
    """

    path: str
    line: int | None
    column: int | None
    code: str
    message: str = field(compare=False)
    end_line: int | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)
    # Part of identity: VG202 findings differ only by package (they have no line).
    package: str | None = field(default=None)
    fix: str | None = field(default=None, compare=False)


@dataclass(frozen=True, order=True)
class Notice:
    """Something venvguard could not do fully, said once with where it happened."""

    path: str
    line: int | None
    message: str


@dataclass(frozen=True)
class FileEdit:
    """A whole-file rewrite proposed by a fix: ``old`` is what was read, ``new`` what to write.

    ``old`` is ``None`` when the file does not exist yet.
    """

    path: str
    old: bytes | None
    new: bytes
