"""GitLab CI: ``before_script``, ``script``, ``after_script`` and ``hooks`` of every job.

``before_script`` and ``script`` share one shell; ``after_script`` and the
``pre_get_sources_script`` hook get new ones. A CI/CD component's ``spec:`` header is a
document of its own before the jobs. A job
without its own ``before_script``/``after_script`` uses ``default:`` (or the old top-level
keys). ``variables:`` of the file and of the job are the environment. ``!reference`` items
point at another job's script, which is checked where it is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet

_NOT_JOBS = frozenset(
    {"image", "services", "stages", "types", "variables", "include", "default", "workflow"}
    | {"cache", "before_script", "after_script", "pages_defaults", "spec"}
)


def snippets(path: str, text: str) -> Iterator[Snippet]:
    source = y.Source(text)
    for root in y.compose_all(text):
        yield from _document(root, source)


def _document(root: Any, source: y.Source) -> Iterator[Snippet]:
    if not y.is_mapping(root):
        return
    env = y.env_of(y.get(root, "variables"), {})
    default = y.get(root, "default")
    before_default = y.get(default, "before_script") or y.get(root, "before_script")
    after_default = y.get(default, "after_script") or y.get(root, "after_script")
    for name, job in y.items(root):
        if name in _NOT_JOBS or not y.is_mapping(job):
            continue
        if not any(y.get(job, key) is not None for key in ("script", "before_script", "run")):
            continue
        job_env = y.env_of(y.get(job, "variables"), env)
        hook = y.get(y.get(job, "hooks"), "pre_get_sources_script")
        for snippet in _items(hook, source, job_env):
            yield snippet.replace(env=job_env)
        before = y.get(job, "before_script") or before_default
        first = True
        for node in (before, y.get(job, "script")):
            for snippet in _items(node, source, job_env):
                yield snippet.replace(env=job_env, fresh=first)
                first = False
        for snippet in _items(y.get(job, "after_script") or after_default, source, job_env):
            yield snippet.replace(env=job_env)


def _items(node: Any, source: y.Source, env: Mapping[str, str]) -> Iterator[Snippet]:
    if node is None or getattr(node, "tag", "") == "!reference":
        return
    if y.is_scalar(node):
        snippet = y.script(node, source)
        if snippet is not None:
            yield snippet
    elif y.is_sequence(node):
        for item in node.value:
            yield from _items(item, source, env)
