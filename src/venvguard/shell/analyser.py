"""The one analyser: commands in, install findings out.

Front ends (``bash`` for shell code on tree-sitter, ``lines`` for PowerShell and batch) walk
their syntax in execution order and hand every simple command to ``Analyser.command``,
together with the shell state and a ``Frame`` saying how the code runs (as root through
``sudo bash -c``, in a container through ``docker exec``). The analyser unwraps the command,
updates the state, recognises installs, and records a ``Hit`` with the rules that apply to
it, most specific first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, Protocol

from venvguard.records import FrozenRecord, Record
from venvguard.shell.installers import Install, Invocation, classify, stdin_install
from venvguard.shell.state import ShellState, environment_of, folder_key, venv_bin
from venvguard.shell.words import Command, Word
from venvguard.shell.wrappers import Unwrapped, basename, unwrap
from venvguard.sources.snippet import Snippet

#: Programs whose arguments are never a command run here: text to show or match, targets
#: and tasks, or a command run in a container or an environment the program makes.
_NOT_WRAPPERS = re.compile(
    r"(?:echo|printf|print|say|die|fatal|abort|git|grep|egrep|fgrep|rg|sed|awk|cat|test|\[|:|"
    r"true|false|"
    r"alias|complete|type|which|hash|whence|man|help|whatis|apropos|read|set|trap|declare|"
    r"typeset|local|export|readonly|unset|return|exit|shift|comment|todo|"
    r"write-\w+|out-\w+|select-string|sls|findstr|find|where|title|goto|"
    r"make|gmake|just|task|invoke|nox|pipx|npm|npx|yarn|pnpm|cargo|go|mvn|gradle|"
    r"singularity|apptainer|podman|buildah|nerdctl|lxc|vagrant|nix-shell|nix|guix|flatpak)$"
    r"|.*(?:log|msg|message|warn|err|debug|note|info|title|header|banner|notify|report|fail)"
)
#: A variable of unknown value in front of a command (``$STD source venv/bin/activate``):
#: a quiet-output helper or nothing, which runs the command in this shell either way.
_PREFIX_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
#: The words that can start an install handed to an unknown program.
_RUNS_INSTALLS = re.compile(
    r"(?:^|/)(?:pip[0-9.]*|python[0-9.]*|pypy[0-9.]*|py|uv|easy_install[-0-9.]*|setup\.py|"
    r"sudo|doas)$",
    re.IGNORECASE,
)
_RESERVED = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until"}
    | {"for", "in", "function", "select", "{", "}", "!", "[[", "]]", "(", ")"}
)
_WRAPPER_REACH = 8  # how far into an unknown program's arguments an install is looked for


class Positions(Protocol):
    def position(self, row: int, column: int) -> tuple[int, int]: ...


class Nested(FrozenRecord):
    """Positions of code found inside a string that starts at ``row``/``column``."""

    __slots__ = ("parent", "row", "column")

    parent: Final[Positions]
    row: Final[int]
    column: Final[int]

    def __init__(self, parent: Positions, row: int, column: int) -> None:
        self.parent = parent
        self.row = row
        self.column = column

    def position(self, row: int, column: int) -> tuple[int, int]:
        if row == 0:
            return self.parent.position(self.row, self.column + column)
        return self.parent.position(self.row + row, column)


class Frame(FrozenRecord):
    """How the code being analysed runs, inherited by code nested in it."""

    __slots__ = ("positions", "as_root", "elsewhere", "managed", "depth")

    positions: Final[Positions]
    as_root: Final[str | None]
    elsewhere: Final[str | None]
    managed: Final[str | None]
    depth: Final[int]

    def __init__(
        self,
        positions: Positions,
        as_root: str | None = None,
        elsewhere: str | None = None,
        managed: str | None = None,
        depth: int = 0,
    ) -> None:
        self.positions = positions
        self.as_root = as_root
        self.elsewhere = elsewhere
        self.managed = managed
        self.depth = depth


#: Which rule a command reports when it breaks several: the most specific first.
_PRECEDENCE = {
    code: index
    for index, code in enumerate(("VG301", "VG303", "VG304", "VG302", "VG305", "VG307", "VG306"))
}


class Hit(Record):
    """A command that breaks one or more rules; ``rules`` is (code, reason), best first."""

    __slots__ = ("line", "column", "end_line", "end_column", "text", "rules", "install")

    def __init__(
        self,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        text: str,
        rules: list[tuple[str, str]],
        install: Install | None = None,
    ) -> None:
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.text = text
        self.rules = rules
        self.install = install


#: How many levels of code in strings (``bash -c '...'``) are followed.
MAX_DEPTH = 8


class Analyser(Record):
    """Collects hits over the snippets of one file."""

    __slots__ = ("outside_venv", "allow_user", "hits", "problems", "too_deep")

    def __init__(
        self,
        outside_venv: bool = True,
        allow_user: frozenset[str] = frozenset({"pipx"}),
        hits: dict[tuple[int, int], Hit] | None = None,
        problems: list[int] | None = None,
        too_deep: list[int] | None = None,
    ) -> None:
        self.outside_venv = outside_venv  # whether VG305 applies to this file
        self.allow_user = allow_user
        self.hits: dict[tuple[int, int], Hit] = {} if hits is None else hits
        self.problems: list[int] = [] if problems is None else problems
        #: Lines of shell code nested too deeply (``sh -c`` in ``sh -c`` ...) to be read.
        self.too_deep: list[int] = [] if too_deep is None else too_deep

    def run(self, snippets: Iterable[Snippet]) -> None:
        """Analyse the snippets of one file in order, carrying state where they share a shell."""
        from venvguard.shell import bash

        state: ShellState | None = None
        for snippet in snippets:
            if state is None or snippet.fresh:
                state = ShellState.starting(snippet.env, managed=snippet.managed)
            else:
                for name, value in snippet.env.items():
                    state.assign(name, value, exported=True)
            frame = Frame(snippet, managed="venv" if snippet.managed else None)
            text, written = snippet.text, snippet.written
            if "\r" in text:
                text = text.replace("\r\n", "\n")
                written = written and written.replace("\r\n", "\n")
            if snippet.dialect == "bash":
                bash.analyse(self, text, state, frame, written)
            else:
                from venvguard.shell import lines

                lines.analyse(self, text, state, frame, snippet.dialect, written)

    def code(self, text: str, state: ShellState, frame: Frame, dialect: str = "bash") -> None:
        """Analyse shell code found in a string (``bash -c``), positioned by ``frame``."""
        if frame.depth > MAX_DEPTH:
            self.too_deep.append(frame.positions.position(0, 0)[0])
            return
        if dialect == "bash":
            from venvguard.shell import bash

            bash.analyse(self, text, state, frame)
        else:
            from venvguard.shell import lines

            lines.analyse(self, text, state, frame, dialect)

    def command(
        self,
        command: Command,
        state: ShellState,
        frame: Frame,
        after_get_pip: bool = False,
        dialect: str = "bash",
        wrappers: bool = True,
    ) -> Unwrapped:
        """Judge one simple command; returns it unwrapped for the front end's own needs.
        With ``wrappers``, an unknown program's arguments are searched for an install."""
        unwrapped = unwrap(command.words, command.assignments)
        inner = Frame(
            frame.positions,
            as_root=frame.as_root or unwrapped.as_root,
            elsewhere=frame.elsewhere or unwrapped.elsewhere,
            managed=frame.managed or unwrapped.managed,
            depth=frame.depth + 1,
        )
        if unwrapped.code is not None or unwrapped.code_words:
            if inner.elsewhere is None and state.evaluate(command.text):
                return unwrapped
            started = _started_with(state, unwrapped, command.assignments)
            if unwrapped.code is not None:
                self._nested_code(unwrapped.code, started, inner, dialect)
            else:
                code_words = unwrapped.code_words or []
                first = code_words[0]
                text = " ".join(word.value for word in code_words)
                nested = inner.replace(positions=Nested(frame.positions, first.row, first.column))
                self.code(text, started, nested, "batch" if dialect == "batch" else "bash")
            if unwrapped.here and inner.elsewhere is None:
                state.keep_environment(started)  # eval: this shell runs the code
            return unwrapped
        words = unwrapped.words
        if not words:
            return unwrapped
        if inner.elsewhere is None and (
            state.apply(words, command.text, dialect)
            or (
                _PREFIX_VARIABLE.fullmatch(words[0].value)
                and state.apply(words[1:], command.text, dialect)
            )
        ):
            return unwrapped
        if unwrapped.elsewhere is None:
            environment = unwrapped.environment(state.environment())
        else:  # a container or another machine has none of ours, nor what sets it for docker
            environment = _started_with(state, unwrapped, command.assignments).environment()
        invocation = classify(words, environment)
        if invocation.creates_venv:
            state.venv_dirs.update(folder_key(path) for path in invocation.venv_dirs)
            return unwrapped
        if after_get_pip and invocation.stdin_python is not None:
            install = stdin_install(invocation.stdin_python, environment, invocation.stdin_args)
            invocation = Invocation(install=install)
        rules = self._judge(invocation, unwrapped, inner, state, environment)
        if inner.elsewhere is None:
            # pip config set writes a config file that every later pip reads.
            if invocation.config_break_system:
                state.unprotected = state.unprotected or "config-file"
            if invocation.config_user:
                state.assign("PIP_USER", "1", exported=True)
        if rules:
            self._record(command, frame.positions, rules, invocation.install)
        elif invocation.install is None and wrappers:
            # Run by sudo, the install is root's because of the sudo: it is reported with it.
            outer = command if unwrapped.as_root else None
            handed = Command(words, {}, command.start, command.end)
            self.wrapped(handed, state, inner, dialect, outer)
        return unwrapped

    def wrapped(
        self,
        command: Command,
        state: ShellState,
        frame: Frame,
        dialect: str,
        outer: Command | None = None,
    ) -> None:
        """A program or function this reading does not know, handed an install to run
        (``retry 3 pip install x``, ``sudo_if python -m pip install x``): the install is
        judged where it is written, or as ``outer`` when that is given."""
        words = command.words
        name = basename(words[0].value).lower()
        if len(words) < 2 or not name or name in _RESERVED or _NOT_WRAPPERS.match(name):
            return  # "" is no command at all, and a reserved word is broken syntax
        for index in range(1, min(len(words), _WRAPPER_REACH)):
            if words[index - 1].value == "-m":
                return  # X -m pip: a Python of unknown kind, already judged as one
            if _RUNS_INSTALLS.search(words[index].value):
                inner = words[index:]
                start = (inner[0].row, inner[0].column)
                text = " ".join(word.value for word in inner)
                if outer is not None:
                    start, text = outer.start, outer.text
                self.command(
                    Command(inner, {}, start, command.end, text),
                    state,
                    frame,
                    dialect=dialect,
                    wrappers=False,
                )
                return

    def _nested_code(self, code: Word, state: ShellState, frame: Frame, dialect: str) -> None:
        """Read ``code`` (``bash -c CODE``) in a shell that starts in ``state``, its own."""
        nested = frame.replace(positions=Nested(frame.positions, code.row, code.column))
        if code.flat:
            nested = frame.replace(positions=_Flat(frame.positions, code.row, code.column))
        elif not code.exact:
            nested = frame.replace(positions=_Fixed(frame.positions, code.row, code.column))
        self.code(code.value, state, nested, "batch" if dialect == "batch" else "bash")

    def _judge(
        self,
        invocation: Invocation,
        unwrapped: Unwrapped,
        frame: Frame,
        state: ShellState,
        environment: dict[str, str],
    ) -> list[tuple[str, str]]:
        rules: list[tuple[str, str]] = []
        if invocation.config_break_system:
            rules.append(("VG303", "config"))
        if invocation.config_user:
            rules.append(("VG302", "config"))
        install = invocation.install
        if install is None:
            if invocation.bare_pip:
                rules.append(("VG306", "bare"))
            return rules
        where = environment_of(install.program) if install.program is not None else None
        if where in {"system", "unknown"} and install.program is not None:
            where = "venv" if _made_earlier(install.program.value, state) else where
        system = install.system
        if install.system_python is not None and _made_earlier(install.system_python, state):
            system, where = None, "venv"
        if where is None and "VIRTUAL_ENV" in unwrapped.env:
            where = "venv"
        if where is None and "PATH" in unwrapped.env:
            where = state.path_leads_to(unwrapped.env["PATH"])
        in_env = (
            frame.managed is not None
            or where in {"venv", "conda", "unknown"}
            or (where is None and (state.venv or state.conda))
        )
        if frame.as_root:
            rules.append(("VG301", frame.as_root))
        if install.break_system:
            rules.append(("VG303", "flag"))
        elif state.unprotected and not install.local_target and not install.managed:
            # The marker is the system Python's; a venv never had one, so neither its removal
            # nor a config turning break-system-packages on changes an install into a venv.
            in_venv = where == "venv" or (where is None and state.venv and not frame.as_root)
            if frame.managed is None and not in_venv:
                rules.append(("VG303", state.unprotected))
        if system:
            rules.append(("VG304", system))
        allowed_user = bool(
            install.user and install.packages and set(install.packages) <= self.allow_user
        )
        if install.user and not allowed_user:
            rules.append(("VG302", "user"))
        if (
            self.outside_venv
            and not allowed_user
            and not install.local_target
            and not install.requires_venv
            and not install.managed
            and frame.elsewhere is None
            and not in_env
        ):
            rules.append(("VG305", "outside"))
        in_conda = frame.managed == "conda" or where == "conda" or (where is None and state.conda)
        if install.tool == "pip" and in_conda and not install.local_target:
            rules.append(("VG307", "conda"))
        if install.bare_pip:
            rules.append(("VG306", "bare"))
        return rules

    def _record(
        self,
        command: Command,
        positions: Positions,
        rules: list[tuple[str, str]],
        install: Install | None,
    ) -> None:
        line, column = positions.position(*command.start)
        end_line, end_column = positions.position(*command.end)
        if end_line < line or (end_line == line and end_column < column):
            end_line, end_column = line, column
        key = (line, column)
        seen = self.hits.get(key)
        if seen is not None:
            # The same code run again (a before_script every job shares, a function called
            # twice): it breaks every rule it breaks in any of its runs.
            merged = seen.rules + [rule for rule in rules if rule not in seen.rules]
            seen.rules = sorted(merged, key=lambda rule: _PRECEDENCE.get(rule[0], 99))
            return
        self.hits[key] = Hit(line, column, end_line, end_column, command.text, rules, install)


