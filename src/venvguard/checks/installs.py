"""VG3 checks: no sudo, user, system or unisolated package installs anywhere in a repository.

Every file of a known kind (shell scripts, Dockerfiles, Makefiles, CI configurations,
``tox.ini``, documentation, notebooks, PowerShell and batch files) that mentions an
installer at all is turned into shell snippets by its source module and read by the one
shell analyser. Each install command gives at most one finding: the most specific of the
selected rules that apply (VG301, VG303, VG304, VG302, VG305, VG307, VG306).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from venvguard.config import OutsideVenvConfig
from venvguard.context import Context
from venvguard.findings import Finding, Notice
from venvguard.rules import RULES

if TYPE_CHECKING:
    from venvguard.cache import FileVerdicts
    from venvguard.project import Project
    from venvguard.shell.analyser import Analyser
    from venvguard.sources.snippet import Snippet, SourceError

CODES = frozenset(code for code in RULES if code.startswith("VG3"))

_MAX_QUOTE = 80
_GITLAB_ROOT_FILES = (".gitlab-ci.yml", ".gitlab-ci.yaml")


def _mentions_installer(text: str) -> bool:
    """Whether ``text`` is worth parsing: it names pip, easy_install or setup.py.

    "pip" in any case (``$PIP``, ``PIP3``), but not as the start of "pipe", "pipefail" or
    "pipeline", which nearly every strict bash script holds ("pipenv" still counts). Plain
    ``str.find`` on the lowered text: a case-blind regex is many times slower here.
    """
    lowered = text.lower()
    if "easy_install" in lowered or "setup.py" in lowered:
        return True
    start = lowered.find("pip")
    while start != -1:
        if not lowered.startswith("pipe", start) or lowered.startswith("pipenv", start):
            return True
        start = lowered.find("pip", start + 4)
    return False


def run(ctx: Context) -> Iterator[Finding | Notice]:
    if not ctx.wants(*CODES):
        return
    from venvguard.sources.registry import kind_of_name, kind_of_text, needs_content

    files = ctx.paths if ctx.paths is not None else ctx.project.files
    outside = _OutsideVenv(ctx.config.install_outside_venv)
    allow = frozenset(_normalize(name) for name in ctx.config.allow_user_install)
    verdicts = _verdict_cache(ctx, allow)
    included = _gitlab_included(ctx)
    for path in files:
        kind = kind_of_name(path) or ("gitlab-ci" if path in included else None)
        if kind is None and not needs_content(path):
            continue
        source = ctx.project.read_text(path)
        text = source.text
        if kind is None:
            kind = kind_of_text(text) if text is not None else None
            if kind is None:
                continue  # not a file of ours: nothing to say about it
        if source.notice is not None:
            yield source.notice
        if text is None:
            continue
        ctx.files_checked.add(path)
        if not _mentions_installer(text):
            continue
        outside_venv = outside(kind, path)
        reads = _Included(ctx.project) if kind == "makefile" else None
        if verdicts is None:
            yield from _checked(ctx, path, kind, text, outside_venv, allow, reads)[0]
            continue
        from venvguard.cache import key_of

        content_key = key_of(kind, outside_venv, text)
        items = verdicts.get(path, content_key, reads.unchanged if reads else None)
        if items is None:
            items, complete = _checked(ctx, path, kind, text, outside_venv, allow, reads)
            if complete:  # a failure of ours is never kept as the file's verdict
                verdicts.put(path, content_key, items, reads.seen if reads else None)
        yield from items
    if verdicts is not None:
        verdicts.save()


def _gitlab_included(ctx: Context) -> frozenset[str]:
    """Files that the root GitLab CI file includes from the repository, whatever their names."""
    if not any((ctx.project.root / name).is_file() for name in _GITLAB_ROOT_FILES):
        return frozenset()
    from venvguard.sources.gitlab import included_files

    return included_files(lambda path: ctx.project.read_text(path).text, ctx.project.files)


def _verdict_cache(ctx: Context, allow: frozenset[str]) -> FileVerdicts | None:
    """Verdicts of unchanged files from earlier runs: they need no parser at all."""
    if not ctx.config.use_cache:
        return None
    from venvguard.cache import FileVerdicts

    selected = sorted(code for code in ctx.selected if code in CODES)
    return FileVerdicts("vg3", ctx.project.root, (selected, sorted(allow)))


class _Included:
    """Reads the files a Makefile includes, and keeps a digest of each for the verdict cache:
    a Makefile's verdict holds only while what it included is unchanged."""

    def __init__(self, project: Project) -> None:
        self._project = project
        self._files: frozenset[str] | None = None
        self.seen: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        text = self._text(path)
        self.seen[path] = self._digest(text)
        return text

    def _text(self, path: str) -> str | None:
        if self._files is None:
            self._files = frozenset(self._project.files)
        return self._project.read_text(path).text if path in self._files else None

    @staticmethod
    def _digest(text: str | None) -> str | None:
        from venvguard.cache import key_of

        return None if text is None else key_of(text)

    def unchanged(self, seen: Mapping[str, str | None]) -> bool:
        """Whether every file a kept verdict read still holds what it held then."""
        return all(self._digest(self._text(path)) == digest for path, digest in seen.items())


