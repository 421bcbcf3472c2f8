"""Dockerfiles and Containerfiles: the shell code of ``RUN``, ``CMD`` and ``ENTRYPOINT``.

A small splitter of our own (the usual parsers mangle heredocs and keep ``--mount`` flags
in the command): instructions join at the escape character (``\\``, or the one a leading
``# escape=`` directive names), comment and empty lines inside a continuation are dropped
as Docker drops them, ``RUN --flag=...`` flags are skipped, exec form (``RUN ["pip", ...]``)
is JSON, ``RUN <<EOF`` runs the heredoc body as a script, and ``COPY``/``ADD`` heredoc
bodies are data. ``ENV`` and ``ARG`` values (``PATH``, ``VIRTUAL_ENV``, ``PIP_*``) are the
environment of every later ``RUN`` of the same stage, an ``ENV`` beating an ``ARG``; they
and ``SHELL`` (which picks the dialect) go on to a stage built ``FROM`` this one.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from venvguard.shell.state import config_left, left_on_the_machine, pip_config_settings
from venvguard.sources.snippet import Snippet, SourceError

_DIRECTIVE = re.compile(r"^#\s*(escape|syntax|check)\s*=\s*(\S+)\s*$", re.IGNORECASE)
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_KEYWORD = re.compile(r"[A-Za-z]+")
_SHELL_PROGRAM = re.compile(r"^(?:/(?:usr/)?bin/)?(?:ba|da|z|k|a)?sh$")
# CMD and ENTRYPOINT run when the container starts, in the same environment as a RUN would.
_COMMANDS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
_TAKE_HEREDOCS = frozenset({"RUN", "COPY", "ADD"})
_VARIABLE = re.compile(
    r"\$(?:\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def snippets(path: str, text: str, first_line: int = 1, whole: bool = True) -> Iterator[Snippet]:
    """The ``RUN`` code of a Dockerfile; ``whole``: a file, not an example in a document,
    where a heredoc left open at the end is a ``SourceError`` once the rest is read."""
    lines = text.split("\n")
    unclosed: int | None = None  # the first line of a RUN whose heredoc never ends
    escape = "\\"
    directives_allowed = True
    stages: dict[str, _Stage] = {}
    stage = _Stage()  # before the first FROM: the global ARGs
    global_args: dict[str, str] | None = None
    triggers_env: dict[str, str] = {}  # what ONBUILD ENV sets, for the ONBUILD commands
    index = 0
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            match = _DIRECTIVE.match(stripped) if directives_allowed else None
            if match is not None and match.group(1).lower() == "escape":
                escape = match.group(2)[:1] or "\\"
            elif match is None:  # docker stops looking for them at an empty line or a comment
                directives_allowed = False
            index += 1
            continue
        directives_allowed = False
        parts = [(index, raw)]
        while _continues(parts[-1][1], escape) and index + 1 < len(lines):
            index += 1
            following = lines[index].rstrip("\r")
            if not following.strip() or following.strip().startswith("#"):
                continue
            parts.append((index, following))
        index += 1
        keyword = _keyword(stripped)
        first_column = len(raw) - len(raw.lstrip())
        onbuild = keyword == "ONBUILD"  # a trigger: it runs in the build of a child image
        if onbuild:
            rest = raw.lstrip()[len("ONBUILD") :]
            first_column += len("ONBUILD") + len(rest) - len(rest.lstrip())
            keyword = _keyword(rest.strip())
        heredocs = (
            _HEREDOC.findall(" ".join(part for _, part in parts))
            if keyword in _TAKE_HEREDOCS
            else []
        )
        bodies: list[list[tuple[int, str]]] = []
        for strip_tabs, _, delimiter in heredocs:
            body: list[tuple[int, str]] = []
            while index < len(lines):
                line = lines[index].rstrip("\r")
                index += 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
                body.append((index - 1, line))
            else:
                unclosed = unclosed or parts[0][0] + first_line
            bodies.append(body)
        if keyword == "FROM":
            if global_args is None:
                global_args = stage.args  # defaults a stage may declare again
            words = [word for word in stripped.split() if not word.startswith("--")]
            image = words[1] if len(words) > 1 else ""
            stage = _Stage(stages.get(image.lower()))
            triggers_env = {}
            if len(words) >= 4 and words[2].upper() == "AS":
                stages[words[3].lower()] = stage
            continue
        if onbuild and keyword not in _COMMANDS:
            if keyword == "ENV":
                _set_env(triggers_env, _joined(parts, escape, first_column), stage.seen())
            continue
        if keyword in {"ENV", "ARG"}:
            rest = _joined(parts, escape, first_column)
            if keyword == "ARG":
                _set_args(stage.args, rest, global_args or {}, stage.seen())
            else:
                _set_env(stage.env, rest, stage.seen())
            continue
        if keyword == "SHELL":
            stage.dialect = _dialect(_joined(parts, escape, first_column))
            continue
        if keyword in {"COPY", "ADD"} and bodies:
            destination = (_joined(parts, escape, first_column).split() or [""])[-1]
            if destination.endswith(("pip.conf", "pip.ini")):
                written = "\n".join(line for body in bodies for _, line in body)
                _leave(stage.env, config_left(pip_config_settings(written)))
        if keyword not in _COMMANDS:
            continue
        delimiters = [delimiter for _, _, delimiter in heredocs]
        yield from _run(
            parts,
            keyword=keyword,
            bodies=bodies,
            delimiters=delimiters,
            escape=escape,
            first_column=first_column,
            env={**stage.seen(), **triggers_env} if onbuild else stage.seen(),
            dialect=stage.dialect,
            first_line=first_line,
        )
        lines_run = [line for body in bodies for _, line in body]
        code = "\n".join([_joined(parts, escape, first_column), *lines_run])
        _leave(stage.env, left_on_the_machine(code))
    if unclosed is not None and whole:
        raise SourceError("a heredoc that is never closed", unclosed)


def _leave(env: dict[str, str], left: dict[str, str]) -> None:
    """Keep what a ``RUN`` or ``COPY`` left for the later ones of the stage; an ``ENV``
    value or an earlier reason stays (pip reads its variables over its config files)."""
    for name, value in left.items():
        env.setdefault(name, value)


def _keyword(line: str) -> str:
    """An instruction's name: Docker ends it at any blank, or at the escape character."""
    found = _KEYWORD.match(line)
    return found.group(0).upper() if found else ""


