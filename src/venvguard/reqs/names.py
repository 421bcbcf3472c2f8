"""Project names in their PEP 503 normal form, the key every lock line and venv entry is matched by.

packaging's ``canonicalize_name`` computes the same, but importing ``packaging.utils`` also
imports its wheel-tag module (with ``platform``, ``sysconfig`` and ``logging``): more than a
whole drift check of a plain lock costs.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")


def canonicalize_name(name: str) -> str:
    """``Foo_Bar.baz`` -> ``foo-bar-baz``, as PEP 503 defines it."""
    return _SEPARATORS.sub("-", name).lower()
