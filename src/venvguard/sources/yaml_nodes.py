"""YAML documents as PyYAML node trees, which keep every scalar's position.

``compose`` builds nodes without constructing Python objects, so custom tags such as
GitLab's ``!reference`` are harmless. A literal block scalar (``|``) is taken from the file's
own lines, so each line of the script keeps its true line and column; other scalars map
to where they start. ``${{ ... }}`` expressions are blanked to placeholders of the same
length, keeping columns.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources.snippet import Snippet, SourceError, unknown_value

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


class Source:
    """A YAML file's text and lines; positions come from marks' character offsets, because
    YAML also breaks lines at characters (``\x85``, ``\u2028``) that editors do not."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self._breaks: list[int] | None = None  # where each line's newline is

    def row(self, mark: Any) -> int:
        """The 0-based line (counted at newlines) of a mark."""
        if self._breaks is None:
            self._breaks = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._breaks, mark.index)

    def column(self, mark: Any) -> int:
        return int(mark.index) - (self.text.rfind("\n", 0, mark.index) + 1)


def compose(text: str) -> Any:
    """The root node of the first document, or ``None`` for an empty file."""
    documents = compose_all(text)
    return documents[0] if documents else None


def compose_all(text: str) -> list[Any]:
    """The root nodes of every document of a file (a GitLab component has a header first)."""
    import yaml

    try:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = Source(text).row(mark) + 1 if mark is not None else None
        raise SourceError(f"not valid YAML: {error.problem or error}", line) from None
    except yaml.YAMLError as error:
        raise SourceError(f"not valid YAML: {error}") from None


def is_mapping(node: Any) -> bool:
    return node is not None and type(node).__name__ == "MappingNode"


def is_sequence(node: Any) -> bool:
    return node is not None and type(node).__name__ == "SequenceNode"


def is_scalar(node: Any) -> bool:
    return node is not None and type(node).__name__ == "ScalarNode"


_MERGE = "tag:yaml.org,2002:merge"
_MERGE_DEPTH = 20  # merges of merges, at most (an alias may make a loop)


