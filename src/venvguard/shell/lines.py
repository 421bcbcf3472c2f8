"""The line-level front end for PowerShell and batch files.

Neither language needs a full parser to find installs: lines are joined at their
continuation marks (a backtick in PowerShell, ``^`` in batch), comments and PowerShell
here-strings dropped, statements split at ``;``, ``|``, ``&&``, ``||``, at script-block
braces in PowerShell and at ``&`` and block parentheses in batch, and words split with their
quotes. A batch ``if`` condition or ``for ... do`` head leads to the command it guards.
``Invoke-Expression``, ``Start-Process`` (``-Verb RunAs`` runs it elevated) and ``runas``
lead to the command they run. Variable assignments (``$env:PIP_USER = 1``,
``set PIP_USER=1``) and activation scripts update the shell state as in a POSIX shell; a
command on the right of a PowerShell assignment (``$out = & pip install x``) is run.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from venvguard.shell.state import ShellState
from venvguard.shell.words import Command, Word

if TYPE_CHECKING:
    from venvguard.shell.analyser import Analyser, Frame

#: ``$name``, ``$env:name`` or ``${env:name}`` (the closing brace only after an opening one).
_PS_NAME = r"\$(\{)?(?:env:)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?(1)\})"
_PS_ASSIGN = re.compile(r"^\s*" + _PS_NAME + r"\s*=\s*(?P<value>.*)$", re.I)
#: Removing an environment variable: ``Remove-Item Env:PIP_USER`` and its aliases.
_PS_REMOVE = re.compile(
    r"^\s*(?:remove-item|ri|rm|del|erase|rd|rmdir)\s+(?:-(?:literal)?path\s+)?"
    r"[\"']?env:[\\/]?(?P<name>[A-Za-z_][A-Za-z0-9_]*)[\"']?(?:\s|$)",
    re.I,
)
#: ``[Environment]::SetEnvironmentVariable('NAME', value)``; a third argument other than
#: ``Process`` sets it for later sessions only.
_PS_SET_VARIABLE = re.compile(
    r"^\s*\[(?:System\.)?Environment\]::SetEnvironmentVariable\(\s*[\"'](?P<name>\w+)[\"']\s*,"
    r"\s*(?P<value>\$null|'[^']*'|\"[^\"]*\"|[^,)]+?)\s*"
    r"(?:,\s*(?:[\"']?process[\"']?|\[(?:System\.)?EnvironmentVariableTarget\]::Process)\s*)?\)",
    re.I,
)
#: The head of a batch ``if`` (``/i``, ``not``, ``exist X``, ``defined X``, ``errorlevel N``,
#: ``A==B``, ``A EQU B``): what follows it is the guarded command.
_BATCH_IF = re.compile(
    r"""^if\s+(?:/i\s+)?(?:not\s+)?"""
    r"""(?:exist\s+(?:"[^"]*"|\S+)|defined\s+\S+|errorlevel\s+\d+|cmdextversion\s+\d+"""
    r"""|(?:"[^"]*"|[^\s=]+)\s*(?:==|\s(?:equ|neq|lss|leq|gtr|geq)\s)\s*(?:"[^"]*"|\S+))\s*""",
    re.I,
)
#: A test that a venv is in effect, heading a block on its line.
_BATCH_VENV_TEST = re.compile(r"@?if\s+(?:/i\s+)?defined\s+VIRTUAL_ENV\s*", re.I)
_PS_VENV_TEST = re.compile(r"if\s*\(\s*\$env:VIRTUAL_ENV\s*\)\s*", re.I)
_BATCH_FOR = re.compile(
    r"^for\s+(?:/[dlfr]\s+(?:\"[^\"]*\"\s+)?)?%%?\w\s+in\s*\([^)]*\)\s*do\s+", re.I
)
_FOR_HEAD = re.compile(r"\s*for\s.*\bin\s*$", re.I)
_HERE_STRING_START = re.compile(r"(?:^|[\s=(,])@[\"']\s*$")
_ADMINISTRATOR = re.compile(r"^/user:(?:[^\\]*\\)?administrator$", re.I)
_BATCH_SET = re.compile(
    r'^\s*set\s+"?(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^"]*)"?\s*$', re.I
)
_BATCH_VAR = re.compile(r"%(?P<name>[A-Za-z_][A-Za-z0-9_]*)%")
_PS_VAR = re.compile(_PS_NAME, re.I)
#: A value that is no more than a reference to another: ``%1``, ``%~dp1``, ``%*``, ``%X%``,
#: ``!X!``, ``$X``, ``$env:X``, ``$args[0]``.
_ONLY_A_REFERENCE = re.compile(
    r"%~?[A-Za-z]*[0-9*]|%\w+%|!\w+!|\$(?:env:)?\w+|\$\{(?:env:)?\w+\}|\$args\[\d+\]",
    re.IGNORECASE,
)
#: The right side of a PowerShell assignment that runs a command: ``& cmd``, a bare
#: command name, or one inside ``( )`` or ``$( )`` (the match is the opening to skip).
_PS_RUNS = re.compile(r"\$?\(|(?=&|[A-Za-z_.\\/])")


