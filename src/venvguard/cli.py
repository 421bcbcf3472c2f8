"""The ``venvguard`` command line: parses arguments and hands off to one subcommand.

Every usage, configuration or internal error becomes one line on stderr and exit status 2;
set ``VENVGUARD_DEBUG=1`` to see the traceback of an internal error instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from venvguard import __version__
from venvguard.config import ConfigError

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


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    from venvguard.engine import InternalError

    try:
        code: int = args.run(args)
        return code
    except ConfigError as error:
        print(f"venvguard: error: {error}", file=sys.stderr)
        return 2
    except InternalError as error:
        if os.environ.get("VENVGUARD_DEBUG"):
            raise
        print(f"venvguard: internal error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``venvguard check | head``): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
