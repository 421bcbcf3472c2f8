"""tox configuration: ``commands``, ``commands_pre``/``_post`` and ``install_command`` of each
test environment. They run inside the environment tox made, so only flags (``sudo``,
``--user``, ``--break-system-packages``) can be wrong there. ``{envpython}`` and
``{envbindir}`` are the environment's own; other substitutions are left as words. A line
may start with a factor condition (``py311,linux: ``, ``!win: ``), which is not a command.
Commands of another section count where an environment substitutes them
(``{[base]commands}``).

The same sections are read in ``tox.ini``, in ``setup.cfg`` (``[tox:tox]`` and
``[testenv...]``) and in the ``legacy_tox_ini`` string of a ``pyproject.toml``'s
``[tool.tox]``, where every line keeps its number in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from venvguard.sources.snippet import Snippet

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]")
_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*[=:]\s*(?P<value>.*)$")
_REFERENCE = re.compile(r"\{\[([^\]]+)\]")
_FACTORS = re.compile(r"^[\w{}.!,-]+:\s+")
_COMMAND_KEYS = frozenset({"commands", "commands_pre", "commands_post", "install_command"})
_SUBSTITUTIONS = {
    "{envpython}": ".tox/env/bin/python",
    "{envbindir}": ".tox/env/bin",
    "{env_python}": ".tox/env/bin/python",
    "{env_bin_dir}": ".tox/env/bin",
    "{posargs}": "",
}


_LEGACY = re.compile(r"^legacy_tox_ini\s*=\s*(?P<quote>\"{3}|'{3})", re.MULTILINE)


def snippets(path: str, text: str) -> Iterator[Snippet]:
    if path.rsplit("/", 1)[-1].lower() == "pyproject.toml":
        text = _legacy_ini(text)
    referenced = frozenset(name.strip() for name in _REFERENCE.findall(text))
    section = ""
    key = ""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        header = _SECTION.match(line)
        if header is not None:
            section, key = header.group("name").strip(), ""
            continue
        if not line[0].isspace():
            match = _KEY.match(line)
            key = match.group("key") if match is not None else ""
            if match is None:
                continue
            value = match.group("value")
            column = match.start("value")
        else:
            value = line.strip()
            column = len(line) - len(line.lstrip())
        in_env = section.startswith("testenv") or section in referenced
        if not in_env or key not in _COMMAND_KEYS or not value:
            continue
        factors = _FACTORS.match(value)
        if factors is not None:
            value, column = value[factors.end() :], column + factors.end()
        stripped = value.lstrip("-! ")
        column += len(value) - len(stripped)
        for name, replacement in _SUBSTITUTIONS.items():
            stripped = stripped.replace(name, replacement)
        yield Snippet(stripped, ((number, column),), managed=True)


def _legacy_ini(text: str) -> str:
    """The ``legacy_tox_ini`` string of a ``pyproject.toml``, on the lines it has there.

    What comes before the string becomes empty lines, so every line of the result is the
    file's line of the same number.
    """
    match = _LEGACY.search(text)
    if match is None:
        return ""
    start = match.end()
    end = text.find(match.group("quote"), start)
    if end == -1:
        end = len(text)
    return "\n" * text.count("\n", 0, start) + text[start:end]
