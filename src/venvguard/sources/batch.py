"""Windows batch files (``.bat``, ``.cmd``): read line by line by the batch front end."""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.sources.shell import in_conda_build
from venvguard.sources.snippet import Snippet, lines_from


def snippets(path: str, text: str) -> Iterator[Snippet]:
    yield lines_from(text, 1).replace(dialect="batch", managed=in_conda_build(path))