def _checked(
    ctx: Context,
    path: str,
    kind: str,
    text: str,
    outside_venv: bool,
    allow: frozenset[str],
    included: _Included | None,
) -> tuple[list[Finding | Notice], bool]:
    """What ``_check_file`` finds, and whether it finished: a bug of ours on one file is a
    notice naming it, and every other file is still checked."""
    try:
        found = list(_check_file(ctx, path, kind, text, outside_venv, allow, included))
    except Exception as error:  # never a traceback, never the whole repository lost
        reason = f"{type(error).__name__}: {error}"
        return [
            Notice(path, None, f"venvguard failed on this file ({reason}); please report it")
        ], False
    return found, True


def _check_file(
    ctx: Context,
    path: str,
    kind: str,
    text: str,
    outside_venv: bool,
    allow: frozenset[str],
    included: _Included | None,
) -> Iterator[Finding | Notice]:
    from venvguard.shell.analyser import Analyser
    from venvguard.sources.registry import KIND_NAMES, reader
    from venvguard.sources.snippet import SourceError

    def fresh_analyser() -> Analyser:
        return Analyser(outside_venv=outside_venv and ctx.wants("VG305"), allow_user=allow)

    read = reader(kind)
    if included is not None:
        from venvguard.sources import makefile

        read = functools.partial(makefile.snippets, included=included)
    analyser = fresh_analyser()
    try:
        analyser.run(read(path, text))
    except SourceError as error:
        name = KIND_NAMES.get(kind, f"{kind} file")
        yield Notice(path, error.line, f"could not read this {name} fully: {error}")
        if not analyser.hits:
            analyser = _read_up_to(error, text, lambda part: read(path, part), fresh_analyser)
    except RecursionError:
        yield Notice(path, None, "shell code nested too deeply to check fully")
    for hit in sorted(analyser.hits.values(), key=lambda h: (h.line, h.column)):
        chosen = next(((c, r) for c, r in hit.rules if ctx.wants(c)), None)
        if chosen is None:
            continue
        code, reason = chosen
        yield Finding(
            path,
            hit.line,
            hit.column,
            code,
            _message(code, reason, hit.text),
            end_line=hit.end_line,
            end_column=hit.end_column,
        )
    if analyser.too_deep:
        yield Notice(
            path,
            min(analyser.too_deep),
            "shell code nested too deeply (sh -c inside sh -c ...) was not checked",
        )
    if analyser.problems:
        line = min(analyser.problems)
        yield Notice(
            path,
            line,
            f"shell code near line {line} could not be fully parsed; the rest was checked",
        )


def _read_up_to(
    error: SourceError,
    text: str,
    read: Callable[[str], Iterable[Snippet]],
    fresh_analyser: Callable[[], Analyser],
) -> Analyser:
    """An analyser of the lines before the line a file stopped being readable at (a YAML
    file broken near its end still has its first steps): what can be found is found."""
    from venvguard.sources.snippet import SourceError

    lines = text.split("\n")
    analyser = fresh_analyser()
    for _ in range(3):  # each try may stop at an earlier line
        if error.line is None or error.line <= 1:
            break
        lines = lines[: error.line - 1]
        analyser = fresh_analyser()
        try:
            analyser.run(read("\n".join(lines)))
            break
        except SourceError as earlier:
            error = earlier
    return analyser


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _OutsideVenv:
    """Whether VG305 applies to a file: ``exclude`` globs, then ``include``, then its kind."""

    def __init__(self, config: OutsideVenvConfig) -> None:
        self.config = config
        self._include: Callable[[str], bool] | None = None
        self._exclude: Callable[[str], bool] | None = None

    def __call__(self, kind: str, path: str) -> bool:
        from venvguard.selection import GlobMatcher

        if self.config.exclude:
            self._exclude = self._exclude or GlobMatcher(self.config.exclude)
            if self._exclude(path):
                return False
        if self.config.include:
            self._include = self._include or GlobMatcher(self.config.include)
            if self._include(path):
                return True
        return bool(self.config.kinds.get(kind, False))


def _quote(text: str) -> str:
    text = " ".join(text.split()).replace("`", "'")
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 3] + "..."


def _message(code: str, reason: str, text: str) -> str:
    command = f"`{_quote(text)}`"
    if code == "VG301":
        return (
            f"{command} installs as root (via {reason}) into the system Python; create a "
            "virtual environment and install into it without root"
        )
    if code == "VG302":
        if reason == "config":
            return (
                f"{command} makes every pip install a user install; remove it and install "
                "into a virtual environment"
            )
        return (
            f"{command} installs into the user site that every project shares; install into "
            "a virtual environment instead (or use pipx for a command-line tool)"
        )
    if code == "VG303":
        how = {
            "marker": "its EXTERNALLY-MANAGED marker was removed",
            "config-file": "a pip config file written earlier turns break-system-packages on",
        }.get(reason)
        return (
            f"{command} breaks the system Python's install protection "
            f"({how or '--break-system-packages'}); install into a virtual environment instead"
        )
    if code == "VG304":
        return (
            f"{command} installs into the system interpreter ({reason}); create a virtual "
            "environment (python3 -m venv .venv or uv venv) and install into it"
        )
    if code == "VG305":
        return (
            f"{command} runs with no virtual environment in effect; create and activate one "
            "first (python3 -m venv .venv && . .venv/bin/activate) or run .venv/bin/python "
            "-m pip"
        )
    if code == "VG307":
        return (
            f"{command} installs with pip into an active conda environment; prefer conda "
            "install, or list pip packages under pip: in environment.yml"
        )
    return (
        f"{command} runs whichever pip is first on PATH; use python -m pip so the install "
        "goes to the Python you mean"
    )
