"""pip's requirements-file format, read with the true file and line of every item.

The steps are pip's own: physical lines joined at a trailing ``\\``, comments
(``#`` at the start or after whitespace) dropped, ``${VAR}`` expanded, then each logical
line split into a requirement part and an options part at the first word starting with
``-``. Options are read like pip's ``optparse`` does (long options by unique prefix,
``--opt=value`` or ``--opt value``, short options glued to their value). ``-r`` files are
read as part of their includer, ``-c`` files as constraints; an include loop, a missing
file or a line pip would refuse is a ``Problem`` (VG206), and reading goes on.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Final

from venvguard.records import FrozenRecord, Record
from venvguard.reqs.requirement import (
    InvalidLine,
    Requirement508,
    parse_editable,
    parse_requirement,
)

_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")
_REMOTE = re.compile(r"^(http|https|file):", re.IGNORECASE)
STRONG_HASHES = ("sha256", "sha384", "sha512")
FEATURES = (
    "fast-deps",
    "inprocess-build-deps",
    "venv-isolation",
    "truststore",
    "no-binary-enable-wheel-cache",
    "build-constraint",
)


class OptionSpec(FrozenRecord):
    __slots__ = ("dest", "long", "short", "takes_value")

    dest: Final[str]
    long: Final[tuple[str, ...]]
    short: Final[str | None]
    takes_value: Final[bool]

    def __init__(
        self, dest: str, long: tuple[str, ...], short: str | None = None, takes_value: bool = True
    ) -> None:
        self.dest = dest
        self.long = long
        self.short = short
        self.takes_value = takes_value


#: The options of a requirements file, as current pip (26) defines them.
OPTIONS = (
    OptionSpec("index_url", ("--index-url", "--pypi-url"), "-i"),
    OptionSpec("extra_index_urls", ("--extra-index-url",)),
    OptionSpec("no_index", ("--no-index",), takes_value=False),
    OptionSpec("constraints", ("--constraint",), "-c"),
    OptionSpec("requirements", ("--requirement",), "-r"),
    OptionSpec("editables", ("--editable",), "-e"),
    OptionSpec("find_links", ("--find-links",), "-f"),
    OptionSpec("no_binary", ("--no-binary",)),
    OptionSpec("only_binary", ("--only-binary",)),
    OptionSpec("prefer_binary", ("--prefer-binary",), takes_value=False),
    OptionSpec("require_hashes", ("--require-hashes",), takes_value=False),
    OptionSpec("no_require_hashes", ("--no-require-hashes",), takes_value=False),
    OptionSpec("pre", ("--pre",), takes_value=False),
    OptionSpec("all_releases", ("--all-releases",)),
    OptionSpec("only_final", ("--only-final",)),
    OptionSpec("trusted_hosts", ("--trusted-host",)),
    OptionSpec("features_enabled", ("--use-feature",)),
    OptionSpec("hashes", ("--hash",)),
    OptionSpec("config_settings", ("--config-settings",), "-C"),
)
_BY_LONG = {name: spec for spec in OPTIONS for name in spec.long}
_BY_SHORT = {spec.short: spec for spec in OPTIONS if spec.short}


class Item(FrozenRecord):
    """One requirement of a lock: where it is written and what it means.

    ``line`` is the first physical line (pip's line number), ``end_line`` the last one of
    a ``\\``-continued line; ``column`` is 1-based. ``text`` is the requirement part as
    pip sees it (after comments and continuations).
    """

    __slots__ = (
        "path",
        "line",
        "end_line",
        "column",
        "text",
        "requirement",
        "hashes",
        "constraint",
    )

    path: Final[str]
    line: Final[int]
    end_line: Final[int]
    column: Final[int]
    text: Final[str]
    requirement: Final[Requirement508]
    hashes: Final[tuple[str, ...]]
    constraint: Final[bool]

    def __init__(
        self,
        path: str,
        line: int,
        end_line: int,
        column: int,
        text: str,
        requirement: Requirement508,
        hashes: tuple[str, ...] = (),
        constraint: bool = False,
    ) -> None:
        self.path = path
        self.line = line
        self.end_line = end_line
        self.column = column
        self.text = text
        self.requirement = requirement
        self.hashes = hashes
        self.constraint = constraint

    @property
    def key(self) -> str | None:
        return self.requirement.key


class Option(FrozenRecord):
    """An option line's setting (``dest`` as pip names it) and where it was written."""

    __slots__ = ("path", "line", "dest", "value")

    path: Final[str]
    line: Final[int]
    dest: Final[str]
    value: Final[str | bool]

    def __init__(self, path: str, line: int, dest: str, value: str | bool) -> None:
        self.path = path
        self.line = line
        self.dest = dest
        self.value = value


class Problem(FrozenRecord):
    """A line pip would refuse (VG206)."""

    __slots__ = ("path", "line", "column", "message")

    path: Final[str]
    line: Final[int]
    column: Final[int]
    message: Final[str]

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message


class LockFile(Record):
    """A root requirements file with everything it includes, in pip's reading order.

    ``files`` lists every file read for this lock, the root first (paths as given to the
    reader); ``included`` and ``constraint_files`` the files reached with ``-r`` and with
    ``-c``; ``unfollowed`` the includes that could not be followed (a URL) as (path, line,
    target).
    """

    __slots__ = (
        "path",
        "items",
        "options",
        "problems",
        "files",
        "included",
        "constraint_files",
        "unfollowed",
    )

    def __init__(
        self,
        path: str,
        items: list[Item] | None = None,
        options: list[Option] | None = None,
        problems: list[Problem] | None = None,
        files: list[str] | None = None,
        included: set[str] | None = None,
        constraint_files: set[str] | None = None,
        unfollowed: list[tuple[str, int, str]] | None = None,
    ) -> None:
        self.path = path
        self.items: list[Item] = [] if items is None else items
        self.options: list[Option] = [] if options is None else options
        self.problems: list[Problem] = [] if problems is None else problems
        self.files: list[str] = [] if files is None else files
        self.included: set[str] = set() if included is None else included
        self.constraint_files: set[str] = set() if constraint_files is None else constraint_files
        self.unfollowed: list[tuple[str, int, str]] = [] if unfollowed is None else unfollowed

    @property
    def requirements(self) -> list[Item]:
        """Items that are requirements (not from ``-c`` constraint files)."""
        return [item for item in self.items if not item.constraint]


class LogicalLine(FrozenRecord):
    __slots__ = ("line", "end_line", "column", "text")

    line: Final[int]
    end_line: Final[int]
    column: Final[int]
    text: Final[str]

    def __init__(self, line: int, end_line: int, column: int, text: str) -> None:
        self.line = line
        self.end_line = end_line
        self.column = column
        self.text = text


def logical_lines(content: str) -> list[LogicalLine]:
    """pip's preprocessing: continuations joined, comments and blank lines dropped."""
    joined: list[tuple[int, int, int, str]] = []
    pending: list[str] = []
    first = 0
    physical = content.splitlines()
    places = _file_places(content)
    for number, raw in enumerate(physical, start=1):
        is_comment = _COMMENT.match(raw) is not None
        if not raw.endswith("\\") or is_comment:
            # A comment ends a continuation; the space makes sure it is stripped later.
            piece = " " + raw if is_comment else raw
            if pending:
                pending.append(piece)
                joined.append((first, number, _indent(physical[first - 1]), "".join(pending)))
                pending = []
            else:
                joined.append((number, number, _indent(raw), piece))
        else:
            if not pending:
                first = number
            pending.append(raw.strip("\\"))
    if pending:
        joined.append((first, len(physical), _indent(physical[first - 1]), "".join(pending)))
    out: list[LogicalLine] = []
    for number, end_number, indent, joined_text in joined:
        line, offset = places[number - 1]
        end_line = places[end_number - 1][0]
        column = offset + indent
        text = _COMMENT.sub("", joined_text).strip()
        if not text:
            continue
        for var, name in _ENV_VAR.findall(text):
            value = os.environ.get(name)
            if value:
                text = text.replace(var, value)
        out.append(LogicalLine(line, end_line, column, text))
    return out


def _file_places(content: str) -> list[tuple[int, int]]:
    """(file line, 0-based column) where each of ``content.splitlines()`` starts.

    pip splits lines as ``str.splitlines`` does: also at a lone ``\\r``, form feeds and
    U+2028, which editors and GitHub show inside one line. Findings must name the line a
    user sees, so positions are counted at ``\\n`` only.
    """
    places: list[tuple[int, int]] = []
    line, column = 1, 0
    for piece in content.splitlines(keepends=True):
        places.append((line, column))
        newlines = piece.count("\n")
        if newlines:
            line += newlines
            column = len(piece) - piece.rfind("\n") - 1
        else:
            column += len(piece)
    return places


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip()) + 1


