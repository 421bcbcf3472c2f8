"""Markdown: fenced code blocks, also inside lists and blockquotes (markdown-it-py).

A reader follows a document top to bottom in one terminal, so the blocks of a file share
one shell: a venv activated in one block is in effect in the next.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.sources.docblocks import block, language
from venvguard.sources.snippet import Snippet


def snippets(path: str, text: str) -> Iterator[Snippet]:
    from markdown_it import MarkdownIt

    if "```" not in text and "~~~" not in text and "\n    " not in text and "\n\t" not in text:
        return
    lines = text.split("\n")
    first = True
    # Only block structure matters; inline parsing is most of markdown-it's time.
    for token in MarkdownIt("commonmark").disable("inline").parse(text):
        if token.type not in {"fence", "code_block"} or token.map is None:
            continue
        content = token.content.split("\n")
        if content and content[-1] == "":
            content.pop()
        start = token.map[0] + (1 if token.type == "fence" else 0)
        positions = []
        for offset, line in enumerate(content):
            raw = lines[start + offset].rstrip("\r") if start + offset < len(lines) else line
            column = len(raw) - len(line) if line and raw.endswith(line) else 0
            positions.append((start + offset + 1, column))
        lang = language(token.info) if token.type == "fence" else ""
        for snippet in block(path, lang, content, positions):
            yield Snippet(snippet.text, snippet.origins, snippet.dialect, snippet.env, fresh=first)
            first = False
