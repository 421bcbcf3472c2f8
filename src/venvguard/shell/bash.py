"""The shell front end: tree-sitter-bash syntax trees walked in execution order.

Every simple command reaches the analyser with its words evaluated (quotes removed, known
variables expanded), in the order a shell would run them: inside lists, pipelines,
``if``/``case``/loops, subshells and ``$( )``; a function's body runs where the function is
called (bodies never called are checked once at the end). Comments, quoted text and heredoc
bodies are data, except a heredoc fed to a shell (``sudo bash <<EOF``), which is code.
tree-sitter is imported on first use, so files that never reach here never pay for it.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import TYPE_CHECKING, Any

from venvguard.shell.bash_repairs import repaired
from venvguard.shell.state import PREFIX_TEST, ShellState, pip_config_settings, venv_test
from venvguard.shell.words import Command, Word

if TYPE_CHECKING:
    from venvguard.shell.analyser import Analyser, Frame

_ALL_ARGUMENTS = re.compile(r'^"?\$(?:[@*]|\{[@*]\})"?$')
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_DQ_ESCAPE = re.compile(r"\\([\\$`\"\n])")


def _unescape_keeping_newline(match: re.Match[str]) -> str:
    return match.group(0) if match.group(1) == "\n" else match.group(1)


# The escapes of bash's $'...' quoting; \cX (a control character) is left as written.
_ANSI_C_ESCAPE = re.compile(
    r"\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)", re.DOTALL
)
_ANSI_C_NAMED = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"} | {
    "e": "\x1b",
    "E": "\x1b",
}


def _ansi_c_character(match: re.Match[str]) -> str:
    escape = match.group(0)[1:]
    if escape[0] in "xuU" and len(escape) > 1:
        return chr(min(int(escape[1:], 16), 0x10FFFF))
    if escape[0] in "01234567":
        return chr(int(escape, 8) & 0xFF)
    if escape == "c":
        return match.group(0)
    return _ANSI_C_NAMED.get(escape, escape)  # \\ \' \" \? stand for themselves


#: ``${name[@]}``, ``${name[*]}``, ``${name[0]}``: an array's elements, or its first.
_ELEMENTS = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\[(?P<index>[@*]|0)\]\}$")
_ALL_ELEMENTS = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\[@\]\}$")
_EXPANSION = re.compile(
    r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*|[0-9]+)(?:(?P<op>:?[-=])(?P<default>.*))?\}$", re.DOTALL
)
_INSTALLER_WORD = re.compile(rb"pip|easy_install|setup\.py")
# Words without which a command can neither install nor change the environment in effect.
_RELEVANT = re.compile(
    rb"(?i:pip)|easy_install|setup\.py|activate|VIRTUAL_ENV|PATH|conda|mamba|workon|layout|shell|"
    rb"base_prefix|real_prefix|PIP_|UV_|venv|virtualenv|EXTERNALLY-MANAGED|"
    # a variable that will hold a wrapper or an option of an install: SUDO=sudo, U=--user
    rb"=[\"']?(?:sudo|doas|-)|"
    rb"\bset\s+[-+]\w*a|allexport|"  # set -a: the variables set later are exported
    rb"\$\{\w+:?="  # : "${PY:=python3}" sets PY
)
#: A value set from another that was not known when it was set: ``$1``, ``${X}``, ``$@``.
_ONLY_A_REFERENCE = re.compile(r"\$(?:\{\w+\}|[A-Za-z_]\w*|[0-9@*])")
_QUOTE_REMOVAL = re.compile(rb"\\\n?|\"\"|''")
#: How many nodes, one inside the other, are walked at most (``$(`` in ``$(`` ...).
_DEEPEST = 100
_ALWAYS_VISIT = frozenset(
    {"program", "function_definition", "variable_assignment", "declaration_command", "ERROR"}
    | {"unset_command"}
)
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_LOOP_VALUES = 4  # the loop values a body is read with, at most
#: Nodes that may be a test of ``$VIRTUAL_ENV`` (``test -z`` is a plain command).
_TESTS = frozenset({"test_command", "negated_command", "command"})
#: Commands after which a script (or function) never goes on.
_LEAVES = frozenset({"exit", "return", "die", "fatal", "abort", "fail"})
_NEW_SCOPE = frozenset({"subshell", "command_substitution", "process_substitution"})


def _stray_separator(node: Any, source: bytes) -> Any:
    """The ``;`` or ``&`` tree-sitter could not place after a heredoc start, if any."""
    for child in node.children:
        if child.type == "ERROR" and source[child.start_byte : child.end_byte].strip() in {
            b";",
            b"&",
        }:
            return child
        if child.type == "file_redirect":
            found = _stray_separator(child, source)
            if found is not None:
                return found
    return None


@functools.cache
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


def analyse(
    analyser: Analyser, text: str, state: ShellState, frame: Frame, written: str | None = None
) -> None:
    """Parse ``text`` and feed its commands to ``analyser``.

    ``written`` is the code as the file spells it where ``text`` has placeholders: commands
    are quoted from it.
    """
    source = text.encode("utf-8", "surrogateescape")
    as_written = source if written is None else written.encode("utf-8", "surrogateescape")
    source = repaired(source)
    tree = _parser().parse(source)
    # The repairs keep every length, so a command's bytes are where they were.
    if len(as_written) != len(source):
        as_written = source
    walker = _Walker(analyser, source, as_written, text.isascii(), frame)
    walker.visit(tree.root_node, state)
    walker.finish()
    if tree.root_node.has_error:
        walker.left_open(tree.root_node)


class _Walker:
    def __init__(
        self, analyser: Analyser, source: bytes, as_written: bytes, ascii_only: bool, frame: Frame
    ) -> None:
        self.analyser = analyser
        self.source = source
        self.as_written = as_written  # the same code with the file's spelling, to quote it
        self.ascii_only = ascii_only
        self.frame = frame
        self.lines: list[bytes] | None = None
        self.functions: dict[str, tuple[Any, ShellState]] = {}
        #: Where the names of the functions defined so far are used, as (start, end) byte
        #: offsets in ``source``, sorted; ``indexed`` holds the names already looked for.
        self.name_uses: list[tuple[int, int]] = []
        self.indexed: set[str] = set()
        #: Where the words of ``_RELEVANT`` are, likewise: found once, not in every subtree.
        self.relevant_words = [match.span() for match in _RELEVANT.finditer(source)]
        self.called: set[str] = set()
        self.running: set[str] = set()
        self.installing: set[str] = set()  # functions whose body was found installing
        #: The arguments of the function call being walked: ``$1``, ``"$@"`` in its body.
        self.arguments: list[Word] | None = None
        self.notable_arguments = False  # they hold an installer or environment word
        self.call: Command | None = None  # the function call whose body is being walked
        self.allexport = False  # set -a: every variable set is exported
        self.depth = 0  # of the nodes being visited, one inside the other

    # --- positions and text --------------------------------------------------------------

    def point(self, point: Any) -> tuple[int, int]:
        row, column = point.row, point.column
        if self.ascii_only or column == 0:
            return row, column
        if self.lines is None:
            self.lines = self.source.split(b"\n")
        line = self.lines[row] if row < len(self.lines) else b""
        return row, len(line[:column].decode("utf-8", "replace"))

    def text(self, node: Any) -> str:
        return str(self.source[node.start_byte : node.end_byte].decode("utf-8", "replace"))

    # --- walking -------------------------------------------------------------------------

    def relevant(self, node: Any, state: ShellState) -> bool:
        """Whether a subtree can matter: it names an installer, the environment, a function,
        or expands a variable that holds such a word."""
        if _holds(self.relevant_words, node.start_byte, node.end_byte):
            return True
        data = self.source[node.start_byte : node.end_byte]
        if (b"\\" in data or b'""' in data or b"''" in data) and _RELEVANT.search(
            _QUOTE_REMOVAL.sub(b"", data)
        ):
            return True  # p\ip, pi""p: the shell reads them as pip
        if self.functions and self._names_a_function(node.start_byte, node.end_byte):
            return True
        return (state.notable or self.notable_arguments) and b"$" in data

    def _names_a_function(self, start: int, end: int) -> bool:
        # Every use of every name is found once: searching each subtree's text for each
        # name made a long script with many functions take time quadratic in its length.
        if len(self.indexed) != len(self.functions):
            self._index_names()
        return _holds(self.name_uses, start, end)

    def _index_names(self) -> None:
        source = self.source
        for name in self.functions.keys() - self.indexed:
            self.indexed.add(name)
            word = name.encode("utf-8", "surrogateescape")
            at = source.find(word)
            while at != -1:
                after = at + len(word)
                if not _in_a_name(source[at - 1 : at]) and not _in_a_name(
                    source[after : after + 1]
                ):
                    self.name_uses.append((at, after))
                at = source.find(word, at + 1)
        self.name_uses.sort()

    def visit(self, node: Any, state: ShellState) -> None:
        if self.depth >= _DEEPEST:
            # Deeper would exhaust Python's stack; the code around it is still read.
            row, _ = self.point(node.start_point)
            self.analyser.problems.append(self.frame.positions.position(row, 0)[0])
            return
        self.depth += 1
        try:
            self._visit(node, state)
        finally:
            self.depth -= 1

    def _visit(self, node: Any, state: ShellState) -> None:
        kind = node.type
        if kind in {"comment", "heredoc_body", "heredoc_start", "heredoc_end"}:
            return
        if kind not in _ALWAYS_VISIT and not self.relevant(node, state):
            return
        if kind == "command":
            self.simple(node, state)
        elif kind == "variable_assignment":
            self.assignment(node, state, exported=self.allexport)
        elif kind == "declaration_command":
            self.declaration(node, state)
        elif kind == "unset_command":
            for child in node.children[1:]:
                state.unset(self.text(child))
        elif kind == "function_definition":
            self.define(node, state)
        elif kind in _NEW_SCOPE:
            self.subshell(node, state, self.children)
        elif kind == "pipeline":
            self.pip_config_written(node, state)
            self.pipeline(node, state)
        elif kind == "for_statement":
            self.loop(node, state)
        elif kind in {"if_statement", "case_statement"}:
            self.branches(node, state)
        elif kind == "list" and self.guarded(node, state):
            pass
        elif kind == "redirected_statement":
            self.pip_config_written(node, state)
            self.redirected(node, state)
        elif kind == "test_command":
            tested = self.source[node.start_byte : node.end_byte]
            if b"VIRTUAL_ENV" in tested or PREFIX_TEST.search(tested.decode("utf-8", "replace")):
                state.venv = True
            self.children(node, state)
        elif kind == "ERROR":
            self.problem(node)
            self.children(node, state)
        else:
            self.children(node, state)

    def branches(self, node: Any, state: ShellState) -> None:
        """``if``/``elif``/``else`` and ``case``: the condition runs in ``state``; each
        branch starts from the state after it, and ``state`` takes in what any may set."""
        opens = "then" if node.type == "if_statement" else "in"
        before: ShellState | None = None
        ran: list[ShellState] = []  # the last is the branch being walked
        had_venv = state.venv
        way = self.venv_test_of(node) if node.type == "if_statement" else 0
        for child in node.children:
            if before is None:
                self.visit(child, state)
                if child.type == opens:
                    before = state.copy()
                    ran.append(before.copy())
                    if way:  # [ -z "$VIRTUAL_ENV" ]: then none is in effect, else one is
                        ran[-1].venv = had_venv or way > 0
                        before.venv = had_venv or way < 0
                continue
            if child.type in {"elif_clause", "else_clause", "case_item"}:
                ran.append(before.copy())
            self.visit(child, ran[-1])
        if node.type == "if_statement":
            exhaustive = any(child.type == "else_clause" for child in node.children)
        else:
            exhaustive = any(
                child.type == "case_item" and self.text(child).lstrip().startswith("*")
                for child in node.children
            )
        state.absorb(ran, exhaustive)
        if way and before is not None and not had_venv:
            # Read as a run with none in effect, unless that run's branch leaves the script.
            bodies = self.branch_bodies(node)
            without = 0 if way < 0 else 1  # the branch a run with no venv takes
            if without < len(ran) and not self.leaves(bodies[without]):
                state.venv = ran[without].venv
            elif without >= len(ran):
                state.venv = False
            else:
                state.venv = ran[1 - without].venv if 1 - without < len(ran) else True

    def venv_test_of(self, node: Any) -> int:
        """Which way the condition of an ``if`` without ``elif`` tests ``$VIRTUAL_ENV``
        (``venv_test``)."""
        if any(child.type == "elif_clause" for child in node.children):
            return 0
        conditions = [c for c in node.children_by_field_name("condition") if c.is_named]
        if len(conditions) != 1 or conditions[0].type not in _TESTS:
            return 0
        return venv_test(self.text(conditions[0]))

    @staticmethod
    def branch_bodies(node: Any) -> list[list[Any]]:
        """The statements of an ``if``'s ``then`` branch, and of its ``else``, if any."""
        then: list[Any] = []
        bodies = [then]
        started = False
        for child in node.children:
            if child.type == "then":
                started = True
            elif child.type == "else_clause":
                bodies.append([c for c in child.children if c.is_named])
            elif started and child.is_named:
                then.append(child)
        return bodies

    def leaves(self, statements: list[Any]) -> bool:
        """Whether the last of ``statements`` always ends the script (or the function):
        ``exit``, ``return``, or a helper named like ``die``."""
        if not statements:
            return False
        last = statements[-1]
        if last.type == "compound_statement":
            return self.leaves([c for c in last.children if c.is_named])
        if last.type == "list":
            named = [c for c in last.children if c.is_named]
            return last.children[1].type == ";" and self.leaves(named[-1:])
        if last.type != "command":
            return False
        name = last.child_by_field_name("name")
        return name is not None and self.text(name) in _LEAVES

    def guarded(self, node: Any, state: ShellState) -> bool:
        """``[ -n "$VIRTUAL_ENV" ] || CMD``: CMD runs with no venv in effect (``&&``: with
        one). False if it is no such list."""
        children = node.children
        if len(children) != 3 or children[1].type not in {"&&", "||"}:
            return False
        if children[0].type not in _TESTS:
            return False
        way = venv_test(self.text(children[0]))
        if not way:
            return False
        had_venv = state.venv
        self.visit(children[0], state)
        runs_with_venv = (way > 0) == (children[1].type == "&&")
        state.venv = had_venv or runs_with_venv
        self.visit(children[2], state)
        if not had_venv:
            # Read on as a run with none in effect, unless CMD, run there, leaves the script.
            state.venv = state.venv if not runs_with_venv else False
            if not runs_with_venv and self.leaves([children[2]]):
                state.venv = True
        return True

    def pip_config_written(self, node: Any, state: ShellState) -> None:
        """A pip config file written here (``cat > /etc/pip.conf <<EOF``, ``echo ... | tee
        pip.conf``) that turns ``user`` or ``break-system-packages`` on, for the later
        installs (break-system-packages only outside a venv, where it does something)."""
        text = self.source[node.start_byte : node.end_byte]
        if b"pip.conf" not in text and b"pip.ini" not in text:
            return
        settings = pip_config_settings(text.decode("utf-8", "replace"))
        if "user" in settings:
            state.assign("PIP_USER", "1", exported=True)
        if "break-system-packages" in settings:
            state.unprotected = state.unprotected or "config-file"

    def children(self, node: Any, state: ShellState) -> None:
        children = node.children
        for index, child in enumerate(children):
            if index + 1 < len(children) and children[index + 1].type == "&":
                self.subshell(child, state, self.visit)  # a background job
            else:
                self.visit(child, state)

    @staticmethod
    def subshell(node: Any, state: ShellState, walk: Any) -> None:
        """Walk ``node`` in a subshell of ``state``: only what it leaves on the machine stays."""
        inner = state.copy()
        walk(node, inner)
        state.keep_machine(inner)

    def problem(self, node: Any) -> None:
        if _INSTALLER_WORD.search(self.source[node.start_byte : node.end_byte]):
            # The error node often starts at a good statement; point at the first bad token.
            culprit = next(
                (c for c in node.children if not c.is_named or c.type == "ERROR" or c.is_missing),
                node,
            )
            row, column = self.point(culprit.start_point)
            self.analyser.problems.append(self.frame.positions.position(row, column)[0])

    def left_open(self, root: Any) -> None:
        """A construct the code never closes (``if`` without ``fi``) has a missing token,
        not an error node: say where the construct starts, if it holds an installer."""
        node, parent = root, root
        while node is not None and not node.is_missing:
            parent = node
            node = next((c for c in node.children if c.has_error or c.is_missing), None)
        if node is not None and _INSTALLER_WORD.search(
            self.source[parent.start_byte : parent.end_byte]
        ):
            row, column = self.point(parent.start_point)
            self.analyser.problems.append(self.frame.positions.position(row, column)[0])

    def finish(self) -> None:
        for name, (body, state) in list(self.functions.items()):
            if name not in self.called:
                self.called.add(name)
                self.visit(body, state.copy())

    def define(self, node: Any, state: ShellState) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is None or body is None:
            return
        name = self.text(name_node)
        self.functions[name] = (body, state.copy())
        self.called.discard(name)

    # --- commands ------------------------------------------------------------------------

    def command_of(self, node: Any, state: ShellState) -> Command | None:
        """Evaluate a ``command`` node; command substitutions in it are walked first."""
        words: list[Word] = []
        assignments: dict[str, str] = {}
        named_by_call = False  # the command is "$@" of a function: it is written at the call
        written_at_call = False
        name = node.child_by_field_name("name")
        start_node = node
        previous_end = node.start_byte
        argument_end = -1  # where the last argument node ends
        for child in node.children:
            kind = child.type
            gap, previous_end = self.source[previous_end : child.start_byte], child.end_byte
            if kind == "variable_assignment" and name is not None and self.own_line(child, name):
                # tree-sitter-bash may join "A=1 B=2" on a line of their own to the next
                # command; the shell sets them as plain variables.
                self.assignment(child, state, exported=False)
                start_node = name
            elif kind == "variable_assignment":
                name_node = child.child_by_field_name("name")
                value_node = child.child_by_field_name("value")
                self.substitutions(child, state)
                if name_node is not None:
                    value = self.word(value_node, state).value if value_node is not None else ""
                    assignments[self.text(name_node)] = value
            elif kind in _REDIRECTS:
                self.substitutions(child, state)
            elif kind == "command_name":
                self.substitutions(child, state)
                inner = child.children[0] if child.children else child
                if self.arguments is not None and _ALL_ARGUMENTS.match(self.text(inner)):
                    words.extend(self.arguments)
                    named_by_call = bool(self.arguments)
                    continue
                words.extend(self.split(inner, self.word(inner, state)))
                argument_end = child.end_byte
            elif kind not in {"comment"}:
                self.substitutions(child, state)
                if self.arguments is not None and _ALL_ARGUMENTS.match(self.text(child)):
                    # "python -m pip "$@"" called as "f install x": the install is written
                    # at the call, and is reported there.
                    written_at_call = written_at_call or (
                        all(word.value != "install" for word in words)
                        and any(word.value == "install" for word in self.arguments)
                    )
                    words.extend(self.arguments)
                    continue
                more = self.split(child, self.word(child, state))
                joined = gap == b"\\\n" or (gap == b"" and argument_end == child.start_byte)
                if more and words and joined:
                    # "ins\<newline>tall": tree-sitter splits there, the shell joins; and
                    # "/v/$A/$B/bin" it splits after the second "$".
                    first, last = more.pop(0), words.pop()
                    value = last.value + first.value
                    words.append(Word(value, last.dynamic or first.dynamic, last.row, last.column))
                words.extend(more)
                argument_end = child.end_byte
        if not words:
            return None
        if named_by_call:
            start = end = (words[0].row, words[0].column)
            return Command(words, assignments, start, end, " ".join(w.value for w in words))
        if written_at_call and self.call is not None and self.arguments:
            first = self.arguments[0]
            start = self.call.start
            if first.value != "install" and not first.value.startswith("-"):
                # "sudo "$@"" called as "f pip install x": the arguments are the command,
                # placed where they start, as when "$@" alone is the command.
                start = (first.row, first.column)
            return Command(words, assignments, start, self.call.end, self.call.text)
        start = self.point(start_node.start_point)
        end = self.point(node.end_point)
        begin = start_node.start_byte
        if begin and self.as_written[begin - 1] == 0x5C and self.source[begin - 1] == 0x20:
            begin, start = begin - 1, (start[0], start[1] - 1)  # \sudo, its escape made a blank
        # A command continued over lines with backslashes reads as the one line it runs as.
        text = self.as_written[begin : node.end_byte].decode("utf-8", "replace")
        shown = " ".join(text.replace("\\\n", " ").split())
        return Command(words, assignments, start, end, shown)

    def own_line(self, assignment: Any, name: Any) -> bool:
        """Whether an assignment ends a line before the command's name starts."""
        between = self.source[assignment.end_byte : name.start_byte]
        return b"\n" in between.replace(b"\\\n", b"")

    @staticmethod
    def split(node: Any, word: Word) -> list[Word]:
        """Field splitting: an unquoted expansion of ``"sudo pip3"`` is two words, of ``""``
        none; so is ``"${array[@]}"``, quoted, of an array's elements."""
        if word.dynamic:
            return [word]
        if node.type == "string":
            inner = [child for child in node.children if child.type not in {'"', "string_content"}]
            if len(inner) != 1 or not _ALL_ELEMENTS.match(inner[0].text.decode("utf-8", "replace")):
                return [word]
        elif node.type not in {"simple_expansion", "expansion"}:
            return [word]
        fields = word.value.split()
        if len(fields) == 1 and fields[0] == word.value:
            return [word]
        return [Word(field, False, word.row, word.column) for field in fields]

    def substitutions(self, node: Any, state: ShellState) -> None:
        """Walk the command substitutions in ``node``, which may be one itself (an unquoted
        ``$(...)`` argument)."""
        if node.type in _NEW_SCOPE:
            self.children(node, state.copy())
            return
        for child in node.children:
            if child.child_count:
                self.substitutions(child, state)

    def simple(self, node: Any, state: ShellState, after_get_pip: bool = False) -> Any:
        command = self.command_of(node, state)
        if command is None:
            return None
        name = command.words[0].value
        if name == "set":
            self.set_options([word.value for word in command.words[1:]])
        if name in self.functions and not command.words[0].dynamic:
            if name not in self.running:
                self.called.add(name)
                self.running.add(name)
                outer = self.arguments, self.notable_arguments, self.call
                self.arguments = command.words[1:]
                self.call = command
                self.notable_arguments = any(
                    _RELEVANT.search(word.value.encode("utf-8", "surrogateescape"))
                    for word in self.arguments
                )
                found = len(self.analyser.hits)
                try:
                    self.visit(self.functions[name][0], state)
                finally:
                    self.running.discard(name)
                    self.arguments, self.notable_arguments, self.call = outer
                if len(self.analyser.hits) > found:
                    self.installing.add(name)
                elif name not in self.installing:
                    # An install handed to it and run where this reading cannot follow
                    # (COMMAND="$*"; $COMMAND) is judged where it is written.
                    self.analyser.wrapped(command, state, self.frame, "bash")
            return None
        return self.analyser.command(command, state, self.frame, after_get_pip=after_get_pip)

    def pipeline(self, node: Any, state: ShellState) -> None:
        from venvguard.shell.installers import get_pip_download

        fed = False
        for child in node.children:
            # Each part of a pipeline runs in a subshell of its own.
            inner = state.copy()
            if child.type == "command":
                unwrapped = self.simple(child, inner, after_get_pip=fed)
                if unwrapped is not None and get_pip_download(unwrapped.words):
                    fed = True
            else:
                self.visit(child, inner)
            state.keep_machine(inner)

    def loop(self, node: Any, state: ShellState) -> None:
        """``for NAME in WORDS; do BODY; done``: the body runs with NAME set to each word."""
        variable = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        if variable is None or body is None:
            self.children(node, state)
            return
        words: list[Word] = []
        for child in node.children_by_field_name("value"):
            self.substitutions(child, state)
            words.extend(self.split(child, self.word(child, state)))
        name = self.text(variable)
        if not words:
            state.unset(name)  # for NAME; do: the script's arguments
            self.visit(body, state)
            return
        # A few distinct values tell the installs apart (a venv's pip, the system's). A value
        # with an unknown part is kept as written, as an assignment keeps it.
        for value in list(dict.fromkeys(word.value for word in words))[:_LOOP_VALUES]:
            state.assign(name, value)
            self.visit(body, state)

    def redirected(self, node: Any, state: ShellState) -> None:
        body = node.child_by_field_name("body") or (node.children[0] if node.children else None)
        unwrapped = None
        for child in node.children:
            if child is body or (body is not None and child.id == body.id):
                if child.type == "command":
                    unwrapped = self.simple(child, state)
                else:
                    self.visit(child, state)
                continue
            if child.type != "heredoc_redirect":
                self.substitutions(child, state)
                continue
            reader = unwrapped
            for part in child.children:
                if part.type in {"pipeline", "command", "list"}:
                    found = self.visit_tail(part, state)
                    reader = found if found is not None else reader
            heredoc = next((c for c in child.children if c.type == "heredoc_body"), None)
            self.lost_tail(child, heredoc, state)
            if heredoc is not None and reader is not None and reader.shell_reads_stdin:
                self.heredoc_code(heredoc, state, reader)

    def lost_tail(self, redirect: Any, heredoc: Any, state: ShellState) -> None:
        """Read again what follows ``<<EOF;`` on its line: tree-sitter keeps it as stray words."""
        from venvguard.shell.analyser import Nested

        separator = _stray_separator(redirect, self.source)
        if separator is None:
            return
        stop = self.source.find(b"\n", separator.end_byte)
        if stop == -1:
            stop = len(self.source)
        if heredoc is not None:
            stop = min(stop, heredoc.start_byte)
        code = self.source[separator.end_byte : stop].decode("utf-8", "replace")
        row, column = self.point(separator.end_point)
        frame = self.frame.replace(
            positions=Nested(self.frame.positions, row, column), depth=self.frame.depth + 1
        )
        self.analyser.code(code, state, frame)

    def visit_tail(self, node: Any, state: ShellState) -> Any:
        """Walk what follows a heredoc start; return the last command if it reads stdin."""
        last = None
        if node.type == "command":
            return self.simple(node, state)
        for child in node.children:
            if child.type == "command":
                last = self.simple(child, state)
            else:
                self.visit(child, state)
        return last

    def heredoc_code(self, heredoc: Any, state: ShellState, reader: Any) -> None:
        from venvguard.shell.analyser import Nested

        row, column = self.point(heredoc.start_point)
        frame = self.frame.replace(
            positions=Nested(self.frame.positions, row, column),
            as_root=self.frame.as_root or reader.as_root,
            elsewhere=self.frame.elsewhere or reader.elsewhere,
            depth=self.frame.depth + 1,
        )
        self.analyser.code(self.text(heredoc), state.copy(), frame)

    def assignment(self, node: Any, state: ShellState, exported: bool) -> None:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        self.substitutions(node, state)
        if name_node is None:
            return
        value = self.word(value_node, state).value if value_node is not None else ""
        raw = self.text(value_node) if value_node is not None else ""
        state.assign(self.text(name_node), value, exported=exported, raw=raw)

    def set_options(self, options: list[str]) -> None:
        """``set -a``/``set -o allexport`` (and ``+``): whether assignments are exported."""
        for index, option in enumerate(options):
            named = options[index + 1] if index + 1 < len(options) else ""
            flag = option[:1] in {"-", "+"} and option[1:2] != "-"
            if flag and ("a" in option[1:] or (option[1:] == "o" and named == "allexport")):
                self.allexport = option[0] == "-"

    def declaration(self, node: Any, state: ShellState) -> None:
        keyword = self.text(node.children[0]) if node.children else ""
        exported = keyword == "export" or self.allexport
        removed = False  # export -n NAME, declare +x NAME: no longer exported
        for child in node.children[1:]:
            flag = self.text(child) if child.type == "word" else ""
            if flag.startswith("-"):
                exported = exported or "x" in flag
                removed = removed or (keyword == "export" and "n" in flag)
            elif flag.startswith("+") and "x" in flag:
                removed = True
        for child in node.children[1:]:
            if child.type == "variable_assignment":
                self.assignment(child, state, exported and not removed)
                name = child.child_by_field_name("name")
                if removed and name is not None:
                    state.export(self.text(name), False)
            elif child.type == "variable_name" and removed:
                state.export(self.text(child), False)
            elif child.type == "variable_name" and exported:
                state.export(self.text(child))
            else:
                self.substitutions(child, state)

    # --- words ---------------------------------------------------------------------------

    def word(self, node: Any, state: ShellState) -> Word:
        row, column = self.point(node.start_point)
        kind = node.type
        raw = self.text(node)
        if kind == "word":
            if "\\" in raw:
                joined = raw.replace("\\\n", "")  # a line continuation inside the word
                return Word(_ESCAPE.sub(r"\1", joined), False, row, column, False)
            return Word(raw, False, row, column, True)
        if kind == "raw_string":
            return Word(raw[1:-1], False, row, column + 1, True)
        if kind == "ansi_c_string":
            body = raw[2:-1]
            if "\\" not in body:
                return Word(body, False, row, column + 2, True)
            value = _ANSI_C_ESCAPE.sub(_ansi_c_character, body)
            flat = value.count("\n") != body.count("\n")
            return Word(value, False, row, column + 2, False, flat)
        if kind == "string":
            return self.string(node, state, row, column)
        if kind == "concatenation":
            return _joined([self.word(child, state) for child in node.children], "", row, column)
        if kind in {"simple_expansion", "expansion"}:
            return self.expansion(raw, state, row, column)
        if kind in {"command_substitution", "process_substitution", "arithmetic_expansion"}:
            return Word(raw, True, row, column, False)
        if kind == "array":  # (a b c): its elements, as one value "${name[@]}" splits again
            elements = [self.word(child, state) for child in node.named_children]
            return _joined(elements, " ", row, column)
        return Word(raw, False, row, column, False)

    def string(self, node: Any, state: ShellState, row: int, column: int) -> Word:
        parts: list[str] = []
        dynamic = False
        exact = True
        # tree-sitter leaves the line breaks between pieces of a string out of every child.
        previous_end = node.start_byte + 1
        for child in node.children:
            kind = child.type
            if child.start_byte > previous_end:
                gap = self.source[previous_end : child.start_byte]
                parts.append(gap.decode("utf-8", "replace"))
            previous_end = max(previous_end, child.end_byte)
            if kind == '"':
                continue
            if kind == "string_content":
                content = self.text(child)
                if "\\" in content:
                    # A backslash-newline is read the same way again when the string is code.
                    escaped = content.replace("\\\n", "")
                    if "\\" in escaped:
                        exact = False
                    content = _DQ_ESCAPE.sub(_unescape_keeping_newline, content)
                parts.append(content)
                continue
            source = self.text(child)
            if kind in {"simple_expansion", "expansion"}:
                part = self.expansion(source, state, row, column)
                dynamic = dynamic or part.dynamic
                parts.append(part.value)
                # An unknown variable stays as written, so the code keeps its columns.
                exact = exact and part.value == source
            else:
                dynamic = True
                parts.append(source)
        return Word("".join(parts), dynamic, row, column + 1, exact)

    def expansion(self, raw: str, state: ShellState, row: int, column: int) -> Word:
        element = _ELEMENTS.match(raw)
        if element is not None and element.group("name") in state.variables:
            value = state.variables[element.group("name")]
            if element.group("index") == "0":
                value = (value.split() or [""])[0]
            return self.known(value, raw, row, column)
        if raw.startswith("${"):
            match = _EXPANSION.match(raw)
            if match is None:
                number = raw[2:-1]
                if number.isdigit():
                    return self.argument(int(number), raw, row, column)
                return Word(raw, True, row, column)
            name = match.group("name")
            empty_takes_default = (match.group("op") or "").startswith(":")
            if (
                name.isdigit()
                and self.arguments is not None
                and 0 < int(name) <= len(self.arguments)
            ):
                given = self.arguments[int(name) - 1]  # a default is for an argument left out
                if given.value or not empty_takes_default:
                    return Word(given.value, given.dynamic, row, column)
            if name in state.variables and (state.variables[name] or not empty_takes_default):
                return self.known(state.variables[name], raw, row, column)
            default = match.group("default")
            op = match.group("op") or ""
            if default is not None and op.endswith(("-", "=")):
                text = default.strip("\"'")
                if _EXPANSION.match(text):  # ${A:-${B:-c}}: the default is an expansion
                    word = self.expansion(text, state, row, column)
                else:
                    word = self.default(text, state, row, column)
                if op.endswith("=") and not name.isdigit():
                    state.assign(name, word.value)  # ${NAME=DEFAULT} sets NAME as well
                return word
            return Word(raw, True, row, column)
        name = raw[1:]
        if name.isdigit():
            return self.argument(int(name), raw, row, column)
        if name in state.variables:
            return self.known(state.variables[name], raw, row, column)
        return Word(raw, True, row, column)

    @staticmethod
    def known(value: str, raw: str, row: int, column: int) -> Word:
        """A variable's value; one set from ``$(...)`` is the command's output, not known.
        One set from nothing but a value not known here (``PIP=$2``) holds that reference:
        it reads as the variable, by its name, as one never set does."""
        if _ONLY_A_REFERENCE.fullmatch(value):
            return Word(raw, True, row, column)
        return Word(value, "$(" in value or "`" in value, row, column)

    @staticmethod
    def default(text: str, state: ShellState, row: int, column: int) -> Word:
        """The default of ``${NAME:-DEFAULT}``, its own variables expanded where known."""
        if "$" not in text:
            return Word(text, False, row, column)
        unknown = "$(" in text

        def value(reference: re.Match[str]) -> str:
            nonlocal unknown
            name = reference.group(1) or reference.group(2)
            if name in state.variables:
                return state.variables[name]
            unknown = True
            return reference.group(0)

        return Word(_REFERENCE.sub(value, text), unknown, row, column)

    def argument(self, number: int, raw: str, row: int, column: int) -> Word:
        """``$1`` in the body of a function being called: that argument of the call."""
        if self.arguments is not None and 0 < number <= len(self.arguments):
            found = self.arguments[number - 1]
            return Word(found.value, found.dynamic, row, column)
        return Word(raw, True, row, column)


def _joined(parts: list[Word], separator: str, row: int, column: int) -> Word:
    """One word of ``parts``' values; not known here if any part is not."""
    value = separator.join(part.value for part in parts)
    return Word(value, any(part.dynamic for part in parts), row, column, False)


def _holds(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one of ``spans`` (sorted) lies within ``start`` to ``end``."""
    at = bisect.bisect_left(spans, (start, start))
    while at < len(spans) and spans[at][0] < end:
        if spans[at][1] <= end:
            return True
        at += 1
    return False


def _in_a_name(character: bytes) -> bool:
    """Whether a byte beside a function's name makes it part of a longer word."""
    return character.isalnum() or character in {b"_", b"-"}
