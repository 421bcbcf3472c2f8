"""reStructuredText: ``code-block``/``code``/``sourcecode``/``prompt`` directives,
``parsed-literal`` and ``::`` literal blocks (the last two have no language, unless a
``highlight`` directive gave one: read as a session when they show prompts, else for the
lines that look like commands).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from venvguard.sources.docblocks import block
from venvguard.sources.snippet import Snippet

_DIRECTIVE = re.compile(
    r"^(\s*)\.\.\s+(?:code-block|code|sourcecode|prompt|parsed-literal)::\s*(\S*)"
)
_OTHER_DIRECTIVE = re.compile(r"^\s*\.\.\s+\S+::")
#: ``.. highlight:: LANG`` sets the language of the literal blocks after it, and of
#: ``code-block`` directives that name none.
_HIGHLIGHT = re.compile(r"^\s*\.\.\s+highlight::\s*(\S+)")
#: Sphinx's Python languages fall back to no highlighting when a block is not Python, so
#: they say nothing of what a block is.
_NO_LANGUAGE = frozenset({"default", "python", "python3", "py", "py3"})


def snippets(path: str, text: str) -> Iterator[Snippet]:
    lines = [line.rstrip("\r") for line in text.split("\n")]
    first = True
    highlight = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        directive = _DIRECTIVE.match(line)
        highlighting = _HIGHLIGHT.match(line)
        if highlighting is not None:
            named = highlighting.group(1).lower()
            highlight = "" if named in _NO_LANGUAGE else named
        if directive is not None:
            lang = directive.group(2).lower()
            if not lang and "parsed-literal" not in line:
                lang = highlight
        elif line.rstrip().endswith("::") and not _OTHER_DIRECTIVE.match(line) and line.strip():
            lang = highlight
        else:
            index += 1
            continue
        indent = len(line) - len(line.lstrip())
        index += 1
        while index < len(lines) and lines[index].strip().startswith(":") and directive:
            index += 1  # directive options
        content: list[str] = []
        positions: list[tuple[int, int]] = []
        block_indent: int | None = None
        while index < len(lines):
            current = lines[index]
            if current.strip():
                current_indent = len(current) - len(current.lstrip())
                if current_indent <= indent:
                    break
                if block_indent is None:
                    block_indent = current_indent
                if current_indent < block_indent:
                    break
            if block_indent is not None:
                content.append(current[block_indent:])
                positions.append((index + 1, block_indent))
            index += 1
        while content and not content[-1].strip():
            content.pop()
            positions.pop()
        for snippet in block(path, lang, content, positions):
            fresh = first or snippet.fresh
            yield snippet.replace(fresh=fresh)
            # A Dockerfile's RUN has a shell of its own: the reader's next block starts anew.
            first = snippet.fresh