class _Flat(Nested):
    """Positions for code whose line breaks are not the source's (``$'a\\nb'``): all of it is
    placed at the word that holds it."""

    __slots__ = ()

    def position(self, row: int, column: int) -> tuple[int, int]:
        return self.parent.position(self.row, self.column + (column if row == 0 else 0))


class _Fixed(Nested):
    """Positions for code whose columns cannot be traced (escapes or expanded values changed
    them). Its lines can: escapes and expansions keep every line break but a backslash-newline
    a word drops, and that one joins the lines for the shell too. A line that is off is one
    an expanded value with a line break of its own pushed down."""

    __slots__ = ()

    def position(self, row: int, column: int) -> tuple[int, int]:
        if row == 0:
            return self.parent.position(self.row, self.column + column)
        return self.parent.position(self.row + row, column)


def _started_with(
    state: ShellState, unwrapped: Unwrapped, assignments: Mapping[str, str]
) -> ShellState:
    """The state a shell started by a command begins in (``VAR=x sh -c CODE``, ``env -u
    NAME bash -c CODE``): ours, changed by the command's own environment. A shell on
    another machine or in a container (``ssh``, ``docker run``) starts with none of ours,
    nor the ``assignments`` written before the command that takes it there."""
    env = unwrapped.env
    if unwrapped.elsewhere is not None:
        started = ShellState()
        env = {name: value for name, value in env.items() if assignments.get(name) != value}
    else:
        started = state.copy()
        if unwrapped.cleared:
            for name in list(started.exported):
                started.unset(name)
            started.venv = started.conda = False
        for name in unwrapped.unset:
            started.unset(name)
    for name, value in env.items():
        started.assign(name, value, exported=True)
    return started


def _made_earlier(program: str, state: ShellState) -> bool:
    """Whether ``program`` is the interpreter or pip of a venv the script made earlier."""
    return bool(state.venv_dirs) and venv_bin(
        folder_key(program).rpartition("/")[0], state.venv_dirs
    )
