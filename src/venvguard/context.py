"""What every check receives: the project, the configuration, and what is selected."""

from __future__ import annotations

from dataclasses import dataclass, field

from venvguard.config import Config
from venvguard.project import Project


@dataclass
class Context:
    """One run of the checks on one project.

    ``paths`` is ``None`` for a whole-repository check, or the files named on the command
    line (as pre-commit passes them), relative to the root: they limit the per-file checks
    (VG3); repository-level checks run regardless. Checks add what they read to
    ``files_checked`` for the summary.
    """

    project: Project
    config: Config
    selected: frozenset[str]
    paths: tuple[str, ...] | None = None
    files_checked: set[str] = field(default_factory=set)

    def wants(self, *codes: str) -> bool:
        """Whether any of ``codes`` is selected: lets a check skip work nobody asked for."""
        return any(code in self.selected for code in codes)