def items(node: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(key, value node) pairs of a mapping node with scalar keys, each key once.

    A merge key (``<<: *anchor``, ``<<: [*a, *b]``) adds the keys of the mappings it names
    that the mapping does not set itself, the first named winning, as YAML loaders do.
    """
    if not is_mapping(node):
        return
    own: dict[str, Any] = {}
    merged: list[Any] = []
    for key, value in node.value:
        if not is_scalar(key):
            continue
        if key.tag == _MERGE:
            merged.extend(value.value if is_sequence(value) else [value])
            continue
        own.pop(str(key.value), None)  # a key given twice has its last value, in its place
        own[str(key.value)] = value
    yield from own.items()
    seen = set(own)
    if depth >= _MERGE_DEPTH:
        return
    for mapping in merged:
        for name, value in items(mapping, depth + 1):
            if name not in seen:
                seen.add(name)
                yield name, value


def get(node: Any, key: str) -> Any:
    for name, value in items(node):
        if name == key:
            return value
    return None


def text_of(node: Any) -> str | None:
    return str(node.value) if is_scalar(node) else None


def env_of(node: Any, base: Mapping[str, str]) -> dict[str, str]:
    """A mapping of environment variables on top of ``base``."""
    env = dict(base)
    for name, value in items(node):
        if is_scalar(value):
            env[name] = _EXPRESSION.sub(_blank, str(value.value))
        elif is_mapping(value) and is_scalar(get(value, "value")):
            env[name] = str(get(value, "value").value)
    return env


def _blank(match: re.Match[str]) -> str:
    return "_" * len(match.group(0))


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def assignments(text: str, base: Mapping[str, str]) -> dict[str, str]:
    """``NAME=value`` words of a line such as Travis's ``env: PIP_USER=1 FOO="a b"``."""
    import shlex

    env = dict(base)
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        words = text.split()
    for word in words:
        if _ASSIGNMENT.match(word):
            name, _, value = word.partition("=")
            env[name] = value
    return env


def walk(node: Any, depth: int = 0) -> Iterator[Any]:
    """Every mapping and sequence node below ``node``, each once (anchors are shared)."""
    seen: set[int] = set()
    stack = [(node, depth)]
    while stack:
        current, level = stack.pop()
        if level > 60 or id(current) in seen:
            continue
        if is_mapping(current):
            seen.add(id(current))
            yield current
            stack.extend((value, level + 1) for _, value in reversed(current.value))
        elif is_sequence(current):
            seen.add(id(current))
            yield current
            stack.extend((value, level + 1) for value in reversed(current.value))


def script(node: Any, source: Source, dialect: str = "bash", **extra: Any) -> Snippet | None:
    """The snippet of a scalar node's text, with the positions of its lines."""
    if not is_scalar(node):
        return None
    start_row = source.row(node.start_mark)
    style = node.style
    joins: tuple[tuple[int, int, int, int], ...] = ()
    if style == "|":
        first = start_row + 1
        end_row = source.row(node.end_mark)
        last = end_row if source.column(node.end_mark) == 0 else end_row + 1
        body = [line.rstrip("\r") for line in source.lines[first:last]]
        indents = [len(line) - len(line.lstrip(" ")) for line in body if line.strip()]
        indent = min(indents) if indents else 0
        text = "\n".join(line[indent:] for line in body)
        origins = tuple((first + 1 + offset, indent) for offset in range(len(body)))
    else:
        text = str(node.value)
        folded = (
            style is not None or "\n" in source.text[node.start_mark.index : node.end_mark.index]
        )
        traced = _trace(text, source, node) if folded else None
        if traced is not None:
            origins, joins = traced
        else:
            column = source.column(node.start_mark) + _properties_length(source, node)
            column += 1 if style in {"'", '"'} else 0
            count = text.count("\n") + 1
            origins = tuple((start_row + 1, column) for _ in range(count))
    blanked = _blank_templates(text, extra.get("env") or {})
    if not blanked.strip():
        return None
    written = text if blanked != text else None
    return Snippet(blanked, origins, dialect, joins=joins, written=written, **extra)


_PROPERTIES = re.compile(r"(?:[&!][^\s]*\s+)+")


def _properties_length(source: Source, node: Any) -> int:
    """How long the anchor and tag (``&install !!str``) before a scalar's text are, when the
    parser's mark points at them."""
    start = node.start_mark.index
    if source.text[start : start + 1] not in {"&", "!"}:
        return 0
    found = _PROPERTIES.match(source.text, start)
    return found.end() - start if found and "\n" not in found.group(0) else 0


def _blank_templates(text: str, env: Mapping[str, str]) -> str:
    """``${{ }}``, GitLab's ``$[[ ]]`` and CircleCI's ``<< >>`` as placeholders of their length.

    A placeholder is a shell variable (``${____}``) of a value not known here, so that
    ``sudo ${{ inputs.python }} -m pip install`` still reads as a Python running pip.
    ``${{ env.NAME }}`` of a variable of ``env`` (the step's ``env:``) reads its value.
    """
    if "${{" in text:
        text = _EXPRESSION.sub(functools.partial(_expression_value, env=env), text)
    if "$[[" in text or "<<" in text:
        text = _TEMPLATE.sub(_unknown_value, text)
    return text


def _unknown_value(match: re.Match[str]) -> str:
    return unknown_value(match.group(0))


_ENV_EXPRESSION = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _expression_value(match: re.Match[str], env: Mapping[str, str]) -> str:
    """``${{ env.NAME }}`` of a variable the step has as ``${NAME:-___}``, as long, which
    the shell reads as its value; any other expression as a value not known here."""
    named = _ENV_EXPRESSION.fullmatch(match.group(0))
    if named is None or named.group(1) not in env:
        return unknown_value(match.group(0))
    name = named.group(1)
    return "${" + name + ":-" + "_" * (len(match.group(0)) - len(name) - 5) + "}"


_TEMPLATE = re.compile(r"\$\[\[.*?\]\]|<<\s*(?:pipeline\.)?parameters\.[\w.-]+\s*>>")


def _trace(
    value: str, source: Source, node: Any
) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int, int, int], ...]] | None:
    """Where each line of a folded, plain or quoted scalar's value starts in the file.

    YAML folds line breaks of these scalars into spaces, so one line of the value may come
    from several lines of the file: the value is matched character by character against
    the file (skipping indentation, folded breaks, quote doubling and escapes), and every
    place where a line of the value moves to the next file line becomes a join.
    ``None`` when the two cannot be matched.
    """
    text = source.text
    style = node.style
    position = node.start_mark.index
    end = node.end_mark.index
    if style in {">", "|"}:
        position = text.find("\n", position, end) + 1
        if position == 0:
            return None
    elif style in {"'", '"'}:
        position += 1
    where: list[int] = []
    for char in value:
        while position < end:
            found = text[position]
            if found == char:
                break
            if found in " \t\r\n":
                if char in " \n" and found == "\n":
                    break  # a folded line break
                position += 1
            elif found == "'" and style == "'":
                position += 1
            elif found == "\\" and style == '"':
                position += 1
                if position < end and text[position] == "\n":
                    continue  # an escaped line break
                break  # the character the escape stands for
            else:
                return None
        if position >= end:
            return None
        where.append(position)
        position += 1
        if style == '"' and char != text[position - 1] and text[position - 1] in "xuU":
            position += {"x": 2, "u": 4, "U": 8}[text[position - 1]]
    lines = _Lines(text)
    origins: list[tuple[int, int]] = []
    joins: list[tuple[int, int, int, int]] = []
    row = column = 0
    previous = -2
    for index, char in enumerate(value):
        if char == "\n":
            if column == 0:
                origins.append(lines.place(where[index]))
            row, column, previous = row + 1, 0, -2
            continue
        if column == 0:
            origins.append(lines.place(where[index]))
        elif where[index] != previous + 1:
            joins.append((row, column, *lines.place(where[index])))
        previous = where[index]
        column += 1
    if column == 0:
        origins.append(lines.place(where[-1] if where else position))
    return tuple(origins), tuple(joins)


