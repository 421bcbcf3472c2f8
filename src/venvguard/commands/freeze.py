"""``venvguard freeze [PATH]``: print what the requirements file should be.

PATH is a repository (its root locks) or one requirements file. Each lock is printed with
every safe VG2 fix applied: pins matching the environment (or, with ``--fresh``, the fresh
resolution), missing pins added, extraneous ones removed; comments, options and order kept.
With no requirements file, the environment's ``pip freeze``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from venvguard.config import ConfigError, load_config


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "freeze",
        help="print what the requirements file should be",
        description="Print each requirements lock of a repository as it should be: pins "
        "matching the environment (or a fresh resolution), nothing missing, nothing extra.",
    )
    parser.add_argument(
        "path", nargs="?", default=".", metavar="PATH", help="repository or requirements file"
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file")
    parser.add_argument("--python", metavar="INTERPRETER_OR_VENV", help="environment to freeze")
    parser.add_argument("--fresh", action="store_true", help="resolve from scratch instead")
    parser.add_argument("--python-version", metavar="X.Y", help="target Python for --fresh")
    parser.add_argument("--platform", metavar="TAG", help="target platform for --fresh")
    parser.add_argument(
        "--allow-build", action="store_true", default=None, help="let --fresh build sdists"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from venvguard.checks.requirements import CODES
    from venvguard.project import Project
    from venvguard.reqs.analysis import analyse
    from venvguard.reqs.rewrite import plan_edits

    path = Path(args.path)
    if not path.exists():
        raise ConfigError(f"{args.path}: no such file or folder")
    project = Project.discover(path)
    config = load_config(project.root, args.config)
    changes: dict[str, Any] = {"fresh_mode": bool(args.fresh)}
    if args.python is not None:
        changes["python"] = args.python
        changes["python_trusted"] = True
    if path.is_file():
        changes["requirements"] = (path.resolve().relative_to(project.root).as_posix(),)
    fresh: dict[str, Any] = {}
    for name in ("python_version", "platform", "allow_build"):
        if getattr(args, name) is not None:
            fresh[name] = getattr(args, name)
    if fresh:
        changes["fresh"] = config.fresh.replace(**fresh)
    config = config.replace(**changes)
    analysis = analyse(project, config, CODES, use_cache=False)
    if not analysis.locks.roots:
        sys.stdout.write(_environment_freeze(project.root, config.python, config.python_trusted))
        return 0
    fixable = [finding for finding in analysis.findings if finding.fix]
    edits = {edit.path: edit.new for edit in plan_edits(project, analysis, fixable)}
    files = analysis.locks.files
    for name in files:
        text = edits.get(name)
        content = (
            text.decode("utf-8", "surrogateescape")
            if text is not None
            else project.read_text(name).text or ""
        )
        if len(files) > 1:
            sys.stdout.write(f"# ==> {name} <==\n")
        sys.stdout.write(content if not content or content.endswith("\n") else content + "\n")
    return 0


def _environment_freeze(root: Path, python: str | None, trusted: bool) -> str:
    from venvguard.reqs.environment import locate
    from venvguard.reqs.installed import freeze, read_distributions

    environment = locate(root, python, run_interpreter=trusted)
    if environment is None:
        raise ConfigError("no requirements file and no virtual environment found to freeze")
    distributions = read_distributions(environment.site_dirs)
    return "".join(
        d.freeze_line() + "\n" for d in freeze(distributions, environment.python_version)
    )
