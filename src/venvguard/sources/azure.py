"""Azure Pipelines (``azure-pipelines.yml``, ``.azure-pipelines/*.yml``): script steps.

Steps are found wherever they are declared (``steps`` at the root, in ``jobs``, in
``stages``, in deployment strategies and step templates). ``bash:`` is bash, ``pwsh:`` and
``powershell:`` are PowerShell, and ``script:`` is cmd on a Windows pool (a ``vmImage``
naming Windows) and bash everywhere else, including a pool given by a variable. The tasks
``Bash@3``, ``CmdLine@2`` and ``PowerShell@2`` count for their inline ``script`` input.

``variables:`` (a mapping, or a list of ``name``/``value`` items) at every level above a
step are its environment, named as Azure exports them (upper case, ``.`` as ``_``), with
the variables of every ``strategy.matrix`` entry (any of them counts) and the step's
``env:``; ``##vso[task.setvariable variable=NAME]value`` written by a step is
the environment of the later steps of its job. Each step is a new shell. ``$(name)`` macros
and ``$[ ]``/``${{ }}`` expressions are replaced by placeholders of the same length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet

_STEP_KEYS = ("script", "bash", "pwsh", "powershell")
_MACRO = re.compile(r"\$\([A-Za-z_][\w.]*\)|\$\[.*?\]")
_SET_VARIABLE = re.compile(
    r"##vso\[task\.setvariable\b[^\]]*?\bvariable=(?P<name>[A-Za-z_][\w.]*)[^\]]*\]"
    r"(?P<value>[^\s\"'`;|&]*)"
)


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    yield from _walk(root, y.Source(text), {}, False, 0)


def _walk(
    node: Any, source: y.Source, env: Mapping[str, str], windows: bool, depth: int
) -> Iterator[Snippet]:
    if depth > 50:
        return
    if y.is_sequence(node):
        written: dict[str, str] = {}
        for item in node.value:
            if y.is_mapping(item) and _is_step(item):
                snippet = _step(item, source, {**env, **written}, windows)
                if snippet is not None:
                    yield snippet
                    written.update(_written(snippet.text))
            else:
                yield from _walk(item, source, env, windows, depth + 1)
        return
    if not y.is_mapping(node):
        return
    here = _variables(y.get(node, "variables"), env)
    for _, entry in y.items(y.get(y.get(node, "strategy"), "matrix")):
        here = _variables(entry, here)  # which entry a given job gets is not known here
    image = y.text_of(y.get(y.get(node, "pool"), "vmImage"))
    if image is not None and not image.startswith("$"):
        windows = _is_windows(image)
    for key, value in y.items(node):
        if key not in {"variables", "pool", "parameters"}:
            yield from _walk(value, source, here, windows, depth + 1)


def _is_step(node: Any) -> bool:
    return any(y.is_scalar(y.get(node, key)) for key in (*_STEP_KEYS, "task"))


def _is_windows(image: str) -> bool:
    lowered = image.lower()
    return "win" in lowered or lowered.startswith("vs20")


def _step(node: Any, source: y.Source, env: Mapping[str, str], windows: bool) -> Snippet | None:
    script: Any = None
    dialect = "bash"
    for key in _STEP_KEYS:
        if y.is_scalar(y.get(node, key)):
            script = y.get(node, key)
            dialect = {"script": "batch" if windows else "bash", "bash": "bash"}.get(
                key, "powershell"
            )
            break
    else:
        task = (y.text_of(y.get(node, "task")) or "").split("@", 1)[0].strip().lower()
        inputs = y.get(node, "inputs")
        target = (y.text_of(y.get(inputs, "targetType")) or "inline").lower()
        if target != "inline":
            return None
        if task == "bash":
            script = y.get(inputs, "script")
        elif task == "cmdline":
            script, dialect = y.get(inputs, "script"), "batch" if windows else "bash"
        elif task == "powershell":
            script, dialect = y.get(inputs, "script"), "powershell"
        else:
            return None
    step_env = y.env_of(y.get(node, "env"), env)
    snippet = y.script(script, source, dialect, env=step_env)
    if snippet is None or ("$(" not in snippet.text and "$[" not in snippet.text):
        return snippet
    blanked = _MACRO.sub(lambda match: "_" * len(match.group(0)), snippet.text)
    if not blanked.strip("_ \n"):
        return None
    return snippet.replace(text=blanked, written=snippet.written or snippet.text)


def _variables(node: Any, base: Mapping[str, str]) -> dict[str, str]:
    """Azure's variables as the environment a script sees them in."""
    env = dict(base)
    pairs: list[tuple[str, Any]] = list(y.items(node))
    if y.is_sequence(node):
        pairs = [
            (y.text_of(y.get(item, "name")) or "", y.get(item, "value"))
            for item in node.value
            if y.is_mapping(item)
        ]
    for name, value in pairs:
        if name and y.is_scalar(value):
            env[_exported(name)] = _MACRO.sub("", str(value.value))
    return env


def _exported(name: str) -> str:
    return name.upper().replace(".", "_").replace(" ", "_")


def _written(text: str) -> dict[str, str]:
    if "##vso[" not in text:
        return {}
    return {
        _exported(match.group("name")): match.group("value")
        for match in _SET_VARIABLE.finditer(text)
    }