def analyse(
    analyser: Analyser,
    text: str,
    state: ShellState,
    frame: Frame,
    dialect: str,
    written: str | None = None,
) -> None:
    """Judge the statements of ``text``; ``written`` is the code as the file spells it, where
    ``text`` has placeholders (of the same lengths), to quote commands from."""
    batch = dialect == "batch"
    text_lines = text.split("\n")
    written_lines = written.split("\n") if written is not None else None
    found, left_open = _logical_lines(text, batch)
    for row, column, line in found:
        written_row = None
        if written_lines is not None and text_lines[row][column:] == line:
            written_row = written_lines[row]  # of a line that continues on none
        _line(analyser, line, row, column, state, frame, dialect, written_row)
    if left_open is not None:  # PowerShell refuses the script: say where
        analyser.problems.append(frame.positions.position(left_open, 0)[0])


def _line(
    analyser: Analyser,
    line: str,
    row: int,
    column: int,
    state: ShellState,
    frame: Frame,
    dialect: str,
    written_row: str | None = None,
) -> None:
    """Judge each statement of one line of code that starts at ``row``, ``column``.

    ``written_row`` is the whole row as the file spells it, to quote commands from.
    """
    batch = dialect == "batch"
    for start, statement in _statements(line, batch):
        if (_BATCH_VENV_TEST if batch else _PS_VENV_TEST).fullmatch(statement):
            # if defined VIRTUAL_ENV (...), if ($env:VIRTUAL_ENV) { ... }: the rest of the
            # line runs only in a venv
            state = state.copy()
            state.venv = True
            continue
        _statement(
            analyser,
            statement,
            row=row,
            column=column + start,
            state=state,
            frame=frame,
            batch=batch,
            dialect=dialect,
            written_row=written_row,
        )


def _logical_lines(text: str, batch: bool) -> tuple[list[tuple[int, int, str]], int | None]:
    """The lines of code, continuations joined, as (row, column, text); and the row where
    a PowerShell here-string or block comment opens that is never closed, if any."""
    mark = "^" if batch else "`"
    found: list[tuple[int, int, str]] = []
    pending: tuple[int, int, str] | None = None
    in_block_comment = False
    here_string_end: str | None = None  # '"@' or "'@" while inside a here-string
    opened_at = 0  # the row of the here-string or block comment open
    for row, raw in enumerate(text.split("\n")):
        line = raw.rstrip("\r")
        if not batch:
            if here_string_end is not None:
                if not line.lstrip().startswith(here_string_end):
                    continue  # the string's text is data
                after = line.index(here_string_end) + 2
                line = " " * after + line[after:]
                here_string_end = None
            if in_block_comment:
                if "#>" in line:
                    in_block_comment = False
                    line = " " * (line.index("#>") + 2) + line[line.index("#>") + 2 :]
                else:
                    continue
            if "<#" in line and "#>" not in line[line.index("<#") :]:
                in_block_comment, opened_at = True, row
                line = line[: line.index("<#")]
            opening = _HERE_STRING_START.search(line)
            if opening is not None:
                here_string_end, opened_at = opening.group(0).rstrip()[-1] + "@", row
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if batch and re.match(r"^@?(?:rem\b|::)", stripped, re.I):
            continue
        if pending is not None:
            start_row, start_column, previous = pending
            line = previous + " " + stripped
            indent = start_column
            row_to_use = start_row
        else:
            line = stripped
            row_to_use = row
        if line.endswith(mark):
            pending = (row_to_use, indent, line[:-1])
            continue
        pending = None
        if line:
            found.append((row_to_use, indent, line))
    if pending is not None:
        found.append(pending)
    return found, opened_at if in_block_comment or here_string_end is not None else None


