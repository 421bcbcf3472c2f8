"""Entry points of the pre-commit hooks in ``.pre-commit-hooks.yaml``, one per hook.

Each is ``venvguard check`` with the hook's selection in front of what pre-commit passes:
the hook's ``args`` from the user's config, then the file names (for hooks that take them).
A ``--select`` in ``args`` comes later on the command line, so it overrides the hook's own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from venvguard.cli import main

#: Hook id -> the options that make ``venvguard check`` that hook.
HOOKS: dict[str, tuple[str, ...]] = {
    "venvguard": (),
    "venv-gitignored": ("--select", "VG1"),
    "requirements-frozen": ("--select", "VG2"),
    "no-global-installs": ("--select", "VG3"),
    "requirements-fresh": ("--select", "VG2", "--fresh"),
}


def forget_hook_environment() -> None:
    """Drop ``VIRTUAL_ENV`` when it names the venv this hook runs in.

    pre-commit runs ``language: python`` hooks inside its own venv and points
    ``VIRTUAL_ENV`` there; that environment is venvguard's, not the project's.
    """
    active = os.environ.get("VIRTUAL_ENV")
    if active and Path(active).resolve() == Path(sys.prefix).resolve():
        del os.environ["VIRTUAL_ENV"]


def run_hook(hook_id: str, argv: Sequence[str] | None = None) -> int:
    """Run the hook ``hook_id`` with ``argv`` (default: this process's arguments)."""
    forget_hook_environment()
    args = sys.argv[1:] if argv is None else list(argv)
    return main(["check", *HOOKS[hook_id], *args])


def all_checks() -> int:
    return run_hook("venvguard")


def venv_gitignored() -> int:
    return run_hook("venv-gitignored")


def requirements_frozen() -> int:
    return run_hook("requirements-frozen")


def no_global_installs() -> int:
    return run_hook("no-global-installs")


def requirements_fresh() -> int:
    return run_hook("requirements-fresh")
