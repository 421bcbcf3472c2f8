"""YAML documents as PyYAML node trees, which keep every scalar's position.

``compose`` builds nodes without constructing Python objects, so custom tags such as
GitLab's ``!reference`` are harmless. A literal block scalar (``|``) is taken from the file's
own lines, so each line of the script keeps its true line and column; other scalars map
to where they start. ``${{ ... }}`` expressions are blanked to placeholders of the same
length, keeping columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from venvguard.sources.snippet import Snippet, SourceError

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


class Source:
    """A YAML file's text and lines; positions come from marks' character offsets, because
    YAML also breaks lines at characters (``\x85``, ``\u2028``) that editors do not."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")

    def row(self, mark: Any) -> int:
        """The 0-based line (counted at newlines) of a mark."""
        return self.text.count("\n", 0, mark.index)

    def column(self, mark: Any) -> int:
        return int(mark.index) - (self.text.rfind("\n", 0, mark.index) + 1)


def compose(text: str) -> Any:
    """The root node of the first document, or ``None`` for an empty file."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
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


def items(node: Any) -> Iterator[tuple[str, Any]]:
    """(key, value node) pairs of a mapping node with scalar keys."""
    if not is_mapping(node):
        return
    for key, value in node.value:
        if is_scalar(key):
            yield str(key.value), value


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


def script(node: Any, source: Source, dialect: str = "bash", **extra: Any) -> Snippet | None:
    """The snippet of a scalar node's text, with the positions of its lines."""
    if not is_scalar(node):
        return None
    start_row = source.row(node.start_mark)
    style = node.style
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
        column = source.column(node.start_mark) + (1 if style in {"'", '"'} else 0)
        count = text.count("\n") + 1
        origins = tuple((start_row + 1, column) for _ in range(count))
    text = _EXPRESSION.sub(_blank, text)
    if not text.strip():
        return None
    return Snippet(text, origins, dialect, **extra)


def dialect_of(shell: str | None, default: str = "bash") -> str | None:
    """The dialect a CI ``shell:`` names; ``None`` for one we do not read (python)."""
    if not shell:
        return default
    program = shell.split()[0].lower().rsplit("/", 1)[-1]
    if program in {"bash", "sh", "zsh", "dash", "ksh"}:
        return "bash"
    if program in {"pwsh", "powershell"}:
        return "powershell"
    if program == "cmd":
        return "batch"
    return None
