"""What every check receives: the project, the configuration, and what is selected."""

from __future__ import annotations

from venvguard.config import Config
from venvguard.project import Project
from venvguard.records import Record


class Context(Record):
    """One run of the checks on one project.

    ``paths`` is ``None`` for a whole-repository check, or the files named on the command
    line (as pre-commit passes them), relative to the root: they limit the per-file checks
    (VG3); repository-level checks run regardless. Checks add what they read to
    ``files_checked`` for the summary.
    """

    __slots__ = ("project", "config", "selected", "paths", "files_checked")

    def __init__(
        self,
        project: Project,
        config: Config,
        selected: frozenset[str],
        paths: tuple[str, ...] | None = None,
        files_checked: set[str] | None = None,
    ) -> None:
        self.project = project
        self.config = config
        self.selected = selected
        self.paths = paths
        self.files_checked: set[str] = set() if files_checked is None else files_checked

    def wants(self, *codes: str) -> bool:
        """Whether any of ``codes`` is selected: lets a check skip work nobody asked for."""
        return any(code in self.selected for code in codes)
