"""Checking many repositories, in parallel processes, each outcome a plain record.

Each repository is checked with ``engine.check_project`` in a worker process (the work is
CPU-bound Python, so threads would share one core). What comes back is the check JSON
contract as a dict, or the reason the repository could not be checked: a repository that
fails never stops the others.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from venvguard.config import ConfigError


@dataclass(frozen=True)
class RepoReport:
    """The outcome for one repository: ``data`` (the check JSON contract) or ``error``."""

    root: str
    data: dict[str, Any] | None
    error: str | None = None
    failed: bool = False

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.data["findings"]) if self.data else []

    @property
    def status(self) -> str:
        """``ok``, ``fail`` (a failing finding) or ``error`` (could not be checked)."""
        if self.error is not None:
            return "error"
        return "fail" if self.failed else "ok"


def _repository_root(path: Path) -> tuple[Path, bool]:
    """The root of the repository at ``path`` and whether git manages it.

    A folder with ``.git`` that git cannot read is an error, never quietly a plain folder.
    """
    from venvguard.project import GitError, find_git_root, run_git

    if not path.is_dir():
        raise ConfigError("no such folder" if not path.exists() else "not a folder")
    if not os.path.lexists(path / ".git"):
        top = find_git_root(path)
        return (top, True) if top is not None else (path, False)
    try:
        out = run_git(path, "rev-parse", "--show-toplevel")
    except GitError as error:
        raise ConfigError(f"cannot read the git repository: {error}") from None
    return Path(os.fsdecode(out.strip())), True


def check_one(path: str, args: argparse.Namespace) -> RepoReport:
    """Check the repository at ``path``; never raises for a problem of that repository."""
    from venvguard.commands.check import merged_config
    from venvguard.engine import InternalError, check_project
    from venvguard.reporters.json_format import result_to_dict
    from venvguard.selection import resolve_selection

    try:
        root, is_git = _repository_root(Path(path))
        config = merged_config(args, root)
        selected = resolve_selection(config.select, config.extend_select, config.ignore)
        result = check_project(root, config, selected, None, is_git=is_git)
        return RepoReport(path, result_to_dict(result), failed=result.failed(config.strict))
    except (ConfigError, InternalError) as error:
        return RepoReport(path, None, str(error))
    except Exception as error:  # a bug of ours in one repository must not lose the rest
        return RepoReport(path, None, f"internal error: {type(error).__name__}: {error}")


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _preload() -> None:
    """Import what every check needs, once, so that forked workers start with it."""
    from venvguard.checks import FAMILIES
    from venvguard.commands import check
    from venvguard.reporters import json_format

    del check, json_format
    for family in FAMILIES:
        family.load()


def _pool(jobs: int) -> ProcessPoolExecutor:
    import multiprocessing

    # fork starts a worker in about a millisecond with everything already imported; it is
    # safe here (no threads yet) and on Linux only (macOS frameworks dislike it).
    if sys.platform == "linux":
        _preload()
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(jobs)


def check_all(
    paths: Sequence[str],
    args: argparse.Namespace,
    jobs: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[RepoReport]:
    """Check every repository in ``paths`` with up to ``jobs`` processes, in their order."""
    reports: dict[str, RepoReport] = {}
    total = len(paths)

    def done(report: RepoReport) -> None:
        reports[report.root] = report
        if progress is not None:
            progress(len(reports), total, report.root)

    if jobs <= 1 or total <= 2:
        for path in paths:
            done(check_one(path, args))
    else:
        # The first repository is checked here: the parsers it needs are imported once,
        # before the fork, instead of once in every worker.
        done(check_one(paths[0], args))
        rest = paths[1:]
        # The handler itself is a function of this process; workers need only the options.
        picklable = argparse.Namespace(**{k: v for k, v in vars(args).items() if k != "run"})
        with _pool(min(jobs, len(rest))) as pool:
            futures: dict[Future[RepoReport], str] = {
                pool.submit(check_one, path, picklable): path for path in rest
            }
            try:
                for future in as_completed(futures):
                    try:
                        done(future.result())
                    except Exception as error:  # the worker process itself died
                        done(RepoReport(futures[future], None, f"worker failed: {error}"))
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    return [reports[path] for path in paths]
