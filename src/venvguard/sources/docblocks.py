"""Code blocks of documentation (Markdown fences, reST directives) as shell snippets.

The block's language decides the dialect: ``bash``/``sh``/``shell``/``zsh`` are scripts,
``console`` and friends are sessions where only prompt lines (``$ ``, ``% ``,
``user@host:~$ ``, ``[user@host ~]$ ``, an arrow or a lambda, ``PS> ``, ``C:\\>``) and
their continuations (after a ``\\`` or an open quote, ``> `` in front) are commands
and the rest is output. A block without a language is read
as a session when it has prompts, else as a script; a block without a language, or a
session without a single prompt, keeps only the lines that look like commands.
``dockerfile`` blocks are read as Dockerfiles. In ``python``/``ipython`` blocks, as in
a notebook cell, only ``!`` lines and a ``%%bash`` cell are shell (READMEs made from
notebooks keep them). A plain-text block (``none``, ``text``) with prompts is a session.
Other languages are not shell.

In a session, lines before the first prompt cannot be output: those that look like
commands are kept. A placeholder such as ``<repository>`` or ``<project dir>`` is read as
one word, not as a redirection that would swallow the next line's command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from venvguard.sources.snippet import Snippet

_SCRIPT = frozenset({"bash", "sh", "shell", "zsh", "ksh", "shell-script", "shellscript", "bat"})
_SESSION = frozenset(
    {"console", "shell-session", "shellsession", "sh-session", "terminal", "bash-session"}
    | {"doscon", "ps1con", "pwsh-session", "powershell-session"}
)
_POWERSHELL = frozenset(
    {"powershell", "ps1", "pwsh", "ps", "posh", "pwsh-session", "ps1con", "powershell-session"}
)
_BATCH = frozenset({"batch", "cmd", "doscon", "dos", "bat", "winbatch"})
_PYTHON = frozenset({"python", "py", "python3", "ipython", "ipython3", "jupyter", "ipynb"})
_PLAIN = frozenset({"none", "text", "txt", "plain", "plaintext"})
_PLACEHOLDER = re.compile(r"<[A-Za-z][\w.:/-]*(?: [\w.:/-]+){0,4}>")
_COMMAND_LINE = re.compile(
    r"^\s*(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:sudo|doas|su|pip[0-9.]*|python[0-9.]*|py|pypy[0-9.]*|uv|"
    r"easy_install|conda|mamba|source|\.|export|env|cd|git|curl|wget|apt(?:-get)?|yum|dnf|"
    r"brew|docker|make|bash|sh|zsh|pipx|poetry|pipenv|virtualenv|deactivate|set|"
    r"[\w.~$/-]*/[\w.-]+)(?:\s|$)"
)
_PROMPT = re.compile(
    r"^(?:\([^)]*\)\s*)?(?:[\w.@~:/\\-]*\s?|\[[^\]\n]*\]\s?)?[$%\u276f\u279c\u03bb\u00bb]\s"
    r"|^(?:\([^)]*\)\s*)?(?:PS\b[^>\n]*|[A-Za-z]:\\[^>\n]*)>\s?|^>>>\s"
    # root's prompt ends in "#": only with its user@host, as a bare "#" starts a comment
    r"|^(?:[\w.-]+@[\w.-]+:[^\s#]*|\[[\w.-]+@[^\]\n]*\])#\s"
)

_BARE_PROMPT = re.compile(r"^\s*>\s(?=" + _COMMAND_LINE.pattern.removeprefix("^") + ")")


def language(info: str) -> str:
    """The language word of a fence info string (``bash``, ``{code-block} console``,
    ``sh:setup.sh``, ``{.bash}``)."""
    words = info.strip().split()
    if words and words[0].startswith("{") and words[0].endswith("}"):
        directive = words[0][1:-1].lower()
        if directive.startswith("."):  # a pandoc class: ``{.bash}``
            return directive[1:]
        if directive not in {"code-block", "code", "sourcecode", "prompt", "code-cell"}:
            return directive  # a MyST directive such as {note}: prose, not code
        words = words[1:]
    if not words:
        return ""
    # ``bash:install.sh`` names its file after a colon (Qiita, Zenn).
    return words[0].strip("{}.").lower().split(":", 1)[0]


def block(
    path: str, lang: str, content: Sequence[str], positions: Sequence[tuple[int, int]]
) -> Iterator[Snippet]:
    """Snippets of one code block whose lines start at ``positions`` (line, column)."""
    if lang in {"dockerfile", "docker", "containerfile"}:
        yield from _dockerfile(path, content, positions)
        return
    if lang in _PYTHON:
        from venvguard.sources.notebook import cell_snippets

        for snippet in cell_snippets(content, positions):
            yield Snippet(snippet.text, snippet.origins, snippet.dialect, fresh=False)
        return
    if lang in _POWERSHELL:
        dialect = "powershell"
    elif lang in _BATCH:
        dialect = "batch"
    elif lang in _SCRIPT or lang in _SESSION or lang in _PLAIN or lang == "":
        dialect = "bash"
    else:
        return
    prompts = any(_PROMPT.match(line.lstrip()) for line in content)
    # "> pip install x" with no other prompt: a bare ">" is the prompt, not a redirection
    # (one before a command word; "> out.log" stays a redirection).
    bare = (
        not prompts
        and dialect == "bash"
        and lang not in _PLAIN
        and any(_BARE_PROMPT.match(line) for line in content)
    )
    prompts = prompts or bare
    if lang in _PLAIN and not prompts:
        return
    session = prompts and lang in {"", *_SCRIPT, *_SESSION, *_POWERSHELL, *_BATCH, *_PLAIN}
    untyped = not session and (lang == "" or lang in _SESSION)
    lines: list[str] = []
    origins: list[tuple[int, int]] = []
    continuing = False
    prompted = False
    for raw, (line, column) in zip(content, positions, strict=False):
        text, offset = raw, 0
        if session:
            stripped = raw.lstrip()
            match = _PROMPT.match(stripped) or (_BARE_PROMPT.match(stripped) if bare else None)
            if match is not None and not match.group(0).startswith(">>>"):
                offset = len(raw) - len(stripped) + match.end()
                text = raw[offset:]
                continuing = text.rstrip().endswith("\\")
                prompted = True
            elif (
                continuing
                or (lines and stripped.startswith("> ") and lines[-1])
                or (not prompted and _COMMAND_LINE.match(raw))
            ):
                if stripped.startswith("> ") and lines and lines[-1]:
                    # The shell's continuation prompt (PS2), in front of the rest of a command.
                    offset = len(raw) - len(stripped) + 2
                    text = raw[offset:]
                continuing = text.rstrip().endswith("\\")
            else:
                text, continuing = "", False
        elif untyped:
            # A block without a language may be prose or output: keep command-like lines.
            if continuing or _COMMAND_LINE.match(raw):
                continuing = raw.rstrip().endswith("\\")
            else:
                text, continuing = "", False
        lines.append(text)
        origins.append((line, column + offset))
    if any(line.strip() for line in lines):
        written = "\n".join(lines)
        text = _PLACEHOLDER.sub(_as_word, written)
        yield Snippet(
            text, tuple(origins), dialect, fresh=False, written=written if text != written else None
        )


def _as_word(placeholder: re.Match[str]) -> str:
    """``<project dir>`` as ``_project_dir_``: one word of the same length."""
    return "_" + placeholder.group(0)[1:-1].replace(" ", "_") + "_"


def _dockerfile(
    path: str, content: Sequence[str], positions: Sequence[tuple[int, int]]
) -> Iterator[Snippet]:
    from venvguard.sources import dockerfile

    if not positions:
        return
    first_line = positions[0][0]
    for snippet in dockerfile.snippets(path, "\n".join(content), first_line, whole=False):
        origins = tuple(
            (line, column + _column_at(positions, line - first_line))
            for line, column in snippet.origins
        )
        yield Snippet(snippet.text, origins, snippet.dialect, snippet.env, written=snippet.written)


def _column_at(positions: Sequence[tuple[int, int]], index: int) -> int:
    return positions[index][1] if 0 <= index < len(positions) else 0
