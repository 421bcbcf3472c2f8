"""Shared pieces of the fuzz tests: hypothesis profiles and hostile-text strategies.

The default profile keeps the normal test suite quick; ``VENVGUARD_HYPOTHESIS=thorough``
(what ``python3 dev.py fuzz`` sets) runs long campaigns. Texts are built from tokens of the
format being fuzzed mixed with arbitrary characters, and with every kind of line break
Python or git might treat differently (``\\r``, ``\\r\\n``, ``\\x0b``, ``\\x85``, U+2028).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def profile(name: str, default: int, thorough: int) -> str:
    """Register ``name``'s two hypothesis profiles; the one ``VENVGUARD_HYPOTHESIS`` picks."""
    for level, examples in (("default", default), ("thorough", thorough)):
        settings.register_profile(
            f"{name}-{level}",
            max_examples=examples,
            deadline=None,
            suppress_health_check=_SUPPRESSED,
        )
    return f"{name}-" + os.environ.get("VENVGUARD_HYPOTHESIS", "default")


PROFILE = profile("fuzz", default=60, thorough=5000)

#: Line breaks and other characters that make parsers disagree about lines and columns.
AWKWARD = [
    "\n",
    "\r\n",
    "\r",
    "\\\n",
    "\t",
    " ",
    "\x0b",
    "\x0c",
    "\x85",
    "\u2028",
    "\ufeff",
    "\x1b[31m",
    "é",
    "\U0001f600",
    '"',
    "'",
    "`",
    "\\",
    "#",
    ";",
    "&&",
    "|",
    "$(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<<EOF\n",
    "EOF\n",
]

#: Words of the install commands every source is looking for.
INSTALL_WORDS = [
    "pip install requests",
    "sudo pip install -r requirements.txt",
    "python -m pip install --user x",
    "pip3 install --break-system-packages y",
    "uv pip install --system z",
    "sudo -H bash -c 'pip install a'",
    'bash -c "sudo pip install b"',
    "python3 -m venv .venv",
    ". .venv/bin/activate",
    "export PIP_USER=1",
    "setup.py install",
    "easy_install q",
    "conda activate base",
    "source venv/bin/activate",
]


def texts(tokens: list[str], max_size: int = 40) -> st.SearchStrategy[str]:
    """Texts made of ``tokens``, awkward characters and arbitrary short strings."""
    return st.lists(
        st.one_of(
            st.sampled_from(tokens),
            st.sampled_from(AWKWARD),
            st.sampled_from(INSTALL_WORDS),
            st.text(max_size=6),
        ),
        max_size=max_size,
    ).map("".join)


def line_count(text: str) -> int:
    """The lines of ``text`` as an editor (and git) counts them: ``\\n`` ends a line."""
    return text.count("\n") + 1
