"""GitLab CI: ``before_script``, ``script``, ``after_script`` and ``hooks`` of every job.

``before_script`` and ``script`` share one shell; ``after_script`` and the
``pre_get_sources_script`` hook get new ones. A CI/CD component's ``spec:`` header is a
document of its own before the jobs. A job
without its own ``before_script``/``after_script`` uses ``default:`` (or the old top-level
keys). A job takes the keys it lacks from the jobs it ``extends``. ``variables:`` of the
file (as the job's ``inherit:`` allows), of the jobs it extends and of the job are the
environment. ``!reference`` items
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
        lineage = _lineage(root, job, frozenset({name}))
        if all(_key(lineage, key) is None for key in ("script", "before_script", "run")):
            continue
        job_env = _inherited(env, job)
        for each in reversed(lineage):
            job_env = y.env_of(y.get(each, "variables"), job_env)
        hook = y.get(_key(lineage, "hooks"), "pre_get_sources_script")
        for snippet in _items(hook, source, job_env):
            yield snippet.replace(env=job_env)
        before = _key(lineage, "before_script") or before_default
        first = True
        for node in (before, _key(lineage, "script")):
            for snippet in _items(node, source, job_env):
                yield snippet.replace(env=job_env, fresh=first)
                first = False
        for snippet in _items(_key(lineage, "after_script") or after_default, source, job_env):
            yield snippet.replace(env=job_env)


def _inherited(env: Mapping[str, str], job: Any) -> dict[str, str]:
    """The file's ``variables`` a job takes, as its ``inherit: variables:`` says."""
    choice = y.get(y.get(job, "inherit"), "variables")
    if y.is_sequence(choice):
        names = {y.text_of(item) for item in choice.value}
        return {name: value for name, value in env.items() if name in names}
    if y.is_scalar(choice) and str(choice.value).lower() == "false":
        return {}
    return dict(env)


def _lineage(root: Any, job: Any, seen: frozenset[str]) -> list[Any]:
    """A job, then the jobs it ``extends``, nearest first: of several, the last one listed
    is the nearest, as its keys win."""
    found = [job]
    parents = y.get(job, "extends")
    for node in reversed(parents.value if y.is_sequence(parents) else [parents]):
        name = y.text_of(node) if y.is_scalar(node) else None
        if not name or name in seen or len(seen) >= _DEEPEST_EXTENDS:
            continue
        parent = y.get(root, name)
        if y.is_mapping(parent):
            found.extend(_lineage(root, parent, seen | {name}))
    return found


#: GitLab itself stops at eleven levels of ``extends``.
_DEEPEST_EXTENDS = 11


def _key(lineage: list[Any], key: str) -> Any:
    """A key of the nearest job of a lineage that has it."""
    return next((found for job in lineage if (found := y.get(job, key)) is not None), None)


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