def _statements(line: str, batch: bool) -> list[tuple[int, str]]:
    """Split a line at statement separators outside quotes; drop a trailing comment.

    Braces of PowerShell script blocks (not ``${name}``) and parentheses of batch blocks
    separate statements too: ``if ($x) { pip install y }``, ``if errorlevel 1 (pip ...)``.
    """
    parts: list[tuple[int, str]] = []
    start = 0
    quote = ""
    index = 0
    blocks = "()" if batch else "{}"
    while index < len(line):
        char = line[index]
        if quote:
            if char == "`" and not batch and quote == '"':
                index += 2  # `" is a quote inside a PowerShell string
                continue
            if char == quote:
                quote = ""
            index += 1
            continue
        if char in "\"'" and not (batch and char == "'"):
            quote = char
        elif not batch and char == "#" and (index == 0 or line[index - 1].isspace()):
            break
        elif not batch and char == "$" and line[index + 1 : index + 2] == "{":
            close = line.find("}", index)
            index = len(line) if close < 0 else close + 1
            continue
        elif char in blocks:
            if batch and char == "(" and _FOR_HEAD.match(line, start, index):
                close = line.find(")", index)  # the list of a for loop, not a block
                index = len(line) if close < 0 else close + 1
                continue
            parts.append((start, line[start:index]))
            start = index + 1
        elif (
            char in ";|&"
            and not (char == ";" and batch)
            and not (char == "&" and not batch and line[index + 1 : index + 2] != "&")
        ):
            parts.append((start, line[start:index]))
            while index + 1 < len(line) and line[index + 1] in "|&":
                index += 1
            start = index + 1
        index += 1
    end = index if index <= len(line) else len(line)
    parts.append((start, line[start:end]))
    return [(offset + len(text) - len(text.lstrip()), text.strip()) for offset, text in parts]


def _words(
    statement: str, row: int, column: int, state: ShellState, batch: bool
) -> tuple[list[Word], list[bool]]:
    """The words of a statement, and which of them were quoted."""
    words: list[Word] = []
    quoting: list[bool] = []
    # PowerShell's call operator is a word of its own even when written against its
    # command (``&python``, ``&"C:\\...\\python.exe"``).
    string = r'"(?:`.|[^"`])*"' if not batch else r'"[^"]*"'  # `" is escaped in PowerShell
    for match in re.finditer(r"(?<!\S)&(?=[^\s&])|" + string + r"|'[^']*'|[^\s]+", statement):
        token = match.group(0)
        quoted = token[:1] in "\"'" and len(token) > 1
        value = token[1:-1] if quoted else token
        dynamic = False

        def expand(found: re.Match[str]) -> str:
            nonlocal dynamic
            name = found.group("name")
            for key, known in state.variables.items():
                if key.lower() == name.lower() and not _ONLY_A_REFERENCE.fullmatch(known):
                    return known
            # Never set, or set from nothing but a value not known here (set PY=%1).
            dynamic = True
            return "${" + name + "}"  # spelled as in a POSIX shell, for the program's name

        if batch and not quoted and "^" in value:
            value = re.sub(r"\^(.)", r"\1", value)  # the caret escapes the next character
        value = (_BATCH_VAR if batch else _PS_VAR).sub(expand, value)
        words.append(Word(value, dynamic, row, column + match.start() + quoted, False))
        quoting.append(quoted)
    return words, quoting


