"""Bitbucket Pipelines (``bitbucket-pipelines.yml``): ``script`` and ``after-script`` of steps.

Steps are found wherever they are declared: ``pipelines`` (``default``, ``branches``,
``pull-requests``, ``tags``, ``custom``), ``parallel`` groups, ``stage`` steps, and
``definitions`` whose anchors the pipelines reuse (each step is read once, where it is
written). Every item of a ``script`` is a command, and a step's commands share one bash
shell; ``after-script`` gets a new one. ``pipe:`` items run a container, not a command.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    source = y.Source(text)
    seen: set[int] = set()
    for node in y.walk(root):
        step = y.get(node, "step") if y.is_mapping(node) else None
        if not y.is_mapping(step) or id(step) in seen:
            continue
        seen.add(id(step))
        for key in ("script", "after-script"):
            items = y.get(step, key)
            if not y.is_sequence(items):
                continue
            first = True
            for item in items.value:
                snippet = y.script(item, source, fresh=first)
                if snippet is not None:
                    yield snippet
                    first = False
