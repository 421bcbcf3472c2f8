"""CircleCI (``.circleci/config.yml``): every ``run`` step, wherever it is declared.

Steps appear in jobs, reusable ``commands`` and orbs alike, so the whole document is
walked. ``environment:`` of a job, of the executor it names or of its primary ``docker``
image, and of a step is the environment of the runs below. What a step appends to
``$BASH_ENV`` (``export NAME=value``) is that of the steps after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    yield from _walk(root, _Context(y.Source(text), y.get(root, "executors")), {}, 0)


class _Context:
    __slots__ = ("source", "executors")

    def __init__(self, source: y.Source, executors: Any) -> None:
        self.source = source
        self.executors = executors  # the file's ``executors:``, by name


def _walk(node: Any, context: _Context, env: Mapping[str, str], depth: int) -> Iterator[Snippet]:
    if depth > 50:
        return
    if y.is_sequence(node):
        written: dict[str, str] = {}
        for item in node.value:
            for snippet in _walk(item, context, {**env, **written}, depth + 1):
                yield snippet
                written.update(y.written_env(snippet.text, "BASH_ENV"))
        return
    if not y.is_mapping(node):
        return
    here = y.env_of(y.get(node, "environment"), _executor_env(node, context, env))
    for key, value in y.items(node):
        if key == "run":
            yield from _run(value, context.source, here)
        elif key != "environment":
            yield from _walk(value, context, here, depth + 1)


def _executor_env(node: Any, context: _Context, env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with what a job's executor sets: the ``environment`` of the executor it names
    and of its first (primary) ``docker`` image, or of its own first image."""
    executor = y.get(node, "executor")
    name = y.text_of(y.get(executor, "name") if y.is_mapping(executor) else executor)
    definition = y.get(context.executors, name) if name else None
    found = dict(env)
    for each in (definition, node):
        docker = y.get(each, "docker")
        if y.is_sequence(docker) and docker.value:
            found = y.env_of(y.get(docker.value[0], "environment"), found)
        if each is definition:
            found = y.env_of(y.get(each, "environment"), found)
    return found


def _run(node: Any, source: y.Source, env: Mapping[str, str]) -> Iterator[Snippet]:
    if y.is_scalar(node):
        snippet = y.script(node, source, env=dict(env))
    elif y.is_mapping(node):
        dialect = y.dialect_of(y.text_of(y.get(node, "shell")))
        if dialect is None:
            return
        step_env = y.env_of(y.get(node, "environment"), env)
        snippet = y.script(y.get(node, "command"), source, dialect, env=step_env)
    else:
        return
    if snippet is not None:
        yield snippet
