"""Command-line options of pip and ``uv pip``, parsed the way the tools parse them.

pip uses ``optparse``: global options may come before or after the subcommand, a long option
may be shortened to any unique prefix (``--break-system-package``, ``--us`` is ambiguous),
``--opt=value`` and ``--opt value`` are the same, short options cluster (``-Ur req.txt``)
and take their value attached or as the next word. Environment variables ``PIP_<OPTION>``
set the same options. Only what matters for deciding where an install goes is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from venvguard.records import Record

# pip's global options that take a value.
_PIP_GLOBAL_WITH_VALUE = frozenset(
    {
        "--python",
        "--log",
        "--log-file",
        "--local-log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--trusted-host",
        "--cert",
        "--client-cert",
        "--cache-dir",
        "--use-feature",
        "--use-deprecated",
        "--keyring-provider",
        "--resume-retries",
    }
)
_PIP_GLOBAL_FLAGS = frozenset(
    {
        "--help",
        "--debug",
        "--isolated",
        "--require-virtualenv",
        "--python-only",
        "--verbose",
        "--version",
        "--quiet",
        "--no-input",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--no-color",
        "--no-python-version-warning",
    }
)
# Long options that take a value (global options and those of `install`).
_PIP_LONG_WITH_VALUE = _PIP_GLOBAL_WITH_VALUE | frozenset(
    {
        "--requirement",
        "--constraint",
        "--editable",
        "--target",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--root",
        "--prefix",
        "--src",
        "--upgrade-strategy",
        "--config-settings",
        "--global-option",
        "--install-option",
        "--no-binary",
        "--only-binary",
        "--progress-bar",
        "--root-user-action",
        "--report",
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "--group",
        "--build-option",
        "--dest",
        "--build",
        "--download",
        "--format",
        "--path",
        "--exclude",
        "--output",
    }
)
_PIP_LONG_FLAGS = _PIP_GLOBAL_FLAGS | frozenset(
    {
        "--user",
        "--no-user",  # hidden in pip's help: sets the same option as --user, to false
        "--break-system-packages",
        "--upgrade",
        "--force-reinstall",
        "--ignore-installed",
        "--ignore-requires-python",
        "--no-deps",
        "--pre",
        "--no-build-isolation",
        "--use-pep517",
        "--no-use-pep517",
        "--check-build-dependencies",
        "--compile",
        "--no-compile",
        "--no-warn-script-location",
        "--no-warn-conflicts",
        "--prefer-binary",
        "--require-hashes",
        "--dry-run",
        "--no-index",
        "--no-clean",
        "--yes",
        "--system",
        "--strict",
        "--editable-mode",
    }
)
_PIP_LONG = _PIP_LONG_WITH_VALUE | _PIP_LONG_FLAGS
_PIP_SHORT_WITH_VALUE = frozenset("rceitfCbdp")
_PIP_SHORT_NAMES = {
    "r": "--requirement",
    "c": "--constraint",
    "e": "--editable",
    "i": "--index-url",
    "t": "--target",
    "f": "--find-links",
    "C": "--config-settings",
    "U": "--upgrade",
    "I": "--ignore-installed",
    "h": "--help",
    "V": "--version",
    "q": "--quiet",
    "v": "--verbose",
    "y": "--yes",
    "d": "--dest",
    "b": "--build",
    "p": "--python",
}

# uv's `pip install`/`pip sync` options that matter, and those taking a value.
_UV_LONG_WITH_VALUE = frozenset(
    {
        "--requirement",
        "--constraint",
        "--override",
        "--editable",
        "--target",
        "--prefix",
        "--python",
        "--index-url",
        "--extra-index-url",
        "--index",
        "--default-index",
        "--find-links",
        "--python-version",
        "--python-platform",
        "--config-settings",
        "--resolution",
        "--prerelease",
        "--index-strategy",
        "--keyring-provider",
        "--reinstall-package",
        "--upgrade-package",
        "--no-binary",
        "--only-binary",
        "--link-mode",
        "--exclude-newer",
        "--cache-dir",
        "--directory",
        "--project",
        "--config-file",
        "--color",
        "--extra",
        "--group",
        "--no-build-package",
        "--no-binary-package",
        "--torch-backend",
    }
)
_UV_LONG_FLAGS = frozenset(
    {
        "--system",
        "--break-system-packages",
        "--user",
        "--upgrade",
        "--reinstall",
        "--no-deps",
        "--dry-run",
        "--help",
        "--quiet",
        "--verbose",
        "--no-cache",
        "--offline",
        "--all-extras",
        "--compile-bytecode",
        "--strict",
        "--require-hashes",
        "--no-build-isolation",
        "--native-tls",
        "--no-progress",
        "--exact",
        "--pre",
    }
)
_UV_SHORT_NAMES = {
    "r": "--requirement",
    "c": "--constraint",
    "e": "--editable",
    "p": "--python",
    "i": "--index-url",
    "f": "--find-links",
    "U": "--upgrade",
    "q": "--quiet",
    "v": "--verbose",
    "n": "--no-cache",
    "h": "--help",
    "C": "--config-settings",
}
_UV_SHORT_WITH_VALUE = frozenset("rcepifC")

_PIP: dict[str, Any] = {
    "long_with_value": _PIP_LONG_WITH_VALUE,
    "long_flags": _PIP_LONG_FLAGS,
    "short_names": _PIP_SHORT_NAMES,
    "short_with_value": _PIP_SHORT_WITH_VALUE,
}
# `pip config` has options of its own: where the setting is written, and an editor.
_PIP_CONFIG: dict[str, Any] = {
    **_PIP,
    "long_with_value": _PIP_GLOBAL_WITH_VALUE | {"--editor"},
    "long_flags": _PIP_GLOBAL_FLAGS | {"--global", "--user", "--site"},
}
_UV: dict[str, Any] = {
    "long_with_value": _UV_LONG_WITH_VALUE,
    "long_flags": _UV_LONG_FLAGS,
    "short_names": _UV_SHORT_NAMES,
    "short_with_value": _UV_SHORT_WITH_VALUE,
}

_TRUE = frozenset({"y", "yes", "t", "true", "on", "1"})


def truthy(value: str | None) -> bool:
    """Whether pip (``strtobool``) or uv would read ``value`` as true."""
    return value is not None and value.strip().lower() in _TRUE


class Options(Record):
    """What a pip-like command line says: its subcommand, options and other words."""

    __slots__ = ("subcommand", "values", "positional")

    def __init__(
        self,
        subcommand: str | None = None,
        values: dict[str, str | bool] | None = None,
        positional: list[str] | None = None,
    ) -> None:
        self.subcommand = subcommand
        self.values: dict[str, str | bool] = {} if values is None else values
        self.positional: list[str] = [] if positional is None else positional

    def flag(self, name: str) -> bool:
        return self.values.get(name) is True

    def value(self, name: str) -> str | None:
        found = self.values.get(name)
        return found if isinstance(found, str) else None


def _expand_long(option: str, known: frozenset[str]) -> str | None:
    if option in known:
        return option
    matches = [name for name in known if name.startswith(option)]
    return matches[0] if len(matches) == 1 else None


def _parse(
    args: Sequence[str],
    *,
    long_with_value: frozenset[str],
    long_flags: frozenset[str],
    short_names: Mapping[str, str],
    short_with_value: frozenset[str],
    has_subcommand: bool,
) -> Options:
    known = long_with_value | long_flags
    options = Options()
    index = 0
    only_positional = False
    while index < len(args):
        word = args[index]
        index += 1
        if only_positional or not word.startswith("-") or word == "-":
            if has_subcommand and options.subcommand is None:
                options.subcommand = word
            else:
                options.positional.append(word)
            continue
        if word == "--":
            only_positional = True
            continue
        if word.startswith("--"):
            name, equals, attached = word.partition("=")
            full = _expand_long(name, known)
            if full is None:
                continue  # unknown or ambiguous: pip would stop with an error
            if full in long_with_value:
                if equals:
                    options.values[full] = attached
                elif index < len(args):
                    options.values[full] = args[index]
                    index += 1
            elif full == "--no-user":
                options.values["--user"] = False  # the last of the two wins, as in optparse
            else:
                options.values[full] = True
            continue
        cluster = word[1:]
        for position, letter in enumerate(cluster):
            full = short_names.get(letter)
            if letter in short_with_value:
                rest = cluster[position + 1 :]
                if rest:
                    value = rest
                elif index < len(args):
                    value = args[index]
                    index += 1
                else:
                    value = ""
                if full is not None:
                    options.values[full] = value
                break
            if full is not None:
                options.values[full] = True
    return options


def parse_pip(args: Sequence[str]) -> Options:
    """Parse the words after ``pip`` (global options, subcommand, its options)."""
    options = _parse(args, **_PIP, has_subcommand=True)
    if options.subcommand == "config":
        return _parse(args, **_PIP_CONFIG, has_subcommand=True)
    return options


def parse_uv_pip(args: Sequence[str]) -> Options:
    """Parse the words after ``uv pip`` (subcommand, then its options)."""
    return _parse(args, **_UV, has_subcommand=True)


def parse_install_options(args: Sequence[str]) -> Options:
    """Parse options of an install with no subcommand word (``get-pip.py``'s arguments)."""
    return _parse(args, **_PIP, has_subcommand=False)


def env_option(env: Mapping[str, str], option: str, prefix: str = "PIP_") -> str | None:
    """The value an environment variable gives ``--option`` (``PIP_BREAK_SYSTEM_PACKAGES``)."""
    return env.get(prefix + option.lstrip("-").replace("-", "_").upper())
