"""One VG2 run over a repository: locks read, environment found, each lock judged.

Local drift (the default) judges every root lock against the venv found by
``environment.locate``; a distribution is missing (VG202) only when no root lock lists it,
and that is reported on the first root lock. ``--fresh`` resolves each root lock on its
own for the target Python and platform (see ``fresh``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from venvguard.config import Config
from venvguard.findings import Finding, Notice
from venvguard.project import Project
from venvguard.records import Record
from venvguard.reqs.locks import Locks

if TYPE_CHECKING:
    from collections.abc import Mapping

    from venvguard.reqs.installed import Distribution
    from venvguard.reqs.reqfile import LockFile

STATIC_CODES = frozenset({"VG201", "VG205", "VG206"})


class Analysis(Record):
    """Findings and notices of one run, with what the fixes need.

    ``repins`` maps (path, line) of an item to the version to pin, ``additions`` a lock's
    path to the distributions to add; ``cached_files`` are the files of a verdict taken
    from the cache (no lock was parsed).
    """

    __slots__ = ("locks", "findings", "notices", "repins", "additions", "cached_files")

    def __init__(
        self,
        locks: Locks,
        findings: list[Finding] | None = None,
        notices: list[Notice] | None = None,
        repins: dict[tuple[str, int], str] | None = None,
        additions: dict[str, list[Distribution]] | None = None,
        cached_files: list[str] | None = None,
    ) -> None:
        self.locks = locks
        self.findings: list[Finding] = [] if findings is None else findings
        self.notices: list[Notice] = [] if notices is None else notices
        self.repins: dict[tuple[str, int], str] = {} if repins is None else repins
        self.additions: dict[str, list[Distribution]] = {} if additions is None else additions
        self.cached_files: list[str] = [] if cached_files is None else cached_files

    @property
    def files(self) -> list[str]:
        return self.locks.files or self.cached_files


def own_distribution(root: Path) -> str | None:
    """The normalized ``[project] name`` of the repository's pyproject.toml, if any."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str):
        return None
    from venvguard.reqs.names import canonicalize_name

    return canonicalize_name(name)


def _problems(lock: LockFile) -> list[Finding]:
    return [
        Finding(p.path, p.line, p.column, "VG206", p.message, package=None) for p in lock.problems
    ]


def analyse(
    project: Project, config: Config, wanted: frozenset[str], *, use_cache: bool = True
) -> Analysis:
    """Judge every root lock of ``project``; ``wanted`` are the selected VG2 codes.

    In fresh mode a cached verdict is used when every file is unchanged, unless
    ``use_cache`` is false (fixes need the resolution itself).
    """
    use_cache = use_cache and config.use_cache
    key = None
    drift_entry = None
    if config.fresh_mode:
        from venvguard.reqs import fresh

        key, cached = fresh.cached_verdict(project, config)
        if cached is not None and use_cache:
            return cached
    elif use_cache:
        drift_entry, cached = _cached_drift(project, config, wanted)
        if cached is not None:
            return cached
    from venvguard.reqs.locks import read_locks

    locks = read_locks(project, config.requirements)
    analysis = Analysis(locks, notices=list(locks.notices))
    if not locks.roots:
        return analysis
    for lock in locks.roots:
        analysis.findings.extend(_problems(lock))
    if config.fresh_mode:
        cacheable = fresh.judge_fresh(project, config, analysis)
        if key is not None:
            fresh.store_verdict(key, project, analysis, cacheable)
        return analysis
    _judge_drift(project, config, wanted, analysis)
    if drift_entry is not None:
        from venvguard.reqs.verdicts import save_verdict

        save_verdict(project, drift_entry, analysis)
    return analysis


def _cached_drift(
    project: Project, config: Config, wanted: frozenset[str]
) -> tuple[str | None, Analysis | None]:
    """The cache entry of this drift run, and its verdict if nothing it read has changed."""
    from venvguard.reqs.locks import candidates

    names, _ = candidates(project, config.requirements)
    if not names:
        return None, None  # nothing to judge: cheaper than any cache
    from venvguard.reqs.environment import locate
    from venvguard.reqs.verdicts import drift_key, load_verdict

    environment = locate(project.root, config.python, run_interpreter=config.python_trusted)
    entry = drift_key(project, config, wanted, names, environment) + ".json"
    return entry, load_verdict(project, entry)


def _judge_drift(
    project: Project, config: Config, wanted: frozenset[str], analysis: Analysis
) -> None:
    from venvguard.reqs.environment import locate
    from venvguard.reqs.installed import hidden_by_freeze, read_distributions
    from venvguard.reqs.judge import judge_lock

    roots = analysis.locks.roots
    environment = locate(project.root, config.python, run_interpreter=config.python_trusted)
    if environment is None:
        from venvguard.reqs.judge import judge_lock as static_judge

        for lock in roots:  # still report what needs no environment
            verdict = static_judge(
                lock, {}, _running_markers(), place="", holder="", check_missing=False
            )
            analysis.findings.extend(f for f in verdict.findings if f.code in ("VG201", "VG205"))
        message = (
            "no virtual environment found (--python, $VIRTUAL_ENV inside the repository, "
            ".venv, venv, or a root folder with pyvenv.cfg): requirements not compared"
        )
        if config.require_venv:
            analysis.findings.append(
                Finding(roots[0].path, None, None, "VG203", message + " (--require-venv)")
            )
        else:
            analysis.notices.append(Notice(roots[0].path, None, message))
        return
    shown = environment.shown(project.root)
    for note in environment.notes:
        analysis.notices.append(Notice(shown, None, note))
    distributions = read_distributions(environment.site_dirs, environment.system_dirs)
    hidden = hidden_by_freeze(environment.python_version)
    own = own_distribution(project.root)
    markers = environment.markers()
    listed_by: list[set[str]] = []
    for lock in roots:
        listed_by.append(
            {
                item.key
                for item in lock.requirements
                if item.key is not None and item.requirement.applies(markers)
            }
        )
    for index, lock in enumerate(roots):
        others = set().union(*(keys for i, keys in enumerate(listed_by) if i != index))
        verdict = judge_lock(
            lock,
            distributions,
            markers,
            place=f"installed in {shown}",
            holder=f"{shown} has",
            hidden=hidden,
            own=own,
            check_missing=index == 0,
            also_listed=others,
        )
        analysis.findings.extend(verdict.findings)
        analysis.repins.update(verdict.repins)
        analysis.additions[lock.path] = verdict.additions


def _running_markers() -> Mapping[str, str]:
    from venvguard.reqs.environment import LazyMarkers

    def compute() -> dict[str, str]:
        from packaging.markers import default_environment

        return {key: str(value) for key, value in default_environment().items()}

    return LazyMarkers(compute)
