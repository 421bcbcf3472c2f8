"""PowerShell scripts (``.ps1``, ``.psm1``): read line by line by the PowerShell front end."""

from __future__ import annotations

from collections.abc import Iterator

from venvguard.sources.snippet import Snippet, lines_from


def snippets(path: str, text: str) -> Iterator[Snippet]:
    yield lines_from(text, 1).replace(dialect="powershell")
