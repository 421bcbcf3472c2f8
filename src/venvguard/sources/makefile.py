"""Makefiles: recipe lines, each run by its own shell unless ``.ONESHELL`` is set.

A recipe line starts with a tab (or the ``.RECIPEPREFIX``) after a rule line; its ``@``,
``-`` and ``+`` prefixes are dropped, a backslash-newline continues it (make hands both to
the shell and removes the next line's leading tab), ``$$`` is a literal ``$``, and
``$(VAR)``/``${VAR}`` expand from the file's simple assignments. ``export VAR = value``
puts the variable in every recipe's environment, and ``include``/``-include`` reads what the
files it names set (looked for from the Makefile's folder, where make runs; only files of
the repository). ``$(shell ...)`` runs when make reads a
``:=`` assignment or a line of its own, and a ``!=`` value is a command too. A ``define``
body that a recipe line runs whole (``$(NAME)``, ``$(call NAME,...)``) is read where it is
written, once, each of its lines a recipe line; one that is only text is never read.
``$(foreach ...)``, ``$(if ...)`` and ``$(strip ...)`` are replaced by what one run gives.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from venvguard.shell.state import only_lowers_risk
from venvguard.sources.snippet import Snippet, SourceError

_ASSIGNMENT = re.compile(
    r"^(?P<export>export\s+|override\s+)?(?P<name>[A-Za-z_.][A-Za-z0-9_.-]*)\s*"
    r"(?P<op>:::=|::=|:=|\?=|\+=|!=|=)\s*(?P<value>.*)$"
)
_RULE = re.compile(r"^(?P<targets>[^:=#\t][^:=#]*?)\s*::?(?!=)\s*(?P<rest>.*)$")
_CONDITIONAL = re.compile(r"^(?:ifeq|ifneq|ifdef|ifndef|else|endif|-?include|sinclude|vpath)\b")
_OPENS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef"})
_REFERENCE = re.compile(r"\$\(([^()]*)\)|\$\{([^{}]*)\}|\$([@<^*?%+|])")
_SENTINEL = "\x00"
#: A ``$(shell ...)`` that may install: once run for a ``:=`` value, never run again. Any
#: other keeps its command as the value's stand-in (``command -v pip3`` names a pip).
_RUNS_AN_INSTALL = re.compile(r"install|setup\.py|get-pip")


#: The functions of make that decide which commands a recipe line runs.
_FUNCTION_CALL = re.compile(r"\$([({])(foreach|if|strip)\s")


def _call_end(text: str, start: int) -> int | None:
    """Where the call whose ``$`` is at ``start`` ends: make counts only delimiters of the
    kind that opened it."""
    opener = text[start + 1]
    closer = ")" if opener == "(" else "}"
    depth = 0
    for at in range(start + 1, len(text)):
        if text[at] == opener:
            depth += 1
        elif text[at] == closer:
            depth -= 1
            if depth == 0:
                return at + 1
    return None


def _arguments(body: str, count: int) -> list[str]:
    """A call's ``count`` arguments: split at the commas outside any reference."""
    parts: list[str] = []
    depth = last = 0
    for at, character in enumerate(body):
        if character in "({":
            depth += 1
        elif character in ")}":
            depth -= 1
        elif character == "," and depth == 0 and len(parts) < count - 1:
            parts.append(body[last:at])
            last = at + 1
    parts.append(body[last:])
    return parts + [""] * (count - len(parts))


def _call(name: str, body: str, variables: dict[str, str], depth: int, ran: bool) -> str:
    """What one run of ``$(name body)`` gives: ``foreach`` its text for the list's first
    word (each word's run is the same command), ``if`` the branch its condition takes, or
    when the condition is not known here (``$(CI)``), the branch that installs."""
    if name == "strip":
        return " ".join(_expand(body, variables, depth + 1, ran).split())
    if name == "foreach":
        variable, items, text = _arguments(body, 3)
        words = _expand(items, variables, depth + 1, ran).split()
        if not words:
            return ""
        return _expand(text, {**variables, variable.strip(): words[0]}, depth + 1, ran)
    condition, then, otherwise = _arguments(body, 3)
    tested = _expand(condition.strip(), variables, depth + 1, ran)
    if _SENTINEL + "{" in tested or _SENTINEL + "(" in tested:
        installs = _RUNS_AN_INSTALL.search(then) or not _RUNS_AN_INSTALL.search(otherwise)
        chosen = then if installs else otherwise
    else:
        chosen = then if tested.strip() else otherwise
    return _expand(chosen, variables, depth + 1, ran)