def _continues(line: str, escape: str) -> bool:
    return line.rstrip().endswith(escape) and not line.strip().startswith("#")


def _joined(parts: list[tuple[int, str]], escape: str, first_column: int) -> str:
    pieces = [parts[0][1][first_column:]] + [line for _, line in parts[1:]]
    cleaned = [p.rstrip()[:-1] if p.rstrip().endswith(escape) else p for p in pieces]
    joined = " ".join(piece.strip() for piece in cleaned)
    return joined[len(_keyword(joined)) :].lstrip()


def _words(rest: str) -> list[str]:
    try:
        return shlex.split(rest, posix=True)
    except ValueError:
        return rest.split()


class _Stage:
    """What the commands of a build stage see. Its ``ENV`` (and what earlier ``RUN``
    commands left), ``SHELL`` and, with BuildKit, its ``ARG`` values go on to a stage built
    ``FROM`` it; a stage from another image starts with none of them."""

    __slots__ = ("args", "dialect", "env")

    def __init__(self, parent: _Stage | None = None) -> None:
        self.env: dict[str, str] = dict(parent.env) if parent else {}
        self.args: dict[str, str] = dict(parent.args) if parent else {}
        self.dialect: str = parent.dialect if parent else "bash"

    def seen(self) -> dict[str, str]:
        """The variables a command has: an ``ENV`` always beats an ``ARG`` of its name."""
        return {**self.args, **self.env}


def _set_env(env: dict[str, str], rest: str, seen: dict[str, str]) -> None:
    """``ENV NAME=VALUE ...``: each value expanded as things were before the line."""
    words = _words(rest)
    if words and "=" not in words[0]:
        if len(words) >= 2:
            env[words[0]] = _expand(" ".join(words[1:]), seen)  # the old ENV NAME VALUE
        return
    for word in words:
        name, equals, value = word.partition("=")
        if equals:
            env[name] = _expand(value, seen)


def _set_args(
    args: dict[str, str], rest: str, global_args: dict[str, str], seen: dict[str, str]
) -> None:
    """``ARG NAME[=DEFAULT] ...``: a name without a default takes the global one, if any."""
    for word in _words(rest):
        name, equals, value = word.partition("=")
        if equals:
            args[name] = _expand(value, seen)
        elif name in global_args:
            args[name] = global_args[name]


