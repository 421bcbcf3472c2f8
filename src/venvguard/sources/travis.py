"""Travis CI (``.travis.yml``): the commands of every phase, at the top and in each job.

Each item of ``before_install``, ``install``, ``before_script``, ``script``,
``after_success``/``_failure``/``_script``, ``before_deploy``, ``after_deploy`` and
``before_cache`` is one command (a string, or a block of several lines), and ``deploy``
with ``provider: script`` names one too. Travis runs all phases of a job as one bash script,
so a job's commands share one shell; ``jobs.include`` (or ``matrix.include``) entries are
jobs of their own. ``os: windows`` still runs them in bash.

``env:`` is ``NAME=value`` words: ``global`` entries apply everywhere, and the variables of
every matrix entry, and of every job that declares no phase of its own (a Python version
and variables), apply to the top-level commands (which set of values a given job gets is
not known here, so any of them counts). A job's own phases get the global variables and
its own. With ``language: python`` (not on macOS or
Windows, where Travis has no Python support), commands run inside the virtualenv Travis
made, so only flags can be wrong there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.shell.pip_options import truthy
from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet

_PHASES = (
    "before_install",
    "install",
    "before_script",
    "script",
    "before_cache",
    "after_success",
    "after_failure",
    "before_deploy",
    "deploy",
    "after_deploy",
    "after_script",
)


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    if not y.is_mapping(root):
        return
    source = y.Source(text)
    env_node = y.get(root, "env")
    global_env: dict[str, str] = {}
    if not y.is_mapping(env_node):
        shared = _env(env_node, global_env, alternatives=True)
    elif any(y.get(env_node, key) is not None for key in ("global", "matrix", "jobs")):
        global_env = _env(y.get(env_node, "global"), {})
        shared = _env(y.get(env_node, "matrix") or y.get(env_node, "jobs"), global_env, True)
    else:
        shared = y.env_of(env_node, {})
        global_env = shared
    jobs = [
        job
        for key in ("jobs", "matrix")
        for job in _sequence(y.get(y.get(root, key), "include"))
        if y.is_mapping(job)
    ]
    plain = [job for job in jobs if all(y.get(job, phase) is None for phase in _PHASES)]
    plain_env = _env([y.get(job, "env") for job in plain], shared, alternatives=True)
    yield from _job(root, None, source, plain_env)
    for job in jobs:
        yield from _job(job, root, source, _env(y.get(job, "env"), global_env))


def _job(job: Any, root: Any, source: y.Source, env: Mapping[str, str]) -> Iterator[Snippet]:
    """The commands a job declares itself (a job's inherited phases are read at the top)."""
    language = _setting(job, root, "language")
    system = _setting(job, root, "os")
    managed = language == "python" and system not in {"osx", "windows"}
    first = True
    for phase in _PHASES:
        node = y.get(job, phase)
        items = _deploy_scripts(node) if phase == "deploy" else _sequence(node)
        for item in items:
            snippet = y.script(item, source, env=dict(env), managed=managed, fresh=first)
            if snippet is not None:
                yield snippet
                first = False


def _setting(job: Any, root: Any, key: str) -> str:
    value = y.text_of(y.get(job, key))
    if value is None and root is not None:
        value = y.text_of(y.get(root, key))
    return (value or "").strip().lower()


def _deploy_scripts(node: Any) -> list[Any]:
    """``script:`` of ``deploy`` entries whose provider runs a command."""
    found = []
    for entry in _sequence(node):
        if y.text_of(y.get(entry, "provider")) == "script":
            found.extend(_sequence(y.get(entry, "script")))
    return found


def _sequence(node: Any) -> list[Any]:
    """The items of a sequence node; a single node as a list of one."""
    if node is None:
        return []
    return list(node.value) if y.is_sequence(node) else [node]


def _env(node: Any, base: Mapping[str, str], alternatives: bool = False) -> dict[str, str]:
    """Variables of an ``env:`` value (``NAME=value`` strings, lists of them, or mappings),
    or of a list of such values. With ``alternatives`` each item is another job's set, and
    a value pip reads as true beats one it reads as false: some job runs with it."""
    env = dict(base)
    for item in node if isinstance(node, list) else _sequence(node):
        if isinstance(node, list):
            found = _env(item, {})
        elif y.is_scalar(item):
            found = y.assignments(str(item.value), {})
        elif y.is_mapping(item) and y.get(item, "secure") is None:
            found = y.env_of(item, {})
        else:
            continue
        for name, value in found.items():
            if not (alternatives and truthy(env.get(name)) and not truthy(value)):
                env[name] = value
    return env
