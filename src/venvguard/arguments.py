"""The command line's parser: argparse with one-line errors, one subparser per subcommand."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import NoReturn

from venvguard import __version__

#: Subcommands, each a module of ``venvguard.commands`` with ``add_parser`` and ``run``.
COMMANDS = ("check", "rules", "audit", "freeze")


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors cut to one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, if it is a known one (options before it are few)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv`` naming a subcommand, only that one is imported and built.

    Importing every subcommand would cost each ``venvguard check`` the imports of the
    others; ``--help`` and unknown commands still see them all.
    """
    parser = _Parser(
        prog="venvguard",
        description="Keeps Python projects honest about virtual environments.",
    )
    parser.add_argument("--version", action="version", version=f"venvguard {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = _chosen_command(argv) if argv is not None else None
    for name in (chosen,) if chosen else COMMANDS:
        module = importlib.import_module(f"venvguard.commands.{name}")
        module.add_parser(subparsers)
    return parser