def _statement(
    analyser: Analyser,
    statement: str,
    *,
    row: int,
    column: int,
    state: ShellState,
    frame: Frame,
    batch: bool,
    dialect: str,
    written_row: str | None = None,
) -> None:
    if not statement:
        return
    if batch:
        stripped = statement.lstrip("@")
        column += len(statement) - len(stripped)
        statement = stripped
        while (head := _BATCH_IF.match(statement) or _BATCH_FOR.match(statement)) is not None:
            statement = statement[head.end() :]
            column += head.end()
        assign = _BATCH_SET.match(statement)
    else:
        assign = _PS_ASSIGN.match(statement)
    if assign is not None:
        value = assign.group("value").strip()
        if not batch and (_PS_RUNS.match(value) or value.startswith(("@(", "[")) or " | " in value):
            # $py = (Get-Command python).Source: the value is what an expression gives, and
            # $out = & pip install x runs the command on its right
            state.unset(assign.group("name"))
            ran = _PS_RUNS.match(value)
            if ran is not None:
                at = column + assign.start("value") + ran.end()
                code = value[ran.end() : -1 if ran.group(0) and value.endswith(")") else None]
                _line(analyser, code, row, at, state, frame, dialect, written_row)
            return
        value = value.strip("\"'")
        lowered = statement.lstrip().lower()
        exported = batch or lowered.startswith(("$env:", "${env:"))
        state.assign(assign.group("name"), value, exported=exported, raw=value)
        return
    if not batch:
        removed = _PS_REMOVE.match(statement)
        if removed is not None:
            state.unset(removed.group("name"))
            return
        changed = _PS_SET_VARIABLE.match(statement)
        if changed is not None:
            value = changed.group("value").strip("\"'")
            if value.lower() == "$null" or not value:
                state.unset(changed.group("name"))
            else:
                state.assign(changed.group("name"), value, exported=True, raw=value)
            return
    words, quoted = _words(statement, row, column, state, batch)
    if words and words[0].value == "&" and not batch:
        words, quoted = words[1:], quoted[1:]
    if not words:
        return
    launched = _launched(words, quoted, batch)
    if launched is not None:
        code, elevated = launched
        inner = frame.replace(as_root=elevated) if elevated else frame
        _line(analyser, code.value, code.row, code.column, state, inner, dialect)
        return
    end = (row, column + len(statement))
    shown = statement
    if written_row is not None and len(written_row) >= column + len(statement):
        shown = written_row[column : column + len(statement)]
    command = Command(words, {}, (row, column), end, shown)
    analyser.command(command, state, frame, dialect=dialect)


#: Start-Process parameters that take a value (any unique prefix names one, as in PowerShell).
_START_PROCESS_VALUES = (
    "filepath",
    "argumentlist",
    "verb",
    "workingdirectory",
    "windowstyle",
    "credential",
    "redirectstandardinput",
    "redirectstandardoutput",
    "redirectstandarderror",
    "environment",
)


def _launched(words: list[Word], quoted: list[bool], batch: bool) -> tuple[Word, str | None] | None:
    """The command line that ``Invoke-Expression``, ``Start-Process`` or ``runas`` runs,
    and what elevates it (``None``: it runs as the caller)."""
    program = words[0].value.lower().removesuffix(".exe")
    rest = words[1:]
    if program == "runas":
        user = next((w.value for w in rest if w.value.lower().startswith("/user:")), "")
        if not rest or rest[-1].value.startswith("/"):
            return None
        return rest[-1], "runas" if _ADMINISTRATOR.match(user) else None
    if batch:
        return None
    if program in {"invoke-expression", "iex"}:
        parameter = rest[0].value.lower() if rest else ""
        if len(rest) == 2 and len(parameter) > 1 and "-command".startswith(parameter):
            return rest[1], None  # -Command, or any prefix of it
        return (rest[0], None) if len(rest) == 1 else None
    if program not in {"start-process", "saps"}:
        return None
    values: dict[str, list[Word]] = {}
    positional: list[Word] = []
    current: str | None = None
    for word, was_quoted in zip(rest, quoted[1:], strict=True):
        name = word.value[1:].lower() if word.value.startswith("-") and not was_quoted else ""
        matches = [p for p in _START_PROCESS_VALUES if name and p.startswith(name)]
        if name in {"args", "arguments"}:
            matches = ["argumentlist"]
        if len(matches) == 1 and word.value[1:2].isalpha():
            current = matches[0]
            values[current] = []
        elif name.isalpha() and name:
            current = None  # a switch: -Wait, -NoNewWindow, -PassThru
        elif current is not None and (current == "argumentlist" or not values[current]):
            values[current].append(word)
        else:
            positional.append(word)
    program_words = values.get("filepath") or positional[:1]
    arguments = values.get("argumentlist") or positional[1:2]
    if not program_words:
        return None
    # '-m','pip','install' or "-m pip install": the same command line
    pieces = [p.strip().strip("'\"") for w in arguments for p in w.value.split(",")]
    text = " ".join([program_words[0].value, *(p for p in pieces if p)])
    verb = " ".join(w.value for w in values.get("verb", [])).lower()
    first = program_words[0]
    return Word(text, first.dynamic, first.row, first.column), (
        "Start-Process -Verb RunAs" if verb == "runas" else None
    )
