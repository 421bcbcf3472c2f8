"""Configuration: ``[tool.venvguard]`` in ``pyproject.toml``, or a ``venvguard.toml``.

Read with ``tomllib`` (``tomli`` before 3.11) and validated strictly: an unknown key or a
value of the wrong type raises ``ConfigError`` naming the file and the key, which the CLI
turns into one line on stderr and exit status 2. Command-line options are merged on top by
the CLI with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from venvguard.records import FrozenRecord
from venvguard.rules import RULES

#: File kinds the install-outside-venv rule (VG305) can be switched on or off for.
SOURCE_KINDS: dict[str, bool] = {
    "shell": True,
    "makefile": True,
    "powershell": True,
    "batch": True,
    "dockerfile": False,
    "github-workflow": False,
    "github-action": False,
    "gitlab-ci": False,
    "circleci": False,
    "tox": False,
    "markdown": False,
    "rst": False,
    "notebook": False,
}

_CODE_PATTERN = re.compile(r"^(ALL|VG\d{0,3})$")


class ConfigError(Exception):
    """A configuration or usage problem; the message is one line meant for the user."""


class OutsideVenvConfig(FrozenRecord):
    """Where VG305 applies: per file kind, then per glob (``include`` wins over kind)."""

    __slots__ = ("exclude", "include", "kinds")

    kinds: Final[Mapping[str, bool]]
    include: Final[tuple[str, ...]]
    exclude: Final[tuple[str, ...]]

    def __init__(
        self,
        kinds: Mapping[str, bool] | None = None,
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
    ) -> None:
        self.kinds = dict(SOURCE_KINDS) if kinds is None else kinds
        self.include = include
        self.exclude = exclude


# FreshConfig and Config are still dataclasses: ``commands/check.py`` and ``commands/freeze.py``
# merge the command line with ``dataclasses.replace``. Once they call ``.replace`` instead,
# both can be ``FrozenRecord``s like the others and no run imports ``dataclasses``.
@dataclass(frozen=True)
class FreshConfig:
    """Fresh resolution (``--fresh``) settings."""

    python_version: str | None = None
    platform: str | None = None
    allow_build: bool = False

    def replace(self, **changes: Any) -> FreshConfig:
        """A copy with ``changes`` by field name."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Config:
    """Everything a run needs to know, from the config file with CLI overrides applied."""

    source: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    venv_names: tuple[str, ...] = (".venv", "venv")
    requirements: tuple[str, ...] | None = None
    python: str | None = None
    #: Whether ``python`` was named on the command line: only then may it be an interpreter
    #: that venvguard starts. From the checked repository's config it must be a venv folder.
    python_trusted: bool = False
    require_venv: bool = False
    strict: bool = False
    max_file_size: int = 10 * 1024 * 1024
    allow_user_install: tuple[str, ...] = ("pipx",)
    install_outside_venv: OutsideVenvConfig = field(default_factory=OutsideVenvConfig)
    fresh: FreshConfig = field(default_factory=FreshConfig)
    # Set from the command line only.
    fresh_mode: bool = False
    use_cache: bool = True

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` by field name (command-line options on top of the file)."""
        return dataclasses.replace(self, **changes)


class _Reader:
    """Validates one table of the config file, with messages naming file and key."""

    def __init__(self, path: Path, table: str) -> None:
        self.path = path
        self.table = table

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: [{self.table}] {key}: {problem}")

    def check_keys(self, data: Mapping[str, Any], known: list[str]) -> None:
        for key in data:
            if key not in known:
                import difflib

                hint = difflib.get_close_matches(key, known, n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                known_list = ", ".join(sorted(known))
                raise self.fail(key, f"unknown key{suffix}; known keys: {known_list}")

    def string_list(self, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of strings, got {_describe(value)}")
        return tuple(value)

    def codes(self, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        values = self.string_list(data, key)
        for value in values:
            check_code_selector(value, lambda problem: self.fail(key, problem))
        return values

    def boolean(self, data: Mapping[str, Any], key: str) -> bool:
        value = data[key]
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_describe(value)}")
        return value

    def string(self, data: Mapping[str, Any], key: str) -> str:
        value = data[key]
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_describe(value)}")
        return value

    def positive_int(self, data: Mapping[str, Any], key: str) -> int:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(key, f"expected a positive whole number, got {_describe(value)}")
        return value

    def table_of(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data[key]
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_describe(value)}")
        return value


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list" if all(isinstance(v, str) for v in value) else "a list with non-strings"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def check_code_selector(value: str, fail: Callable[[str], Exception]) -> None:
    """Raise ``fail(problem)`` unless ``value`` is ``ALL`` or a prefix of a known code."""
    if not _CODE_PATTERN.match(value) or (
        value != "ALL" and not any(code.startswith(value) for code in RULES)
    ):
        raise fail(f"unknown rule code or prefix {value!r} (see `venvguard rules`)")


_TOP_KEYS = [
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "venv-names",
    "requirements",
    "python",
    "require-venv",
    "strict",
    "max-file-size",
    "allow-user-install",
    "install-outside-venv",
    "fresh",
]


def parse_config(data: Mapping[str, Any], path: Path, table: str) -> Config:
    """Validate ``data`` (the ``[tool.venvguard]`` table) into a ``Config``."""
    reader = _Reader(path, table)
    reader.check_keys(data, _TOP_KEYS)
    values: dict[str, Any] = {"source": path}
    for key in ("select", "extend-select", "ignore"):
        if key in data:
            values[key.replace("-", "_")] = reader.codes(data, key)
    for key in ("exclude", "venv-names", "requirements", "allow-user-install"):
        if key in data:
            values[key.replace("-", "_")] = reader.string_list(data, key)
    for key in ("require-venv", "strict"):
        if key in data:
            values[key.replace("-", "_")] = reader.boolean(data, key)
    if "python" in data:
        values["python"] = reader.string(data, "python")
    if "max-file-size" in data:
        values["max_file_size"] = reader.positive_int(data, "max-file-size")
    if "per-file-ignores" in data:
        table_data = reader.table_of(data, "per-file-ignores")
        sub = _Reader(path, f"{table}.per-file-ignores")
        values["per_file_ignores"] = {glob: sub.codes(table_data, glob) for glob in table_data}
    if "install-outside-venv" in data:
        values["install_outside_venv"] = _parse_outside_venv(
            reader.table_of(data, "install-outside-venv"), path, table
        )
    if "fresh" in data:
        values["fresh"] = _parse_fresh(reader.table_of(data, "fresh"), path, table)
    return Config(**values)


def _parse_outside_venv(data: Mapping[str, Any], path: Path, table: str) -> OutsideVenvConfig:
    reader = _Reader(path, f"{table}.install-outside-venv")
    reader.check_keys(data, [*SOURCE_KINDS, "include", "exclude"])
    kinds = dict(SOURCE_KINDS)
    for kind in SOURCE_KINDS:
        if kind in data:
            kinds[kind] = reader.boolean(data, kind)
    include = reader.string_list(data, "include") if "include" in data else ()
    exclude = reader.string_list(data, "exclude") if "exclude" in data else ()
    return OutsideVenvConfig(kinds=kinds, include=include, exclude=exclude)


def _parse_fresh(data: Mapping[str, Any], path: Path, table: str) -> FreshConfig:
    reader = _Reader(path, f"{table}.fresh")
    reader.check_keys(data, ["python-version", "platform", "allow-build"])
    return FreshConfig(
        python_version=reader.string(data, "python-version") if "python-version" in data else None,
        platform=reader.string(data, "platform") if "platform" in data else None,
        allow_build=reader.boolean(data, "allow-build") if "allow-build" in data else False,
    )


def _load_toml(path: Path, needle: bytes | None = None) -> dict[str, Any]:
    """The TOML file at ``path``; ``{}`` without parsing when ``needle`` is not in it.

    Most ``pyproject.toml`` files never mention venvguard: the byte search spares every
    run in them the import of the TOML parser and the parse.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    if needle is not None and needle not in raw:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
        return data
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Find and read the configuration for the repository at ``root``.

    An explicit ``--config`` file may be a ``venvguard.toml`` (keys at the top level) or a
    ``pyproject.toml`` (keys under ``[tool.venvguard]``). Otherwise ``venvguard.toml`` at
    the root wins over ``pyproject.toml``. No file: the defaults.
    """
    candidates = (
        [explicit]
        if explicit is not None
        else [
            root / "venvguard.toml",
            root / "pyproject.toml",
        ]
    )
    for path in candidates:
        if explicit is None and not path.is_file():
            continue
        implicit_pyproject = explicit is None and path.name == "pyproject.toml"
        data = _load_toml(path, b"venvguard" if implicit_pyproject else None)
        if path.name == "pyproject.toml":
            tool = data.get("tool", {})
            section = tool.get("venvguard") if isinstance(tool, dict) else None
            if section is None:
                if explicit is not None:
                    raise ConfigError(f"{path}: has no [tool.venvguard] table")
                continue
            if not isinstance(section, dict):
                raise ConfigError(f"{path}: tool.venvguard must be a table")
            return parse_config(section, path, "tool.venvguard")
        return parse_config(data, path, "venvguard")
    return Config()


__all__ = [
    "SOURCE_KINDS",
    "Config",
    "ConfigError",
    "FreshConfig",
    "OutsideVenvConfig",
    "check_code_selector",
    "load_config",
    "parse_config",
]
