"""Markdown: fenced code blocks, also inside lists and blockquotes (markdown-it-py).

A plain document, fences at the left margin and nothing that could hide them, is read
without markdown-it (``fences``), with the same result.

A reader follows a document top to bottom in one terminal, so the blocks of a file share
one shell: a venv activated in one block is in effect in the next.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.sources.docblocks import block, language
from venvguard.sources.fences import Block, plain_blocks
from venvguard.sources.snippet import Snippet


def snippets(path: str, text: str) -> Iterator[Snippet]:
    if "```" not in text and "~~~" not in text and "\n    " not in text and "\n\t" not in text:
        return
    lines = text.split("\n")
    first = True
    for kind, opening, body, info in _code_blocks(text):
        content = body.split("\n")
        if content and content[-1] == "":
            content.pop()
        start = opening + (1 if kind == "fence" else 0)
        positions = []
        for offset, line in enumerate(content):
            raw = lines[start + offset].rstrip("\r") if start + offset < len(lines) else line
            column = len(raw) - len(line) if line and raw.endswith(line) else 0
            positions.append((start + offset + 1, column))
        lang = language(info) if kind == "fence" else ""
        for snippet in block(path, lang, content, positions):
            fresh = first or snippet.fresh
            yield snippet.replace(fresh=fresh)
            # A Dockerfile's RUN has a shell of its own: the reader's next block starts anew.
            first = snippet.fresh


def _code_blocks(text: str) -> list[Block]:
    """The fenced and indented code blocks of ``text``, as markdown-it finds them."""
    plain = plain_blocks(text)
    if plain is not None:
        return plain
    from markdown_it import MarkdownIt

    # Only block structure matters; inline parsing is most of markdown-it's time.
    return [
        Block(token.type, token.map[0], token.content, token.info)
        for token in MarkdownIt("commonmark").disable("inline").parse(text)
        if token.type in {"fence", "code_block"} and token.map is not None
    ]
