"""tox configuration: ``commands``, ``commands_pre``/``_post`` and ``install_command`` of each
test environment. They run inside the environment tox made, so only flags (``sudo``,
``--user``, ``--break-system-packages``) and the environment's ``setenv`` (``PIP_USER``)
can be wrong there; an environment without a ``setenv`` takes ``[testenv]``'s. ``{envpython}`` and
``{envbindir}`` are the environment's own; other substitutions are left as words. A line
may start with a factor condition (``py311,linux: ``, ``!win: ``), which is not a command.
A command that ends in a backslash goes on in the next line, as tox joins them.
Commands of another section count where an environment substitutes them
(``{[base]commands}``).

The same sections are read in ``tox.ini``, in ``setup.cfg`` (``[tox:tox]`` and
``[testenv...]``) and in the ``legacy_tox_ini`` string of a ``pyproject.toml``'s
``[tool.tox]``, where every line keeps its number in the file.

The native TOML form (``tox.toml``, or ``[tool.tox]`` tables of a ``pyproject.toml``) gives
each command as a list of arguments (``[["pip", "install", "x"]]``) in ``env_run_base`` and
``env.NAME``; ``{ replace = "posargs" }`` stands for its default. The file is read with
``tomllib``, which keeps no positions: each command is found again in the text as the
array that reads back to the same list, and points at its first argument.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator, Sequence

from venvguard.sources.snippet import Snippet, SourceError

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]")
#: A section header without its closing bracket: tox stops, the author meant the section.
_BROKEN_SECTION = re.compile(r"^\[(?P<name>[^\]]+)$")
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
    name = path.rsplit("/", 1)[-1].lower()
    if name == "tox.toml":
        yield from _native(text, ())
        return
    if name == "pyproject.toml":
        yield from _ini(_legacy_ini(text))
        if re.search(r"^\s*\[\s*tool\s*\.\s*tox\s*[.\]]", text, re.MULTILINE):
            yield from _native(text, ("tool", "tox"))
        return
    yield from _ini(text)


def _ini(text: str) -> Iterator[Snippet]:
    referenced = frozenset(name.strip() for name in _REFERENCE.findall(text))
    section = ""
    key = ""
    commands: list[tuple[str, Snippet]] = []  # with the section each is written in
    # each section's ``setenv``: (factor condition or "", name, value)
    settings: dict[str, list[tuple[str, str, str]]] = {}
    # A command ending in a backslash goes on in the next line, as tox joins them.
    continued: list[tuple[str, tuple[int, int]]] = []
    continued_in = ""
    broken: int | None = None  # the first section header without its closing bracket
    headless: int | None = None  # the first setting before any section header
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if continued:
            goes_on = line[:1].isspace() and bool(line.strip())
            if goes_on:
                continued.append((line.strip(), (number, len(line) - len(line.lstrip()))))
                if line.rstrip().endswith("\\"):
                    continue
            commands.append((continued_in, _joined(continued)))
            continued = []
            if goes_on:
                continue
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        header = _SECTION.match(line) or _BROKEN_SECTION.match(line.rstrip())
        if header is not None:
            section, key = header.group("name").strip(), ""
            if broken is None and header.re is _BROKEN_SECTION:
                broken = number
            continue
        if not line[0].isspace():
            match = _KEY.match(line)
            key = match.group("key") if match is not None else ""
            if match is None:
                continue
            if not section and headless is None:
                headless = number
            value = match.group("value")
            column = match.start("value")
        else:
            value = line.strip()
            column = len(line) - len(line.lstrip())
        in_env = section.startswith("testenv") or section in referenced
        factors = _FACTORS.match(value)
        if key in {"setenv", "set_env"} and in_env:
            setting = _SETTING.match(value[factors.end() :] if factors else value)
            if setting is not None:
                condition = factors.group(0).strip().rstrip(":") if factors else ""
                entry = (condition, setting["name"], setting["value"].strip())
                settings.setdefault(section, []).append(entry)
            continue
        if not in_env or key not in _COMMAND_KEYS or not value:
            continue
        if factors is not None:
            value, column = value[factors.end() :], column + factors.end()
        stripped = value.lstrip("-! ")
        column += len(value) - len(stripped)
        if stripped.rstrip().endswith("\\"):
            continued, continued_in = [(stripped, (number, column))], section
            continue
        commands.append(
            (section, Snippet(_substituted(stripped), ((number, column),), managed=True))
        )
    if continued:
        commands.append((continued_in, _joined(continued)))
    for name, snippet in commands:
        env = _setenv(name, settings)
        yield snippet.replace(env=env) if env else snippet
    if broken is not None:
        raise SourceError("a section header without its closing bracket", broken)
    if headless is not None:
        raise SourceError("a setting before any section header", headless)


def _setenv(section: str, settings: dict[str, list[tuple[str, str, str]]]) -> dict[str, str]:
    """The ``setenv`` of a section's commands. A test environment without one of its own
    takes ``[testenv]``'s; a line with a factor condition counts for a named environment
    whose factors meet it, and for ``[testenv]``'s own commands (some environment may)."""
    entries = settings.get(section)
    if entries is None:
        entries = settings.get("testenv", []) if section.startswith("testenv") else []
    name = section.partition(":")[2].strip()
    factors = set(name.split("-")) if name else None
    return {
        variable: value
        for condition, variable, value in entries
        if not condition or factors is None or _meets(condition, factors)
    }


