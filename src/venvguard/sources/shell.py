"""Shell scripts: the whole file is one snippet of shell code."""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.sources.snippet import Snippet, lines_from


def snippets(path: str, text: str) -> Iterator[Snippet]:
    yield lines_from(text, 1)
