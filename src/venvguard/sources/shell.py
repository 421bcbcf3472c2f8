"""Shell scripts: the whole file is one snippet of shell code.

A conda recipe's build script (``recipe/build.sh``, ``bld.bat``) runs inside the host
environment conda-build made and activated, so its installs are in an environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from venvguard.sources.snippet import Snippet, lines_from

_CONDA_BUILD_SCRIPT = re.compile(
    r"(?:^|/)(?:[^/]*recipe[^/]*|recipes/[^/]+)/(?:build\.sh|bld\.bat)$", re.IGNORECASE
)


def in_conda_build(path: str) -> bool:
    """Whether a script is a conda recipe's build script."""
    return _CONDA_BUILD_SCRIPT.search(path) is not None


def snippets(path: str, text: str) -> Iterator[Snippet]:
    yield lines_from(text, 1).replace(managed=in_conda_build(path))