def _meets(condition: str, factors: set[str]) -> bool:
    """Whether an environment's factors meet a condition: ``a,b`` either, ``a-b`` both,
    ``!a`` not; one with braces (``{py38,py39}-x``) is taken as met."""
    if "{" in condition:
        return True
    return any(
        all(
            (part[1:] not in factors) if part.startswith("!") else (part in factors)
            for part in alternative.split("-")
        )
        for alternative in condition.split(",")
    )


_SETTING = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<value>.*)")


def _joined(parts: Sequence[tuple[str, tuple[int, int]]]) -> Snippet:
    """One command from lines that end in a backslash, each keeping its place in the file."""
    text = "\n".join(_substituted(part) for part, _ in parts)
    return Snippet(text, tuple(origin for _, origin in parts), managed=True)


def _substituted(text: str) -> str:
    """``text`` with tox's substitutions for the environment's own paths made."""
    for name, replacement in _SUBSTITUTIONS.items():
        text = text.replace(name, replacement)
    return text


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


_NATIVE_KEYS = ("commands_pre", "commands", "commands_post")
#: The opening of an array whose first item is a string: where a command may be written.
_ARRAY_START = re.compile(r"\[\s*(?=[\"'])")
#: Longer than any command written by hand; bounds the work on a hostile file.
_LONGEST_ARRAY = 4096


def _native(text: str, table: tuple[str, ...]) -> Iterator[Snippet]:
    """The commands of a native (TOML) tox configuration under ``table``."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or _line_of_message(str(error), text)
        raise SourceError(f"not valid TOML: {str(error).split(' (at ')[0]}", line) from None
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return
    base = data.get("env_run_base")
    environments = [base]
    named = data.get("env")
    if isinstance(named, dict):
        environments.extend(named.values())
    base_env = _set_env(base, {})
    commands: list[tuple[list[object], dict[str, str]]] = []
    for environment in environments:
        if not isinstance(environment, dict):
            continue
        env = _set_env(environment, base_env)
        for key in _NATIVE_KEYS:
            listed = environment.get(key)
            if isinstance(listed, list):
                commands.extend((c, env) for c in listed if isinstance(c, list))
        if isinstance(environment.get("install_command"), list):
            commands.append((environment["install_command"], env))
    if not commands:
        return
    places = _array_places(text, tomllib.loads)
    for command, env in commands:
        words = _words(command)
        place = places.get(repr(command))
        if not words or place is None:
            continue
        yield Snippet(shlex.join(words), (place,), env=env, managed=True)


def _set_env(environment: object, base: dict[str, str]) -> dict[str, str]:
    """An environment's ``set_env`` table of strings, over ``base``."""
    table = environment.get("set_env") if isinstance(environment, dict) else None
    if not isinstance(table, dict):
        return base
    return {**base, **{k: v for k, v in table.items() if isinstance(v, str)}}


def _words(command: Sequence[object]) -> list[str]:
    words: list[str] = []
    for item in command:
        if isinstance(item, str):
            words.append(_substituted(item))
        elif isinstance(item, dict) and item.get("replace") == "posargs":
            default = item.get("default", [])
            words.extend(str(word) for word in default if isinstance(word, str | int))
        elif isinstance(item, dict) and item.get("replace") == "env":
            words.append(f"${{{item.get('name', 'UNSET')}}}")
    return words


def _array_places(
    text: str, loads: Callable[[str], dict[str, object]]
) -> dict[str, tuple[int, int]]:
    """Where each array that starts with a string is written: ``repr`` of it -> (line, column
    of its first string's first character, 0-based). The first place of an array wins."""
    places: dict[str, tuple[int, int]] = {}
    for match in _ARRAY_START.finditer(text):
        end = match.end()
        for _ in range(64):  # the array's own "]" is one of the next few, and near
            end = text.find("]", end, match.start() + _LONGEST_ARRAY)
            if end == -1:
                break
            end += 1
            try:
                value = loads("v = " + text[match.start() : end])["v"]
            except ValueError:
                continue
            line = text.count("\n", 0, match.end()) + 1
            column = match.end() - (text.rfind("\n", 0, match.end()) + 1) + 1
            places.setdefault(repr(value), (line, column))
            break
    return places


def _line_of_message(message: str, text: str) -> int | None:
    """The line a ``tomllib`` message names (Python before 3.14 gives it only in words)."""
    found = re.search(r"line (\d+)", message)
    if found is not None:
        return int(found.group(1))
    if "end of document" in message:
        return text.rstrip().count("\n") + 1
    return None
