"""Makefiles: recipe lines, each run by its own shell unless ``.ONESHELL`` is set.

A recipe line starts with a tab (or the ``.RECIPEPREFIX``) after a rule line; its ``@``,
``-`` and ``+`` prefixes are dropped, a backslash-newline continues it (make hands both to
the shell and removes the next line's leading tab), ``$$`` is a literal ``$``, and
``$(VAR)``/``${VAR}`` expand from the file's simple assignments. ``export VAR = value``
puts the variable in every recipe's environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from venvguard.sources.snippet import Snippet

_ASSIGNMENT = re.compile(
    r"^(?P<export>export\s+|override\s+)?(?P<name>[A-Za-z_.][A-Za-z0-9_.-]*)\s*"
    r"(?P<op>:::=|::=|:=|\?=|\+=|!=|=)\s*(?P<value>.*)$"
)
_RULE = re.compile(r"^(?P<targets>[^:=#\t][^:=#]*?)\s*::?(?!=)\s*(?P<rest>.*)$")
_CONDITIONAL = re.compile(r"^(?:ifeq|ifneq|ifdef|ifndef|else|endif|-?include|sinclude|vpath)\b")
_REFERENCE = re.compile(r"\$\(([^()]*)\)|\$\{([^{}]*)\}|\$([@<^*?%+|])")
_SENTINEL = "\x00"


def _expand(value: str, variables: dict[str, str], depth: int = 0) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(3) is not None:
            return "_"
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if inner.startswith("shell "):
            # make runs it and substitutes its output, as the shell's $( ) does
            return _SENTINEL + "(" + _expand(inner[6:].strip(), variables, depth + 1) + ")"
        if " " in inner.strip() or "," in inner:
            return _SENTINEL + "(" + inner + ")"
        name = inner.split(":", 1)[0].strip()
        if name == "MAKE":
            return "make"
        if name in variables and depth < 10:
            return _expand(variables[name], variables, depth + 1)
        return _SENTINEL + "{" + name + "}"

    return _REFERENCE.sub(replace, value.replace("$$", _SENTINEL))


def _finish(value: str) -> str:
    return value.replace(_SENTINEL, "$")


class _Pending:
    """A recipe line read, waiting for the whole file's variables (make expands it late)."""

    __slots__ = ("pieces", "row", "column", "rule", "targets")

    def __init__(
        self, pieces: list[str], row: int, column: int, rule: int, targets: list[str]
    ) -> None:
        self.pieces = pieces
        self.row = row
        self.column = column
        self.rule = rule
        self.targets = targets


def snippets(path: str, text: str) -> Iterator[Snippet]:
    lines = text.split("\n")
    variables: dict[str, str] = {}
    exported: set[str] = set()
    # Target-specific assignments (``install: PIP = pip3``): (variables, exported) per target.
    per_target: dict[str, tuple[dict[str, str], set[str]]] = {}
    pending: list[_Pending] = []
    oneshell = bool(re.search(r"^\.ONESHELL\s*:", text, re.MULTILINE))
    prefix = "\t"
    in_rule = False
    rule = 0
    targets: list[str] = []
    index = 0
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        if in_rule and raw.startswith(prefix):
            start = index
            pieces = [raw[len(prefix) :]]
            while pieces[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                following = lines[index].rstrip("\r")
                pieces.append(following[1:] if following.startswith("\t") else following)
            index += 1
            pending.append(_Pending(pieces, start, len(prefix), rule, targets))
            continue
        logical = raw
        while logical.endswith("\\") and index + 1 < len(lines):
            index += 1
            logical = logical[:-1] + " " + lines[index].strip()
        index += 1
        stripped = logical.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("define "):
            while index < len(lines) and not lines[index].strip().startswith("endef"):
                index += 1
            index += 1
            continue
        if _CONDITIONAL.match(stripped):
            continue
        assignment = _ASSIGNMENT.match(stripped)
        if assignment is not None:
            name = assignment.group("name")
            if name == ".RECIPEPREFIX":
                prefix = assignment.group("value").split(" #", 1)[0].strip()[:1] or "\t"
            else:
                _assign(assignment, variables, exported)
            in_rule = False
            continue
        words = stripped.split()
        if words[0] in {"export", "unexport"}:
            for name in words[1:]:
                (exported.add if words[0] == "export" else exported.discard)(name)
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
                pending.append(_Pending([command], index - 1, column, rule, targets))
            continue
        in_rule = False
    # Recipes are expanded when they run, after the whole file is read: every variable has
    # its last value, wherever in the file it was set.
    previous_rule = 0
    for item in pending:
        scope, names = dict(variables), set(exported)
        for target in item.targets:
            own, own_exported = per_target.get(target, ({}, set()))
            scope.update(own)
            names |= own_exported
        env = {name: _finish(_expand(scope.get(name, ""), scope)) for name in sorted(names)}
        snippet = _recipe(item.pieces, item.row, item.column, scope)
        if snippet is None:
            continue
        fresh = item.rule != previous_rule or not oneshell
        previous_rule = item.rule
        yield Snippet(snippet.text, snippet.origins, env=env, fresh=fresh)


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
    elif op != "!=":
        variables[name] = _expand(value, seen) if op.startswith(":") else value
    if (assignment.group("export") or "").startswith("export"):
        exported.add(name)


def _recipe(pieces: list[str], row: int, column: int, variables: dict[str, str]) -> Snippet | None:
    first = pieces[0]
    body = first.lstrip(" \t@+-")
    column += len(first) - len(body)
    expanded = [_finish(_expand(piece, variables)) for piece in [body, *pieces[1:]]]
    text = "\n".join(expanded)
    if not text.strip():
        return None
    origins = ((row + 1, column), *((row + 1 + i, 1) for i in range(1, len(pieces))))
    return Snippet(text, origins)
