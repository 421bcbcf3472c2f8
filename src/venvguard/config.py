"""Configuration: ``[tool.venvguard]`` in ``pyproject.toml``, or a ``venvguard.toml``.

Read with ``tomllib`` (``tomli`` before 3.11) and validated strictly: an unknown key or a
value of the wrong type raises ``ConfigError`` naming the file and the key, which the CLI
turns into one line on stderr and exit status 2. Command-line options are merged on top by
the CLI with ``Config.replace``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
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
    "travis": False,
    "azure-pipelines": False,
    "appveyor": False,
    "bitbucket-pipelines": False,
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


class FreshConfig(FrozenRecord):
    """Fresh resolution (``--fresh``) settings."""

    __slots__ = ("python_version", "platform", "allow_build")

    python_version: Final[str | None]
    platform: Final[str | None]
    allow_build: Final[bool]

    def __init__(
        self,
        python_version: str | None = None,
        platform: str | None = None,
        allow_build: bool = False,
    ) -> None:
        self.python_version = python_version
        self.platform = platform
        self.allow_build = allow_build


class Config(FrozenRecord):
    """Everything a run needs to know, from the config file with CLI overrides applied."""

    __slots__ = (
        "source",
        "select",
        "extend_select",
        "ignore",
        "per_file_ignores",
        "exclude",
        "venv_names",
        "requirements",
        "python",
        "python_trusted",
        "require_venv",
        "strict",
        "max_file_size",
        "allow_user_install",
        "install_outside_venv",
        "fresh",
        "fresh_mode",
        "use_cache",
    )

    source: Final[Path | None]
    select: Final[tuple[str, ...] | None]
    extend_select: Final[tuple[str, ...]]
    ignore: Final[tuple[str, ...]]
    per_file_ignores: Final[Mapping[str, tuple[str, ...]]]
    exclude: Final[tuple[str, ...]]
    venv_names: Final[tuple[str, ...]]
    requirements: Final[tuple[str, ...] | None]
    python: Final[str | None]
    #: Whether ``python`` was named on the command line: only then may it be an interpreter
    #: that venvguard starts. From the checked repository's config it must be a venv folder.
    python_trusted: Final[bool]
    require_venv: Final[bool]
    strict: Final[bool]
    max_file_size: Final[int]
    allow_user_install: Final[tuple[str, ...]]
    install_outside_venv: Final[OutsideVenvConfig]
    fresh: Final[FreshConfig]
    # Set from the command line only.
    fresh_mode: Final[bool]
    use_cache: Final[bool]

    def __init__(  # one keyword per setting, as the config file has them
        self,
        *,
        source: Path | None = None,
        select: tuple[str, ...] | None = None,
        extend_select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        per_file_ignores: Mapping[str, tuple[str, ...]] | None = None,
        exclude: tuple[str, ...] = (),
        venv_names: tuple[str, ...] = (".venv", "venv"),
        requirements: tuple[str, ...] | None = None,
        python: str | None = None,
        python_trusted: bool = False,
        require_venv: bool = False,
        strict: bool = False,
        max_file_size: int = 10 * 1024 * 1024,
        allow_user_install: tuple[str, ...] = ("pipx",),
        install_outside_venv: OutsideVenvConfig | None = None,
        fresh: FreshConfig | None = None,
        fresh_mode: bool = False,
        use_cache: bool = True,
    ) -> None:
        self.source = source
        self.select = select
        self.extend_select = extend_select
        self.ignore = ignore
        self.per_file_ignores = {} if per_file_ignores is None else per_file_ignores
        self.exclude = exclude
        self.venv_names = venv_names
        self.requirements = requirements
        self.python = python
        self.python_trusted = python_trusted
        self.require_venv = require_venv
        self.strict = strict
        self.max_file_size = max_file_size
        self.allow_user_install = allow_user_install
        self.install_outside_venv = (
            OutsideVenvConfig() if install_outside_venv is None else install_outside_venv
        )
        self.fresh = FreshConfig() if fresh is None else fresh
        self.fresh_mode = fresh_mode
        self.use_cache = use_cache


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