class _Lines:
    """1-based line and 0-based column of increasing character offsets, counted as it goes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = 0
        self.line = 1
        self.line_start = 0

    def place(self, index: int) -> tuple[int, int]:
        if index < self.index:
            self.index, self.line, self.line_start = 0, 1, 0
        breaks = self.text.count("\n", self.index, index)
        if breaks:
            self.line += breaks
            self.line_start = self.text.rfind("\n", self.index, index) + 1
        self.index = index
        return self.line, index - self.line_start


_SHELLS = {
    "bash": "bash",
    "sh": "bash",
    "zsh": "bash",
    "dash": "bash",
    "ksh": "bash",
    "msys2": "bash",  # setup-msys2's shell
    "wsl-bash": "bash",  # setup-wsl's shell
    "pwsh": "powershell",
    "powershell": "powershell",
    "cmd": "batch",
}


def dialect_of(shell: str | None, default: str = "bash") -> str | None:
    """The dialect a CI ``shell:`` names; ``None`` for one we do not read (python)."""
    if not shell or not shell.split() or "${{" in shell:
        return default
    # A runner may wrap the shell: ``pixi run -e docs bash -e {0}``, ``conda run -n x bash``.
    for word in shell.split():
        program = word.lower().replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".exe")
        if program in _SHELLS:
            return _SHELLS[program]
        if program.endswith("-shell"):
            return "bash"  # micromamba-shell and the like: bash inside an environment
        if "{0}" in program:
            break  # the script itself: what follows are its arguments
    return None


_EXPORTED = re.compile(
    r"(?:^|[\s\"'])(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\s\"'$`;|&>]*)"
    r"(?=[\s\"'|;&>]|$)"
)


def written_env(text: str, file: str) -> dict[str, str]:
    """Variables a script appends as ``NAME=value`` to the file ``$file`` names.

    GitHub's ``$GITHUB_ENV`` and CircleCI's ``$BASH_ENV`` are read again before every later
    step of the job, so what a step writes there is the environment of the steps after it.
    A line that redirects to the file writes what it echoes; a ``{ ... }`` or ``( ... )``
    group closed by that line writes what its lines echo, and a heredoc it opens writes its
    ``NAME=value`` lines. Only literal values count; a computed one cannot be known here.
    """
    found: dict[str, str] = {}
    if file not in text:
        return found
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if file not in line:
            continue
        written = [line]
        if line.lstrip().startswith(("}", ")")):
            written = _group_ending(lines, index)
        heredoc = _HEREDOC.search(line)
        if heredoc:
            for body in lines[index + 1 :]:
                if body.strip() == heredoc.group("end"):
                    break
                assignment = _HEREDOC_LINE.fullmatch(body.strip())
                if assignment:
                    found[assignment.group("name")] = assignment.group("value")
        for each in written:
            for match in _EXPORTED.finditer(each):
                if match.group("name") != file:
                    found[match.group("name")] = match.group("value")
    return found


_PATH_LINE = re.compile(
    r"\b(?:echo|printf)\s+(?:-\w+\s+)*(?P<quote>[\"']?)(?P<folder>[^\s\"'>|;&]+)(?P=quote)"
    r"\s*>>\s*[\"']?\$\{?GITHUB_PATH\b"
)


def written_path(text: str, path: str) -> str:
    """``PATH`` for the steps after a script that appends folders to ``$GITHUB_PATH``.

    GitHub puts each folder written there in front of ``PATH`` for the later steps of the
    job, the last written first; ``path`` is the ``PATH`` before this script.
    """
    if "GITHUB_PATH" not in text:
        return path
    for match in _PATH_LINE.finditer(text):
        path = f"{match.group('folder')}:{path}"
    return path


_HEREDOC = re.compile(r"<<-?\s*[\"']?(?P<end>[A-Za-z_][A-Za-z0-9_]*)")
_HEREDOC_LINE = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\s\"'$`;|&>]*)")


def _group_ending(lines: list[str], end: int) -> list[str]:
    """The lines of the ``{ ... }`` or ``( ... )`` group that line ``end`` closes."""
    depth = 0
    for index in range(end, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(("}", ")")):
            depth += 1
        opens = stripped.startswith(("{", "(")) and not stripped.endswith(("}", ")"))
        if opens or stripped.endswith((" {", " (")):
            depth -= 1
            if depth == 0:
                return lines[index : end + 1]
    return [lines[end]]