def _calls_expanded(value: str, variables: dict[str, str], depth: int, ran: bool) -> str:
    out: list[str] = []
    at = 0
    while (call := _FUNCTION_CALL.search(value, at)) is not None:
        end = _call_end(value, call.start())
        if end is None:
            break
        body = value[call.end() : end - 1]
        out += [value[at : call.start()], _call(call.group(2), body, variables, depth, ran)]
        at = end
    return "".join(out) + value[at:]


def _expand(value: str, variables: dict[str, str], depth: int = 0, ran: bool = False) -> str:
    """``value`` as make expands it; ``ran``: its ``$(shell ...)`` calls have run already
    (a ``:=`` value), and only their output, unknown here, is left."""

    def replace(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return "_"
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if inner.startswith("shell "):
            if ran and _RUNS_AN_INSTALL.search(inner):
                # Reported where it ran; its output is not known here.
                return _SENTINEL + "{_make_shell_output_}"
            # make runs it and substitutes its output, as the shell's $( ) does
            return _SENTINEL + "(" + _expand(inner[6:].strip(), variables, depth + 1) + ")"
        if " " in inner.strip() or "," in inner:
            return _SENTINEL + "(" + inner + ")"
        name = inner.split(":", 1)[0].strip()
        if name == "MAKE":
            return "make"
        if name in variables and depth < 10:
            return _expand(variables[name], variables, depth + 1, ran)
        return _SENTINEL + "{" + name + "}"

    value = value.replace("$$", _SENTINEL)
    if depth < 10 and _FUNCTION_CALL.search(value):
        value = _calls_expanded(value, variables, depth, ran)
    return _REFERENCE.sub(replace, value)


def _finish(value: str) -> str:
    return value.replace(_SENTINEL, "$")


#: ``$$`` or a reference, as make reads a recipe line from left to right.
_TOKEN = re.compile(r"\$\$|" + _REFERENCE.pattern)


def _expand_traced(piece: str, variables: dict[str, str]) -> tuple[str, list[tuple[int, int]]]:
    """``piece`` expanded for the shell, and ``(text column, piece column)`` pairs: from each
    text column on, the text is the piece's own from that piece column."""
    out: list[str] = []
    anchors: list[tuple[int, int]] = []
    length = last = 0
    for start, end in _tokens(piece):
        token = piece[start:end]
        value = "$" if token == "$$" else _finish(_expand(token, variables))
        out += [piece[last:start], value]
        length += start - last + len(value)
        last = end
        if len(value) != len(token):
            anchors.append((length, last))
    out.append(piece[last:])
    return "".join(out), anchors


def _tokens(piece: str) -> Iterator[tuple[int, int]]:
    """Where each ``$$``, reference and whole function call of a recipe line is."""
    at = 0
    while True:
        match = _TOKEN.search(piece, at)
        call = _FUNCTION_CALL.search(piece, at)
        if call is not None and (match is None or call.start() <= match.start()):
            end = _call_end(piece, call.start())
            if end is not None:
                yield call.start(), end
                at = end
                continue
        if match is None:
            return
        yield match.start(), match.end()
        at = match.end()


class _Pending:
    """A recipe line read, waiting for the whole file's variables (make expands it late).

    ``pieces`` are its file lines from ``row`` on, each with the column it starts at.
    """

    __slots__ = ("pieces", "row", "rule", "targets")

    def __init__(
        self, pieces: list[tuple[str, int]], row: int, rule: int, targets: list[str]
    ) -> None:
        self.pieces = pieces
        self.row = row
        self.rule = rule
        self.targets = targets


#: Reads a file of the repository by its path from the root: its text, or None.
ReadFile = Callable[[str], "str | None"]
_DEEPEST_INCLUDE = 8


class _Make:
    """What make knows once it has read a file and every file that file includes."""

    __slots__ = ("export_all", "exported", "per_target", "read", "reading", "unexported")

    def __init__(self, read: ReadFile | None) -> None:
        self.exported: set[str] = set()
        self.unexported: set[str] = set()
        #: A bare ``export`` (or ``.EXPORT_ALL_VARIABLES:``) exports every variable; the last
        #: bare ``export``/``unexport`` holds, as recipes run after every file is read.
        self.export_all = False
        # Target-specific assignments (``install: PIP = pip3``): (variables, exported) each.
        self.per_target: dict[str, tuple[dict[str, str], set[str]]] = {}
        self.read = read
        self.reading: list[str] = []  # the files being read, the outermost first


def snippets(path: str, text: str, included: ReadFile | None = None) -> Iterator[Snippet]:
    """The shell code of a Makefile; ``included`` reads the files its ``include`` lines name."""
    make = _Make(included)
    make.reading.append(path)
    yield from _read(make, {}, path, text)


def _include(make: _Make, variables: dict[str, str], names: str) -> None:
    """Read what the files an ``include`` line names set, as make does at that line: a name
    is looked for from where make runs, the folder of the Makefile it was given."""
    if make.read is None or len(make.reading) > _DEEPEST_INCLUDE:
        return
    folder = posixpath.dirname(make.reading[0])
    for name in _finish(_expand(names, variables)).split():
        if "$" in name or name.startswith("/") or any(c in name for c in "*?["):
            continue  # not known here, outside the repository, or a pattern
        other = posixpath.normpath(posixpath.join(folder, name))
        if other.startswith("../") or other in make.reading:
            continue
        text = make.read(other)
        if text is None:
            continue
        make.reading.append(other)
        try:
            for _ in _read(make, variables, other, text):
                pass  # its own commands are its own file's; only what it sets counts here
        except SourceError:
            pass  # reported when that file is checked itself
        finally:
            make.reading.pop()


def _read(make: _Make, variables: dict[str, str], path: str, text: str) -> Iterator[Snippet]:
    lines = text.split("\n")
    exported, unexported, per_target = make.exported, make.unexported, make.per_target
    if re.search(r"^\.EXPORT_ALL_VARIABLES\s*:", text, re.MULTILINE):
        make.export_all = True
    pending: list[_Pending] = []
    #: ``define NAME`` ... ``endef``: the lines of each body, as a range of file lines.
    defines: dict[str, tuple[int, int]] = {}
    oneshell = bool(re.search(r"^\.ONESHELL\s*:", text, re.MULTILINE))
    prefix = "\t"
    in_rule = False
    rule = 0
    targets: list[str] = []
    opened: list[tuple[str, int]] = []  # the conditionals open, with their lines
    problem: SourceError | None = None  # make stops at it; the rest is still read
    index = 0
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        if in_rule and raw.startswith(prefix):
            start = index
            pieces, index = _recipe_line(lines, index, len(lines), len(prefix))
            pending.append(_Pending(pieces, start, rule, targets))
            continue
        if in_rule and raw.startswith(" ") and prefix == "\t" and _spaced_recipe(raw):
            # make stops at it ("missing separator"); it was meant as a recipe line
            if problem is None:
                problem = SourceError(_SPACED_RECIPE, index + 1)
            start = index
            indent = len(raw) - len(raw.lstrip(" "))
            pieces, index = _recipe_line(lines, index, len(lines), indent)
            pending.append(_Pending(pieces, start, rule, targets))
            continue
        logical = raw
        row = index
        while logical.endswith("\\") and index + 1 < len(lines):
            index += 1
            logical = logical[:-1] + " " + lines[index].strip()
        index += 1
        stripped = logical.strip()
        if not stripped or stripped.startswith("#"):
            continue
        assignment = _ASSIGNMENT.match(stripped)
        yield from _read_time_shells(logical, row, assignment, variables)
        if stripped.startswith("define "):
            body = index
            while index < len(lines) and not lines[index].strip().startswith("endef"):
                index += 1
            name = stripped.split()[1] if len(stripped.split()) > 1 else ""
            defines[name.rstrip(":+?!=")] = (body, index)
            if index >= len(lines) and problem is None:
                problem = SourceError("`define` is never closed with `endef`", row + 1)
            index += 1
            continue
        if _CONDITIONAL.match(stripped):
            directive, *included = stripped.split(None, 1)
            if directive in {"include", "-include", "sinclude"}:
                _include(make, variables, "".join(included).split("#", 1)[0])
            elif directive in _OPENS:
                opened.append((directive, row + 1))
            elif directive == "endif" and opened:
                opened.pop()
            elif directive == "endif" and problem is None:
                problem = SourceError("`endif` with no conditional open", row + 1)
            continue
        if assignment is not None:
            name = assignment.group("name")
            if opened and not variables.get(name) and only_lowers_risk(assignment["value"]):
                # ifdef DESTDIR / OPTS = --root=$(DESTDIR): a run without it has no OPTS
                in_rule = False
                continue
            if name == ".RECIPEPREFIX":
                prefix = assignment.group("value").split(" #", 1)[0].strip()[:1] or "\t"
            else:
                _assign(assignment, variables, exported)
            in_rule = False
            continue
        words = stripped.split()
        if words[0] in {"export", "unexport"}:
            if len(words) == 1:
                make.export_all = words[0] == "export"
            for name in words[1:]:
                (exported.add if words[0] == "export" else exported.discard)(name)
                (unexported.discard if words[0] == "export" else unexported.add)(name)
            continue
        matched = _RULE.match(logical)
        if matched is not None:
            rest = matched.group("rest")
            target_assignment = _ASSIGNMENT.match(rest.strip())
            if target_assignment is not None:
                for target in matched.group("targets").split():
                    own, own_exported = per_target.setdefault(target, ({}, set()))
                    _assign(target_assignment, own, own_exported, {**variables, **own})
                in_rule = False
                continue
            targets = matched.group("targets").split()
            rule += 1
            in_rule = True
            if ";" in rest and not rest.lstrip().startswith("="):
                command = rest.split(";", 1)[1]
                column = logical.index(command) if command in logical else 0
                pending.append(_Pending([(command, column)], index - 1, rule, targets))
            continue
        in_rule = False
    # Recipes are expanded when they run, after the whole file is read: every variable has
    # its last value, wherever in the file it was set.
    previous_rule = 0
    for item in pending:
        scope, names = dict(variables), set(exported)
        if make.export_all:
            names |= {name for name in variables if name.isidentifier()} - unexported
        for target in item.targets:
            own, own_exported = per_target.get(target, ({}, set()))
            scope.update(own)
            names |= own_exported
        env = {name: _finish(_expand(scope.get(name, ""), scope)) for name in sorted(names)}
        canned = _CANNED.fullmatch(item.pieces[0][0].strip(" \t@+-"))
        if canned is not None and len(item.pieces) == 1:
            name = canned.group("name") or canned.group("braced") or canned.group("called")
            if name in defines:
                yield from _canned(lines, *defines.pop(name), scope, env, oneshell)
                previous_rule = 0
                continue
        snippet = _recipe(item.pieces, item.row, scope)
        if snippet is None:
            continue
        fresh = item.rule != previous_rule or not oneshell
        previous_rule = item.rule
        yield Snippet(snippet.text, snippet.origins, env=env, fresh=fresh, joins=snippet.joins)
    if problem is None and opened:
        directive, line = opened[0]
        problem = SourceError(f"`{directive}` is never closed with `endif`", line)
    if problem is not None:
        raise problem


_SPACED_RECIPE = "a recipe line indented with spaces, not a tab (make stops: missing separator)"
_MAKE_WORDS = ("define", "endef", "export", "unexport", "override", "include", "-include")


def _spaced_recipe(raw: str) -> bool:
    """Whether a line indented with spaces in a rule is none of make's own lines (those
    may be indented so), and so a recipe line make refuses."""
    stripped = raw.strip()
    return not (
        not stripped
        or stripped.startswith("#")
        or stripped.split()[0] in _MAKE_WORDS
        or _CONDITIONAL.match(stripped)
        or _ASSIGNMENT.match(stripped)
        or _RULE.match(raw)
    )


#: A recipe line that is a canned recipe, whole: ``$(NAME)``, ``${NAME}``, ``$(call NAME,..)``.
_CANNED = re.compile(
    r"\$\((?P<name>[\w.-]+)\)|\$\{(?P<braced>[\w.-]+)\}|\$\(call\s+(?P<called>[\w.-]+)[^()]*\)"
)


def _recipe_line(
    lines: list[str], index: int, end: int, prefix: int
) -> tuple[list[tuple[str, int]], int]:
    """The file lines of the recipe line at ``index`` (a backslash-newline goes on, and make
    drops the next line's leading tab), each with the column it starts at; and the index
    after them. ``prefix`` is the length of the recipe prefix the first line starts with."""
    pieces = [(lines[index].rstrip("\r")[prefix:], prefix)]
    while pieces[-1][0].endswith("\\") and index + 1 < end:
        index += 1
        following = lines[index].rstrip("\r")
        tab = 1 if following.startswith("\t") else 0
        pieces.append((following[tab:], tab))
    return pieces, index + 1


def _canned(
    lines: list[str],
    start: int,
    end: int,
    variables: dict[str, str],
    env: dict[str, str],
    oneshell: bool,
) -> Iterator[Snippet]:
    """The lines of a ``define`` body a recipe runs, where they are written: each one a
    recipe line of its own (its own shell, unless ``.ONESHELL``)."""
    index = start
    first = True
    while index < end:
        row = index
        pieces, index = _recipe_line(lines, index, end, 0)
        snippet = _recipe(pieces, row, variables)
        if snippet is not None:
            fresh = first or not oneshell
            first = False
            yield Snippet(snippet.text, snippet.origins, env=env, fresh=fresh, joins=snippet.joins)


def _read_time_shells(
    logical: str, row: int, assignment: re.Match[str] | None, variables: dict[str, str]
) -> Iterator[Snippet]:
    """The shell commands make runs while it reads a line that is not a recipe:
    ``$(shell ...)`` in a ``:=`` value or a line of its own, and a ``!=`` value.

    A ``=`` value runs its ``$(shell ...)`` only where it is used, in a recipe or another
    ``:=``; that is where it is read.
    ``assignment`` is the line's own match of ``_ASSIGNMENT``, if it is one.
    """
    indent = len(logical) - len(logical.lstrip())
    calls: list[tuple[int, str]] = []
    if assignment is not None:
        op = assignment.group("op")
        start = indent + assignment.start("value")
        if op == "!=":
            calls.append((start, assignment.group("value")))
        elif op.startswith(":"):
            calls += [(start + at, code) for at, code in _shell_calls(assignment.group("value"))]
    elif "$(shell" in logical and not _RULE.match(logical):
        calls = list(_shell_calls(logical))
    for column, code in calls:
        text, anchors = _expand_traced(code, variables)
        if text.strip():
            joins = tuple((0, at, row + 1, column + source) for at, source in anchors)
            yield Snippet(text, ((row + 1, column),), joins=joins)


def _shell_calls(text: str) -> Iterator[tuple[int, str]]:
    """``(column, command)`` of each outermost ``$(shell command)`` in ``text``."""
    search = 0
    while (start := text.find("$(shell ", search)) != -1:
        depth, position = 1, start + 2
        while position < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[position], 0)
            position += 1
        code_start = start + len("$(shell ")
        code = text[code_start : position - 1 if depth == 0 else position]
        stripped = code.lstrip()
        yield code_start + len(code) - len(stripped), stripped
        search = position


