"""CircleCI (``.circleci/config.yml``): every ``run`` step, wherever it is declared.

Steps appear in jobs, reusable ``commands`` and orbs alike, so the whole document is
walked; ``environment:`` of a job, executor or step is the environment of the runs below,
and what a step appends to ``$BASH_ENV`` (``export NAME=value``) that of the steps after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    yield from _walk(root, y.Source(text), {}, 0)


def _walk(node: Any, source: y.Source, env: Mapping[str, str], depth: int) -> Iterator[Snippet]:
    if depth > 50:
        return
    if y.is_sequence(node):
        written: dict[str, str] = {}
        for item in node.value:
            for snippet in _walk(item, source, {**env, **written}, depth + 1):
                yield snippet
                written.update(y.written_env(snippet.text, "BASH_ENV"))
        return
    if not y.is_mapping(node):
        return
    here = y.env_of(y.get(node, "environment"), env)
    for key, value in y.items(node):
        if key == "run":
            yield from _run(value, source, here)
        elif key != "environment":
            yield from _walk(value, source, here, depth + 1)


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
