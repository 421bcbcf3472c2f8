"""``venvguard check [PATH ...]``: check one repository (or the files of one) and report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from venvguard.config import Config, ConfigError, check_code_selector, load_config
from venvguard.engine import Result, check_project
from venvguard.project import Project
from venvguard.reporters import FORMATS, RenderOptions, get_reporter
from venvguard.selection import resolve_selection


def _codes(value: str) -> list[str]:
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    for code in codes:
        check_code_selector(code, argparse.ArgumentTypeError)
    return codes


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``check`` and ``audit``."""
    rules = parser.add_argument_group("rule selection")
    rules.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="only these codes or prefixes (VG3, VG301, ALL)",
    )
    rules.add_argument(
        "--extend-select", type=_codes, metavar="CODES", default=[], help="add to the selection"
    )
    rules.add_argument(
        "--ignore",
        type=_codes,
        metavar="CODES",
        default=[],
        help="leave out these codes or prefixes",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format", choices=sorted(FORMATS), default=None, help="output format (default: text)"
    )
    out.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    out.add_argument(
        "--quiet", "-q", action="store_true", help="print findings only, no summary when clean"
    )
    out.add_argument("--no-color", action="store_true", help="never colour the text output")
    run = parser.add_argument_group("behaviour")
    run.add_argument(
        "--config", type=Path, metavar="FILE", help="venvguard.toml or pyproject.toml to use"
    )
    run.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings fail")
    run.add_argument("--strict", action="store_true", default=None, help="warnings fail too")
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the verdict cache (also VENVGUARD_NO_CACHE=1)",
    )
    reqs = parser.add_argument_group("requirements (VG2)")
    reqs.add_argument(
        "--python",
        metavar="INTERPRETER_OR_VENV",
        help="environment to compare requirements against",
    )
    reqs.add_argument(
        "--require-venv",
        action="store_true",
        default=None,
        help="fail when no environment is found",
    )
    reqs.add_argument(
        "--fresh", action="store_true", help="resolve requirements from scratch (uses the network)"
    )
    reqs.add_argument("--python-version", metavar="X.Y", help="target Python for --fresh")
    reqs.add_argument("--platform", metavar="TAG", help="target platform for --fresh")
    reqs.add_argument(
        "--allow-build",
        action="store_true",
        default=None,
        help="let --fresh build sdists (runs their code)",
    )


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check a repository",
        description="Check a repository: venvs ignored (VG1), requirements frozen (VG2), "
        "no global installs (VG3). A folder means its whole repository; files limit the "
        "per-file checks (VG3) to them.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="folders or files (default: .)")
    add_check_options(parser)
    fixing = parser.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixing.add_argument(
        "--diff", action="store_true", help="show the fixes as a diff, write nothing"
    )
    parser.set_defaults(run=run)


def merged_config(args: argparse.Namespace, root: Path) -> Config:
    """The repository's configuration with the command line on top."""
    config = load_config(root, args.config)
    changes: dict[str, Any] = {}
    if args.select is not None:
        changes["select"] = tuple(args.select)
    if args.extend_select:
        changes["extend_select"] = (*config.extend_select, *args.extend_select)
    if args.ignore:
        changes["ignore"] = (*config.ignore, *args.ignore)
    for name in ("strict", "python", "require_venv"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.python is not None:
        changes["python_trusted"] = True
    fresh: dict[str, Any] = {}
    if args.python_version is not None:
        fresh["python_version"] = args.python_version
    if args.platform is not None:
        fresh["platform"] = args.platform
    if args.allow_build is not None:
        fresh["allow_build"] = args.allow_build
    if fresh:
        changes["fresh"] = config.fresh.replace(**fresh)
    changes["fresh_mode"] = bool(args.fresh)
    changes["use_cache"] = not (args.no_cache or os.environ.get("VENVGUARD_NO_CACHE"))
    return config.replace(**changes)


def _group_paths(raw_paths: list[str]) -> dict[Path, tuple[bool, list[str] | None]]:
    """Map each repository root to (is_git, files named in it or None for the whole)."""
    groups: dict[Path, tuple[bool, list[str] | None]] = {}
    by_folder: dict[str, Project] = {}  # pre-commit passes many files of few folders
    for raw in raw_paths or ["."]:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise ConfigError(f"{raw}: no such file or folder")
        folder = os.path.abspath(path if path.is_dir() else path.parent)
        project = by_folder.get(folder)
        if project is None:
            project = by_folder[folder] = Project.discover(path)
        is_git, files = groups.get(project.root, (project.is_git, []))
        if path.is_dir() and not path.is_symlink():
            files = None
        elif files is not None:
            absolute = Path(os.path.abspath(path))
            try:
                files.append(absolute.relative_to(project.root).as_posix())
            except ValueError:
                files.append(absolute.resolve().relative_to(project.root).as_posix())
        groups[project.root] = (is_git, files)
    return groups


def use_color(args: argparse.Namespace) -> bool:
    if args.no_color or os.environ.get("NO_COLOR") or args.output is not None:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and args.format in (None, "text")


def emit(args: argparse.Namespace, text: str) -> None:
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{args.output}: cannot write: {error.strerror}") from None
    else:
        sys.stdout.write(text)


def run(args: argparse.Namespace) -> int:
    if args.fix and args.diff:
        raise ConfigError("--fix and --diff do not go together: --diff only shows the fixes")
    results, strict = collect(args)
    if args.diff:
        from venvguard.fileio import unified_diff

        sys.stdout.write("".join(unified_diff(e) for r in results for e in r.edits))
    reporter = get_reporter(args.format or "text")
    options = RenderOptions(color=use_color(args), quiet=args.quiet, strict=strict, fixed=args.fix)
    emit(args, reporter.render(results, options))
    if args.exit_zero:
        return 0
    return 1 if any(r.failed(strict) for r in results) else 0


def collect(args: argparse.Namespace) -> tuple[list[Result], bool]:
    """Check every repository that ``args.paths`` name; also whether warnings fail."""
    results: list[Result] = []
    strict = False
    for root, (is_git, files) in _group_paths(args.paths).items():
        config = merged_config(args, root)
        strict = strict or config.strict
        selected = resolve_selection(config.select, config.extend_select, config.ignore)
        results.append(
            check_project(
                root,
                config,
                selected,
                tuple(files) if files is not None else None,
                is_git=is_git,
                fix=args.fix,
                diff=args.diff,
            )
        )
    return results, strict
