"""AppVeyor (``appveyor.yml``, ``.appveyor.yml``): the commands of every build phase.

``init``, ``install``, ``before_build``, ``build_script``, ``test_script``,
``on_success``... hold commands: a plain string runs in cmd on a Windows image and in bash
on an Ubuntu or macOS one, and ``cmd:``, ``ps:``/``pwsh:`` and ``sh:`` items name their
shell. AppVeyor keeps the environment from one command to the next, so a job's commands
share one state. Entries of ``for:`` are jobs of their own, with their own image when they
select one (``matrix: only: - image: Ubuntu``).

``environment:`` is the environment: its plain keys, ``global:``, and the variables of every
``matrix:`` entry (which entry a given job gets is not known here, so any of them counts);
``secure:`` values are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet

_PHASES = (
    "init",
    "clone_script",
    "install",
    "before_build",
    "build_script",
    "after_build",
    "before_package",
    "before_test",
    "test_script",
    "after_test",
    "before_deploy",
    "deploy_script",
    "after_deploy",
    "on_success",
    "on_failure",
    "on_finish",
)
_ITEM_SHELLS = {"cmd": "batch", "ps": "powershell", "pwsh": "powershell", "sh": "bash"}


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    if not y.is_mapping(root):
        return
    source = y.Source(text)
    env = _environment(y.get(root, "environment"), {})
    linux = _linux(y.get(root, "image"))
    yield from _job(root, source, env, linux)
    for job in _sequence(y.get(root, "for")):
        images = [
            y.get(only, "image")
            for only in _sequence(y.get(y.get(job, "matrix"), "only"))
            if y.get(only, "image") is not None
        ]
        job_linux = _linux(images[0]) if images else linux
        job_env = _environment(y.get(job, "environment"), env)
        yield from _job(job, source, job_env, job_linux)


def _job(job: Any, source: y.Source, env: Mapping[str, str], linux: bool) -> Iterator[Snippet]:
    first = True
    for phase in _PHASES:
        for item in _sequence(y.get(job, phase)):
            dialect, code = ("bash" if linux else "batch"), item
            if y.is_mapping(item):
                keys = [key for key, _ in y.items(item) if key in _ITEM_SHELLS]
                if not keys:
                    continue
                dialect, code = _ITEM_SHELLS[keys[0]], y.get(item, keys[0])
            snippet = y.script(code, source, dialect, env=dict(env), fresh=first)
            if snippet is not None:
                yield snippet
                first = False


def _linux(node: Any) -> bool:
    """Whether every image named is Ubuntu, Linux or macOS (no image: Windows)."""
    names = [str(item.value).lower() for item in _sequence(node) if y.is_scalar(item)]
    return bool(names) and all(
        any(word in name for word in ("ubuntu", "linux", "macos")) for name in names
    )


def _sequence(node: Any) -> list[Any]:
    if node is None:
        return []
    return list(node.value) if y.is_sequence(node) else [node]


def _environment(node: Any, base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    for name, value in y.items(node):
        if name == "global":
            env = _plain(value, env)
        elif name == "matrix":
            for entry in _sequence(value):
                env = _plain(entry, env)
        elif y.is_scalar(value):
            env[name] = str(value.value)
    return env


def _plain(node: Any, base: Mapping[str, str]) -> dict[str, str]:
    """Scalar variables of a mapping (``secure:`` ones are mappings, left out)."""
    env = dict(base)
    for name, value in y.items(node):
        if y.is_scalar(value):
            env[name] = str(value.value)
    return env
