"""GitLab CI: ``before_script``, ``script``, ``after_script`` and ``hooks`` of every job.

``before_script`` and ``script`` share one shell; ``after_script`` and the
``pre_get_sources_script`` hook get new ones. A CI/CD component's ``spec:`` header is a
document of its own before the jobs. A job
without its own ``before_script``/``after_script`` uses ``default:`` (or the old top-level
keys). ``variables:`` of the file and of the job are the environment. ``!reference`` items
point at another job's script, which is checked where it is written.

Files are GitLab CI by name (``.gitlab-ci.yml``, anything under ``.gitlab/ci/``), or because
the root file includes them from the repository (``include: local:`` and bare paths, globs
too), followed through the files they include in turn.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from venvguard.sources import yaml_nodes as y
from venvguard.sources.snippet import Snippet, SourceError

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


def _local_includes(text: str) -> list[str]:
    """The files a GitLab CI file includes from its own repository (``include: local``, or a
    bare path), as globs relative to the root; other projects, URLs and templates are not."""
    try:
        roots = y.compose_all(text)
    except SourceError:
        return []  # the file's own check says it is broken
    found: list[str] = []
    for root in roots:
        node = y.get(root, "include")
        for entry in node.value if y.is_sequence(node) else [node]:
            value = y.text_of(entry) if y.is_scalar(entry) else y.text_of(y.get(entry, "local"))
            if value and "://" not in value:
                found.append(value.strip().lstrip("/"))
    return found


def _glob_pattern(glob: str) -> re.Pattern[str]:
    """A GitLab include glob as a pattern over root-relative paths (``*`` stays in a folder,
    ``**`` crosses folders)."""
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", glob)
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def included_files(read: Callable[[str], str | None], files: Sequence[str]) -> frozenset[str]:
    """The files of ``files`` (sorted) that the root ``.gitlab-ci.yml`` includes locally, and
    that those include in turn; ``read`` gives a file's text (None when unreadable)."""
    roots = (".gitlab-ci.yml", ".gitlab-ci.yaml")
    pending = [name for name in roots if _listed(files, name)]
    seen: set[str] = set()
    while pending and len(seen) < _MOST_INCLUDING_FILES:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        text = read(path)
        if text is None or "include" not in text:
            continue
        for glob in _local_includes(text):
            pending.extend(_matching(files, glob))
    return frozenset(seen.difference(roots))


#: How many included files are followed at most: includes may loop, or fan out wildly.
_MOST_INCLUDING_FILES = 200


def _listed(files: Sequence[str], path: str) -> bool:
    index = bisect.bisect_left(files, path)
    return index < len(files) and files[index] == path


def _matching(files: Sequence[str], glob: str) -> list[str]:
    """The paths of ``files`` (sorted) that ``glob`` names, looking only where its literal
    start can be."""
    literal = re.split(r"[*?]", glob, maxsplit=1)[0]
    if literal == glob:
        return [glob] if _listed(files, glob) else []
    pattern = _glob_pattern(glob)
    found = []
    for index in range(bisect.bisect_left(files, literal), len(files)):
        path = files[index]
        if not path.startswith(literal):
            break
        if pattern.fullmatch(path):
            found.append(path)
    return found