def _assign(
    assignment: re.Match[str],
    variables: dict[str, str],
    exported: set[str],
    outer: dict[str, str] | None = None,
) -> None:
    """Apply ``NAME op value`` to ``variables``; ``outer`` is what the value sees around it."""
    name, op, value = assignment.group("name", "op", "value")
    value = value.split(" #", 1)[0].strip()
    seen = variables if outer is None else outer
    if op == "+=":
        variables[name] = (seen.get(name, "") + " " + value).strip()
    elif op == "?=":
        if name not in seen:
            variables[name] = value
    elif op != "!=":  # a != value is a command's output, not known here
        variables[name] = _expand(value, seen, ran=True) if op.startswith(":") else value
    if (assignment.group("export") or "").startswith("export"):
        exported.add(name)


def _recipe(pieces: list[tuple[str, int]], row: int, variables: dict[str, str]) -> Snippet | None:
    """The shell code of one recipe line: ``pieces`` are its file lines, each with the
    column it starts at."""
    first, column = pieces[0]
    body = first.lstrip(" \t@+-")
    starts = [column + len(first) - len(body), *(start for _, start in pieces[1:])]
    expanded: list[str] = []
    joins: list[tuple[int, int, int, int]] = []
    for offset, piece in enumerate([body, *(piece for piece, _ in pieces[1:])]):
        text, anchors = _expand_traced(piece, variables)
        expanded.append(text)
        line = row + 1 + offset
        joins += [(offset, at, line, starts[offset] + source) for at, source in anchors]
    text = "\n".join(expanded)
    if not text.strip():
        return None
    origins = tuple((row + 1 + i, start) for i, start in enumerate(starts))
    return Snippet(text, origins, joins=tuple(joins))
