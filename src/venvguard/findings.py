"""What checks produce: findings (rule violations) and notices (things a user should know).

Checks yield these and nothing else; they never print or exit. A ``Finding`` carries a rule
code; its name and severity come from the rule catalogue (``venvguard.rules``). A ``Notice``
is not a rule violation and never fails a run: a file that could not be read or fully
parsed, a check that was skipped and why.
"""

from __future__ import annotations

from typing import Any, Final

from venvguard.records import FrozenRecord, OrderedRecord


class Finding(OrderedRecord):
    """One rule violation at one place.

    ``path`` is relative to the repository root with ``/`` separators; ``line`` and
    ``column`` are 1-based, or ``None`` when the finding is about a whole file or folder.
    ``fix`` describes what ``--fix`` would do, or is ``None`` when there is no safe fix.
    Two findings are the same (``==``, hash, order) by path, line, column, code and
    package; VG202 findings differ only by package (they have no line).
    """

    __slots__ = (
        "path",
        "line",
        "column",
        "code",
        "message",
        "end_line",
        "end_column",
        "package",
        "fix",
    )
    _compare = ("path", "line", "column", "code", "package")

    path: Final[str]
    line: Final[int | None]
    column: Final[int | None]
    code: Final[str]
    message: Final[str]
    end_line: Final[int | None]
    end_column: Final[int | None]
    package: Final[str | None]
    fix: Final[str | None]

    def __init__(
        self,
        path: str,
        line: int | None,
        column: int | None,
        code: str,
        message: str,
        end_line: int | None = None,
        end_column: int | None = None,
        package: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.code = code
        self.message = message
        self.end_line = end_line
        self.end_column = end_column
        self.package = package
        self.fix = fix

    def to_dict(self) -> dict[str, Any]:
        """Every field by name (``dataclasses.asdict``): ``Finding(**f.to_dict()) == f``."""
        return {name: getattr(self, name) for name in self.__slots__}


class Notice(OrderedRecord):
    """Something venvguard could not do fully, said once with where it happened."""

    __slots__ = ("path", "line", "message")

    path: Final[str]
    line: Final[int | None]
    message: Final[str]

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        """Every field by name (``dataclasses.asdict``): ``Notice(**n.to_dict()) == n``."""
        return {"path": self.path, "line": self.line, "message": self.message}


class FileEdit(FrozenRecord):
    """A whole-file rewrite proposed by a fix: ``old`` is what was read, ``new`` what to write.

    ``old`` is ``None`` when the file does not exist yet.
    """

    __slots__ = ("path", "old", "new")

    path: Final[str]
    old: Final[bytes | None]
    new: Final[bytes]

    def __init__(self, path: str, old: bytes | None, new: bytes) -> None:
        self.path = path
        self.old = old
        self.new = new
