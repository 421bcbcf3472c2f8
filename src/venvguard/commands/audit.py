"""``venvguard audit PATH ...``: check many repositories in parallel and report on all.

Each PATH is a repository, or with ``--recursive`` a folder searched for them. A repository
that cannot be checked is an entry in the report, never an abort. Exit status 1 when any
repository has a failing finding or could not be checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from venvguard.commands.check import add_check_options, emit


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {value!r}")
    return jobs


FORMAT_NAMES = ("text", "json", "markdown", "html", "csv")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check many repositories at once",
        description="Check many repositories in parallel and report on all of them.",
        conflict_handler="resolve",  # --format below replaces the check command's
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="repositories, or folders")
    add_check_options(parser)
    parser.add_argument(
        "--format", choices=FORMAT_NAMES, default="text", help="report format (default: text)"
    )
    found = parser.add_argument_group("repositories")
    found.add_argument(
        "--recursive", "-r", action="store_true", help="search the folders for repositories"
    )
    found.add_argument("--include-submodules", action="store_true", help="check submodules, too")
    found.add_argument(
        "--jobs", "-j", type=_jobs, metavar="N", help="processes to use (default: CPU count)"
    )
    parser.set_defaults(run=run)


class _Progress:
    """A one-line progress bar on stderr, redrawn in place."""

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, done: int, total: int, root: str) -> None:
        width = 30
        filled = width * done // total
        name = Path(root).name[:30]
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name:<30}")
        sys.stderr.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 80 + "\r")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from venvguard.audit.discover import expand
    from venvguard.audit.formats import renderer
    from venvguard.audit.runner import check_all, default_jobs
    from venvguard.config import load_config

    if args.config is not None:
        load_config(Path("."), args.config)  # a broken --config is a usage error, said once
    roots = expand(
        (Path(p) for p in args.paths),
        recursive=args.recursive,
        include_submodules=args.include_submodules,
    )
    progress = _Progress() if sys.stderr.isatty() and not args.quiet else None
    try:
        reports = check_all(
            [str(root) for root in roots], args, args.jobs or default_jobs(), progress
        )
    finally:
        if progress is not None:
            progress.clear()
    emit(args, renderer(args.format)(reports))
    if args.exit_zero:
        return 0
    return 1 if any(r.status != "ok" for r in reports) else 0
