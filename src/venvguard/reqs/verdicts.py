"""Cached VG2 verdicts: an unchanged lock judged against unchanged inputs is not judged again.

Fresh mode keys its entries by the target and index settings (``fresh``); drift mode by the
environment's fingerprint (``drift_key``). Either way an entry records every file the
verdict read, with its digest, so a change to an included file is never served stale.
"""

from __future__ import annotations

import os
from pathlib import Path

from venvguard import memo
from venvguard.cache import (
    code_fingerprint,
    digest_of_file,
    files_unchanged,
    key_of,
    load_entry,
    store_entry,
)
from venvguard.config import Config
from venvguard.findings import Finding, Notice
from venvguard.project import Project
from venvguard.reqs.analysis import Analysis
from venvguard.reqs.environment import Environment

_PACKAGE_ENTRIES = (".dist-info", ".egg-info", ".egg-link", ".pth")


def load_verdict(project: Project, name: str) -> Analysis | None:
    data = load_entry(name)
    if data is None or not files_unchanged(project.root, data.get("files", {})):
        return None
    from venvguard.reqs.locks import Locks

    try:
        analysis = Analysis(Locks())
        analysis.findings = [Finding(**f) for f in data.get("findings", [])]
        analysis.notices = [Notice(**n) for n in data.get("notices", [])]
    except TypeError:
        return None  # written by another version of these classes
    analysis.cached_files = list(data.get("files", {}))
    return analysis


def save_verdict(project: Project, name: str, analysis: Analysis) -> None:
    files = {path: digest_of_file(project.absolute(path)) for path in analysis.locks.files}
    store_entry(
        name,
        {
            "files": files,
            "findings": [f.to_dict() for f in analysis.findings],
            "notices": [n.to_dict() for n in analysis.notices],
        },
    )


def _age(entry: os.DirEntry[str]) -> int:
    memo.note_folder(entry.path)  # a run replayed from a memo depends on it as well
    return entry.stat(follow_symlinks=False).st_mtime_ns


def _folder_fingerprint(folder: Path) -> list[tuple[str, int]] | str:
    """What ``pip freeze`` of a site folder depends on: its package entries and their age."""
    try:
        with os.scandir(folder) as entries:
            return sorted(
                (entry.name, _age(entry))
                for entry in entries
                if entry.name.endswith(_PACKAGE_ENTRIES)
            )
    except OSError:
        return "unreadable"


def drift_key(
    project: Project,
    config: Config,
    wanted: frozenset[str],
    names: list[str],
    environment: Environment | None,
) -> str:
    """The key of a drift verdict: locks, environment, configuration and venvguard itself."""
    parts: list[object] = [
        code_fingerprint(),
        sorted(wanted),
        config.requirements,
        config.require_venv,
        [(name, digest_of_file(project.absolute(name))) for name in names],
        digest_of_file(project.absolute("pyproject.toml")),  # the project's own name
    ]
    if environment is not None:
        parts.append(
            (str(environment.path), environment.python_version, environment.implementation)
        )
        parts.extend(
            (str(folder), _folder_fingerprint(folder))
            for folder in (*environment.site_dirs, *environment.system_dirs)
        )
    return "drift-" + key_of(*parts)