def split_args_options(line: str) -> tuple[str, str]:
    """The requirement part and the options part: options start at a word with ``-``."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    return line, ""


def _match_long(name: str) -> OptionSpec:
    if name in _BY_LONG:
        return _BY_LONG[name]
    candidates = sorted(long for long in _BY_LONG if long.startswith(name))
    if len(candidates) == 1:
        return _BY_LONG[candidates[0]]
    if not candidates:
        raise InvalidLine(f"no such option: {name}")
    raise InvalidLine(f"ambiguous option: {name} ({', '.join(candidates)}?)")


def parse_options(text: str) -> list[tuple[str, str | bool]]:
    """``(dest, value)`` pairs of an options part, in order; raises ``InvalidLine``."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        raise InvalidLine(f"cannot split options: {text}") from None
    found: list[tuple[str, str | bool]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == "--":
            break
        if token.startswith("--"):
            name, equals, value = token.partition("=")
            spec = _match_long(name)
            shown = name if name in _BY_LONG else next(n for n in spec.long if n.startswith(name))
            if not spec.takes_value:
                if equals:
                    raise InvalidLine(f"{shown} option does not take a value")
                found.append((spec.dest, True))
                continue
            if not equals:
                if index >= len(tokens):
                    raise InvalidLine(f"{shown} option requires 1 argument")
                value = tokens[index]
                index += 1
            found.append((spec.dest, _checked(spec, value)))
        elif token.startswith("-") and token != "-":
            letter = token[:2]
            short = _BY_SHORT.get(letter)
            if short is None:
                raise InvalidLine(f"no such option: {letter}")
            value = token[2:]
            if not value:
                if index >= len(tokens):
                    raise InvalidLine(f"{letter} option requires 1 argument")
                value = tokens[index]
                index += 1
            found.append((short.dest, _checked(short, value)))
        # A plain word among the options: pip ignores it.
    return found


def _checked(spec: OptionSpec, value: str) -> str:
    if spec.dest == "hashes":
        algorithm, colon, _ = value.partition(":")
        if not colon:
            raise InvalidLine("--hash needs a hash name and a value, like --hash=sha256:abcd...")
        if algorithm not in STRONG_HASHES:
            raise InvalidLine(
                f"--hash algorithm {algorithm!r} is not allowed; use {', '.join(STRONG_HASHES)}"
            )
    elif spec.dest == "config_settings" and "=" not in value:
        raise InvalidLine("--config-settings needs KEY=VALUE")
    elif spec.dest == "features_enabled" and value not in FEATURES:
        raise InvalidLine(f"--use-feature: unknown feature {value!r}")
    elif spec.dest in ("no_binary", "only_binary") and value.startswith("-"):
        raise InvalidLine(f"--{spec.dest.replace('_', '-')} requires 1 argument")
    return value


#: Reads a requirements file by path: its text, or ``None`` if it cannot be read.
Reader = Callable[[str], "str | None"]


def join_include(including: str, target: str) -> str:
    """Where ``-r target`` written in ``including`` points (pip: relative to its folder)."""
    if _REMOTE.search(target):
        return target
    joined = os.path.normpath(os.path.join(os.path.dirname(including), target))
    return joined.replace(os.sep, "/")


def parse_lock(path: str, read: Reader, base_dir: Path) -> LockFile:
    """Read the requirements file ``path`` and everything it includes."""
    lock = LockFile(path)
    _read_file(lock, path, read, base_dir, constraint=False, stack=())
    return lock


def _read_file(
    lock: LockFile,
    path: str,
    read: Reader,
    base_dir: Path,
    *,
    constraint: bool,
    stack: tuple[str, ...],
) -> bool:
    content = read(path)
    if content is None:
        return False
    lock.files.append(path)
    for logical in logical_lines(content):
        args, options_text = split_args_options(logical.text)
        try:
            options = parse_options(options_text)
        except InvalidLine as error:
            lock.problems.append(Problem(path, logical.line, logical.column, str(error)))
            continue
        values: dict[str, list[str | bool]] = {}
        for dest, value in options:
            values.setdefault(dest, []).append(value)
        hashes = tuple(str(v) for v in values.get("hashes", ()))
        try:
            if args and "editables" in values:
                # pip: `name -e x` is an editable whose target is the line's own `name`
                text = args.strip()
                requirement = parse_editable(text, base_dir)
                hashes = ()
            elif args:
                requirement = parse_requirement(args, base_dir)
                text = args.strip()
            elif "editables" in values:
                text = str(values["editables"][0])
                requirement = parse_editable(text, base_dir)
                hashes = ()
            else:
                requirement = None
        except InvalidLine as error:
            lock.problems.append(Problem(path, logical.line, logical.column, str(error)))
            continue
        if requirement is not None:
            lock.items.append(
                Item(
                    path,
                    logical.line,
                    logical.end_line,
                    logical.column,
                    text,
                    requirement,
                    hashes,
                    constraint,
                )
            )
            continue
        for dest, value in options:
            lock.options.append(Option(path, logical.line, dest, value))
        include = values.get("requirements") or values.get("constraints")
        if include:
            nested_constraint = "requirements" not in values
            _include(
                lock,
                path=path,
                logical=logical,
                target=str(include[0]),
                read=read,
                base_dir=base_dir,
                constraint=nested_constraint,
                stack=stack,
            )
    return True


def _include(
    lock: LockFile,
    *,
    path: str,
    logical: LogicalLine,
    target: str,
    read: Reader,
    base_dir: Path,
    constraint: bool,
    stack: tuple[str, ...],
) -> None:
    nested = join_include(path, target)
    if _REMOTE.search(nested) or _REMOTE.search(path):
        lock.unfollowed.append((path, logical.line, nested))
        return
    if posixpath.isabs(nested) or nested == ".." or nested.startswith("../"):
        lock.problems.append(
            Problem(
                path,
                logical.line,
                logical.column,
                f"include {target!r} is outside the repository: not read",
            )
        )
        return
    chain = (*stack, path)
    if nested in chain:
        loop = " -> ".join((*chain[chain.index(nested) :], nested))
        lock.problems.append(Problem(path, logical.line, logical.column, f"include loop: {loop}"))
        return
    (lock.constraint_files if constraint else lock.included).add(nested)
    if nested in lock.files:
        return  # already read through another include: its lines are in the lock once
    if not _read_file(lock, nested, read, base_dir, constraint=constraint, stack=chain):
        lock.problems.append(
            Problem(path, logical.line, logical.column, f"cannot open included file {target!r}")
        )
