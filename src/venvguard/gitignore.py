"""git's ignore rules rebuilt on pathspec (placeholder: ignores nothing yet)."""

from __future__ import annotations

from pathlib import Path


class IgnoreRules:
    @classmethod
    def from_tree(cls, root: Path) -> IgnoreRules:
        return cls()

    def is_ignored(self, path: str, *, is_dir: bool) -> bool:
        return False