def _expand(value: str, env: dict[str, str]) -> str:
    """``$NAME``, ``${NAME}``, and ``${NAME:-WORD}``/``${NAME:+WORD}`` (``-``/``+`` without
    the colon count an empty value as set); a name the Dockerfile never sets is unset,
    kept as written where it stands alone."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("bare")
        known = env.get(name)
        operator = match.group("op")
        if operator is None:
            return match.group(0) if known is None else known
        is_set = known is not None and (bool(known) or not operator.startswith(":"))
        if operator.endswith("-"):
            return known if is_set and known is not None else match.group("word")
        return match.group("word") if is_set else ""

    return _VARIABLE.sub(replace, value)


def _dialect(rest: str) -> str:
    try:
        program = json.loads(rest)[0].lower()
    except (ValueError, IndexError, AttributeError, TypeError):
        return "bash"
    if "powershell" in program or "pwsh" in program:
        return "powershell"
    if program.startswith("cmd"):
        return "batch"
    return "bash"


def _run(
    parts: list[tuple[int, str]],
    *,
    keyword: str,
    bodies: list[list[tuple[int, str]]],
    delimiters: list[str],
    escape: str,
    first_column: int,
    env: dict[str, str],
    dialect: str,
    first_line: int,
) -> Iterator[Snippet]:
    column = first_column + len(keyword)
    # Flags (``--mount=...``) may fill whole continuation lines before the command starts.
    while True:
        row, raw = parts[0]
        while column < len(raw) and raw[column].isspace():
            column += 1
        if raw[column:].strip() == escape and len(parts) > 1:
            parts = parts[1:]
            column = 0
            continue
        if not raw.startswith("--", column):
            break
        while column < len(raw) and not raw[column].isspace():
            column += 1
    command = raw[column:]
    snapshot = dict(env)
    if command.lstrip().startswith("["):
        joined = _joined([(row, "RUN " + command), *parts[1:]], escape, 0)
        try:
            argv = json.loads(joined)
        except ValueError:
            argv = None
        if isinstance(argv, list) and all(isinstance(word, str) for word in argv):
            yield Snippet(shlex.join(argv), ((first_line + row, column),), "bash", snapshot)
            return
    if bodies and command.lstrip().startswith("<<"):
        # ``RUN <<EOF`` runs its body; ``RUN <<A bash && <<B cat > f`` feeds each body to
        # the program after its marker, and only a shell's body is code.
        joined = " ".join([command] + [part for _, part in parts[1:]])
        for marker, body in zip(_HEREDOC.finditer(joined), bodies, strict=False):
            program = (joined[marker.end() :].split() or [""])[0]
            if (program or len(bodies) > 1) and not _SHELL_PROGRAM.match(program):
                continue  # RUN <<EOF python3: the body is not shell
            if body:
                text = "\n".join(line for _, line in body)
                rows = tuple((first_line + number, 0) for number, _ in body)
                yield Snippet(text, rows, dialect, snapshot)
        return
    lines = [command] + [line for _, line in parts[1:]]
    if dialect != "bash":
        # PowerShell and cmd have no backslash-newline: the instruction is the one line
        # Docker joins, each part placed where it is written.
        text, joins = "", []
        numbers = [row, *(number for number, _ in parts[1:])]
        for index, (number, line) in enumerate(zip(numbers, lines, strict=True)):
            if index:
                text += " "
                joins.append((0, len(text), first_line + number, 0))
            text += line.rstrip()[: -len(escape)] if index < len(lines) - 1 else line
        yield Snippet(text, ((first_line + row, column),), dialect, snapshot, joins=tuple(joins))
        return
    origins: list[tuple[int, int]] = [(first_line + row, column)]
    origins.extend((first_line + number, 0) for number, _ in parts[1:])
    # Docker joins a line ending in its escape character (spaces may follow it) to the next;
    # the shell does the same with a backslash-newline, and every line keeps its place.
    text = "\n".join(
        line.rstrip()[: -len(escape)] + "\\" if index < len(parts) - 1 else line
        for index, line in enumerate(lines)
    )
    last = parts[-1][0]
    for body, delimiter in zip(bodies, delimiters, strict=False):
        for number, line in body:
            text += "\n" + line
            origins.append((first_line + number, 0))
            last = number
        last += 1
        text += "\n" + delimiter
        origins.append((first_line + last, 0))
    yield Snippet(text, tuple(origins), dialect, snapshot)
