"""GitHub Actions: ``run:`` steps of workflows and of composite actions (``action.yml``).

The shell of a step is its ``shell:``, else the job's and then the workflow's
``defaults.run.shell``, else bash (PowerShell on a Windows runner). ``env:`` at workflow,
job (and the job's ``container:``) and step level is the step's environment, with what
earlier steps of the job wrote to ``$GITHUB_ENV``, and the folders they wrote to
``$GITHUB_PATH`` in front of ``PATH``. Each step is a new shell.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet


def snippets(path: str, text: str) -> Iterator[Snippet]:
    root = y.compose(text)
    if not y.is_mapping(root):
        return
    source = y.Source(text)
    env = y.env_of(y.get(root, "env"), {})
    shell = _default_shell(root)
    runs = y.get(root, "runs")
    if y.is_mapping(runs):
        yield from _steps(y.get(runs, "steps"), source, env, shell, "bash")
    for _, job in y.items(y.get(root, "jobs")):
        container_env = y.env_of(y.get(y.get(job, "container"), "env"), env)
        job_env = y.env_of(y.get(job, "env"), container_env)
        runner = y.text_of(y.get(job, "runs-on")) or ""
        default = "powershell" if "windows" in runner.lower() else "bash"
        yield from _steps(
            y.get(job, "steps"), source, job_env, _default_shell(job) or shell, default
        )


def _default_shell(node: Any) -> str | None:
    return y.text_of(y.get(y.get(y.get(node, "defaults"), "run"), "shell"))


def _steps(
    steps: Any, source: y.Source, env: Mapping[str, str], shell: str | None, default: str
) -> Iterator[Snippet]:
    if not y.is_sequence(steps):
        return
    written: dict[str, str] = {}
    for step in steps.value:
        run = y.get(step, "run")
        if run is None:
            continue
        dialect = y.dialect_of(y.text_of(y.get(step, "shell")) or shell, default)
        if dialect is None:
            continue
        step_env = y.env_of(y.get(step, "env"), {**env, **written})
        snippet = y.script(run, source, dialect, env=step_env)
        if snippet is not None:
            yield snippet
            written.update(y.written_env(snippet.text, "GITHUB_ENV"))
            before = written.get("PATH", env.get("PATH", "$PATH"))
            if (path := y.written_path(snippet.text, before)) != before:
                written["PATH"] = path
