"""What a running shell knows: its variables, and whether a virtual environment is in effect.

A script is read top to bottom; creating a venv does not put it in effect, activating it
does (``source X/bin/activate``, ``conda activate``, ``export VIRTUAL_ENV=...``, a ``PATH``
with the ``bin`` of a venv first, a guard testing ``$VIRTUAL_ENV``, a helper of another file
named for it such as ``virtualenv_activate``), until ``deactivate``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from venvguard.records import Record
from venvguard.shell.installers import looked_up, versioned_name
from venvguard.shell.words import Word
from venvguard.shell.wrappers import basename

_VENV_PATH = re.compile(
    r"venv|virtualenv|virtual_env|(?:^|[/\\])\.?env[/\\]|\.tox[/\\]|\.nox[/\\]|pypoetry|"
    r"\.local/share/virtualenvs|envbindir|envpython",
    re.IGNORECASE,
)
_VENV_SCRIPT = re.compile(r"venv|virtualenv", re.IGNORECASE)
# A test of whether a venv is in effect: sys.prefix != sys.base_prefix, hasattr(sys,
# "real_prefix"); a mere mention (print(sys.base_prefix) to find a folder) is not one.
PREFIX_TEST = re.compile(
    r"(?:base_prefix|real_prefix)[^;|&]{0,25}?(?:!=|==|\bis\b)|"
    r"(?:!=|==|\bis\b)[^;|&]{0,25}?(?:base_prefix|real_prefix)|hasattr\W+sys\W+real_prefix"
)
_VENV_REFERENCE = r'"?x?\$\{?VIRTUAL_ENV(?::?[-+=?][^}]*)?\}?"?'
_VENV_UNSET = re.compile(
    rf"-z\s+{_VENV_REFERENCE}|{_VENV_REFERENCE}\s*==?\s*(?:\"x?\"|'x?'|x)|!\s+-n\s+{_VENV_REFERENCE}"
)
_VENV_SET = re.compile(
    rf"(?:!\s+-z|-[a-y])\s+{_VENV_REFERENCE}\S*|{_VENV_REFERENCE}\S*"
    rf"|{_VENV_REFERENCE}\s*!=\s*(?:\"x?\"|'x?'|x)|-v\s+VIRTUAL_ENV"
)
_LONGEST_EVALUATED = 256
_NOTABLE = re.compile(r"pip|easy_install|setup\.py|activate|venv|conda|sudo", re.IGNORECASE)
#: The working folder spelled out in front of a relative path (``$PWD/venv/bin``).
_HERE = re.compile(r"^(?:\$PWD|\$\{PWD\}|\$\(pwd\)|`pwd`)/")
# Commands that print an activation for ``eval`` to run.
_EVAL_ACTIVATE = re.compile(r"(?:\$\(|`)\s*(?:poetry\s+env|pdm\s+venv)\s+activate\b")
_CONDA_PATH = re.compile(r"conda|mamba|miniforge|[/\\]envs[/\\]", re.IGNORECASE)
_SYSTEM_BIN = re.compile(
    r"^(?:/usr(?:/local)?/s?bin|/s?bin|/opt/homebrew/bin|/usr/local/opt/[^/]+/bin|"
    r"(?:~|\$\{?home\}?|/root|/home/[^/]+)/\.local/bin|.*\.pyenv/(?:shims|versions/[^/]+/bin)|"
    r"/opt/python/[^/]+/bin|/opt/hostedtoolcache/.*|/library/frameworks/.*|"
    r"[a-z]:/python[^/]*(?:/scripts)?|.*/appdata/local/programs/python/.*|"
    # The folders the python.org installer uses, also through their variables (an unknown
    # %NAME% or $env:NAME reaches here spelled ${NAME}).
    r"(?:[a-z]:/program files(?: \(x86\))?|\$\{programfiles\}|%programfiles\(x86\)%|"
    r"\$\{env:programfiles\(x86\)\})/python[^/]*(?:/scripts)?|"
    r"\$\{localappdata\}/programs/python/.*)$",
    re.IGNORECASE,
)


#: ``/opt/py//bin``: the shell reads the slashes after the first as one (a UNC path's
#: leading pair is kept).
_DOUBLED_SLASH = re.compile(r"(?<=[^/])/{2,}")


def environment_of(program: Word) -> str | None:
    """Which Python a program path belongs to: ``venv``, ``conda``, ``system``, ``unknown``.

    ``None`` for a bare name such as ``pip``, found on ``PATH``.
    """
    value = _DOUBLED_SLASH.sub("/", program.value.replace("\\", "/"))
    if program.dynamic and looked_up(value) is not None:
        return None  # $(which python): the first python on PATH, as a bare name is
    if "/" not in value:
        if program.dynamic and versioned_name(value) is None:
            if _VENV_PATH.search(value):
                return "venv"
            return "conda" if _CONDA_PATH.search(value) else "unknown"
        return None
    folder = value.rsplit("/", 1)[0]
    if _CONDA_PATH.search(folder):
        return "conda"
    if _SYSTEM_BIN.match(folder):
        return "system"
    if _VENV_PATH.search(folder):
        return "venv"
    if program.dynamic:
        return "unknown"
    if folder.lower().endswith(("/bin", "/scripts")) or folder.lower() in {"bin", "scripts"}:
        return "venv" if not folder.startswith("/") or folder.count("/") > 2 else "system"
    return "unknown"


#: Set in a snippet's ``env`` when an earlier part of the file (a Dockerfile's ``RUN``)
#: turned pip's protection of the system Python off; its value is the reason, as in
#: ``ShellState.unprotected``. No shell variable can have this name.
UNPROTECTED = "\x00externally-managed-removed"
_REMOVES = re.compile(r"\b(?:rm|mv|unlink)\b|\s-delete\b")
_PIP_CONFIG_SETTING = re.compile(
    r"(?:(?<![\w-])|(?<=\\n))(?P<key>break-system-packages|user)\s*=\s*(?P<value>\w+)",
    re.IGNORECASE,
)
_PIP_CONFIG_SET = re.compile(
    r"\bpip[\w.]*\s+(?:-[\w-]+\s+)*config\s+(?:-[\w-]+\s+)*set\s+[\"']?(?:[\w-]+\.)?"
    r"(?P<key>break-system-packages|user)[\"']?\s+[\"']?(?P<value>\w+)",
    re.IGNORECASE,
)
_TRUE = frozenset({"true", "yes", "on", "1"})


def pip_config_settings(text: str) -> set[str]:
    """Which of ``user`` and ``break-system-packages`` the text of a pip config file
    turns on (``printf '[global]\\nuser = yes\\n'`` counts: the ``\\n`` is a line break)."""
    return {
        match.group("key").lower()
        for match in _PIP_CONFIG_SETTING.finditer(text)
        if match.group("value").lower() in _TRUE
    }


def left_on_the_machine(code: str) -> dict[str, str]:
    """What shell code leaves behind for the code run after it on the same machine (a
    Dockerfile's later ``RUN``s), as entries of their ``env``: the ``EXTERNALLY-MANAGED``
    marker removed, or a pip config file written or set (``pip config set``) that turns
    ``user`` or ``break-system-packages`` on. Read from the text: the code's own commands
    are judged by reading it as a shell does."""
    settings = pip_config_settings(code) if "pip.conf" in code or "pip.ini" in code else set()
    settings.update(
        match.group("key").lower()
        for match in _PIP_CONFIG_SET.finditer(code)
        if match.group("value").strip("\"'").lower() in _TRUE
    )
    left = config_left(settings)
    if "EXTERNALLY-MANAGED" in code and _REMOVES.search(code):
        left[UNPROTECTED] = "marker"
    return left


def config_left(settings: set[str]) -> dict[str, str]:
    """The ``env`` entries that stand for pip config ``settings`` turned on."""
    left: dict[str, str] = {}
    if "break-system-packages" in settings:
        left[UNPROTECTED] = "config-file"
    if "user" in settings:
        left["PIP_USER"] = "1"
    return left


def removes_externally_managed(program: str, args: list[str]) -> bool:
    """Whether a command deletes the ``EXTERNALLY-MANAGED`` marker of a system Python
    (``rm .../EXTERNALLY-MANAGED``, ``find ... -name EXTERNALLY-MANAGED -delete``)."""
    if not any("EXTERNALLY-MANAGED" in arg for arg in args):
        return False
    return program in {"rm", "mv", "unlink"} or (program == "find" and "-delete" in args)


def folder_key(path: str) -> str:
    """A folder's path spelled one way: ``./venv/`` and ``venv`` are the same."""
    path = _DOUBLED_SLASH.sub("/", path.replace("\\", "/")).rstrip("/")
    while path.startswith("./"):
        path = path[2:]
    return path or "."


def venv_bin(folder: str, homes: set[str]) -> bool:
    """Whether ``folder`` is the ``bin`` (``Scripts``) folder of a venv at one of ``homes``."""
    home, _, bin_name = folder_key(folder).rpartition("/")
    return bin_name.lower() in {"bin", "scripts"} and folder_key(home) in homes


_RISKS = (
    re.compile(r"(?:^|\s)(?:sudo|doas)(?:\s|$)"),
    re.compile(r"--break-system-packages|--system\b"),
    re.compile(r"--user\b"),
)


def _risk(value: str) -> int:
    """How badly a value may install when it is run (``P="sudo pip install"``): the
    value a branch sets that is kept when branches set different ones."""
    for rank, risk in enumerate(_RISKS):
        if risk.search(value):
            return len(_RISKS) - rank
    return -1 if _VENV_PATH.search(value) or _ELSEWHERE.search(value) else 0


#: Options that send an install somewhere else than the Python's own site (a staging root,
#: a target folder): a value holding one lowers the risk, below holding none.
_ELSEWHERE = re.compile(r"(?:^|\s)--(?:root|target)\b")


def only_lowers_risk(value: str) -> bool:
    """Whether a value set on some paths only makes an install safer (a venv path,
    ``--root``): the paths that leave it unset are the ones to judge."""
    return _risk(value) < 0


class ShellState(Record):
    """Variables (exported ones reach installers) and the environment in effect."""

    __slots__ = ("variables", "exported", "venv", "conda", "notable", "venv_dirs", "unprotected")

    def __init__(
        self,
        variables: dict[str, str] | None = None,
        exported: set[str] | None = None,
        venv: bool = False,
        conda: bool = False,
        notable: bool = False,
        venv_dirs: set[str] | None = None,
        unprotected: str | None = None,
    ) -> None:
        self.variables: dict[str, str] = {} if variables is None else variables
        self.exported: set[str] = set() if exported is None else exported
        self.venv = venv
        self.conda = conda
        self.notable = notable  # some variable holds an installer or environment word
        self.venv_dirs: set[str] = set() if venv_dirs is None else venv_dirs  # venvs created
        #: How pip's protection of the system Python is gone: its EXTERNALLY-MANAGED
        #: ``marker`` was removed, or a pip ``config-file`` turns break-system-packages on.
        self.unprotected = unprotected

    @classmethod
    def starting(cls, env: Mapping[str, str], managed: bool = False) -> ShellState:
        state = cls()
        for name, value in env.items():
            if name == UNPROTECTED:
                state.unprotected = value
            else:
                state.assign(name, value, exported=True)
        if managed:
            state.venv = True
        return state

    def copy(self) -> ShellState:
        return ShellState(
            dict(self.variables),
            set(self.exported),
            self.venv,
            self.conda,
            self.notable,
            set(self.venv_dirs),
            self.unprotected,
        )

    def absorb(self, branches: list[ShellState], exhaustive: bool = True) -> None:
        """Take in what any of the branches that started from this state may have set
        (``if``/``else``, ``case``; not ``exhaustive``: a run may take none of them). A value
        beats an empty one (``SUDO=sudo`` on one path, ``SUDO=`` on another: some run has
        sudo) unless it only lowers the risk (a venv path, ``--root``), a riskier one a safer
        one, else later branches' values win; an environment
        any of them activated is taken as in effect after them."""
        before = dict(self.variables)
        changed: set[str] = set()
        for branch in branches:
            for name, value in branch.variables.items():
                if before.get(name) == value:
                    continue
                other = self.variables.get(name) if name in changed or not exhaustive else None
                if other and (not value or _risk(value) < _risk(other)):
                    continue
                if other == "" and only_lowers_risk(value):
                    continue  # OPTS= on one path, OPTS=--root=$D on another: some run has none
                self.variables[name] = value
                changed.add(name)
            self.exported |= branch.exported
            self.venv = self.venv or branch.venv
            self.conda = self.conda or branch.conda
            self.notable = self.notable or branch.notable
            self.venv_dirs |= branch.venv_dirs
            self.unprotected = self.unprotected or branch.unprotected

    def keep_environment(self, evaluated: ShellState) -> None:
        """Take what ``eval``'d code did here: an activation, and the variables it set, but
        none longer than ``_LONGEST_EVALUATED``: a configure script evals thousands of
        assignments, each growing the text the next one evals."""
        self.venv, self.conda = evaluated.venv, evaluated.conda
        self.venv_dirs |= evaluated.venv_dirs
        self.unprotected = evaluated.unprotected
        for name, value in evaluated.variables.items():
            if value != self.variables.get(name) and len(value) <= _LONGEST_EVALUATED:
                self.assign(name, value, exported=name in evaluated.exported)

    def keep_machine(self, subshell: ShellState) -> None:
        """Take in what a subshell (``( )``, a pipeline's part, a job run with ``&``) left
        on the machine; its variables and activations end with it."""
        self.venv_dirs |= subshell.venv_dirs
        self.unprotected = self.unprotected or subshell.unprotected

    def environment(self) -> dict[str, str]:
        return {name: self.variables[name] for name in self.exported if name in self.variables}

    def assign(self, name: str, value: str, exported: bool = False, raw: str = "") -> None:
        self.variables[name] = value
        if not self.notable and _NOTABLE.search(value):
            self.notable = True
        if exported:
            self.exported.add(name)
        if name == "VIRTUAL_ENV":
            # Only an exported one is in pip's environment: VIRTUAL_ENV=/v alone names a folder.
            self.venv = bool(value) and name in self.exported
        elif name in {"CONDA_PREFIX", "CONDA_DEFAULT_ENV"}:
            self.conda = bool(value)
        elif name in {"PATH", "Path"}:
            where = self.path_leads_to(value, raw)
            if where == "conda":
                self.conda = True
            elif where == "venv":
                self.venv = True
            elif "PATH" not in value and "PATH" not in raw and "Path" not in value:
                # A PATH built anew, without the one before it: no venv's bin is left in it.
                self.venv = self.conda = False

    def path_leads_to(self, value: str, raw: str = "") -> str | None:
        """``venv`` or ``conda`` when a ``PATH`` of ``value`` (written ``raw``) finds its
        Python in such an environment first: one named like it, or one made earlier."""
        first = re.split(r"[:;]", value, maxsplit=1)[0]
        first_raw = re.split(r"[:;]", raw, maxsplit=1)[0] if raw else first
        if _CONDA_PATH.search(first) or _CONDA_PATH.search(first_raw):
            return "conda"
        if _VENV_PATH.search(first) or _VENV_PATH.search(first_raw):
            return "venv"
        active = self.variables.get("VIRTUAL_ENV")
        homes = set(self.venv_dirs) | ({folder_key(active)} if active else set())
        for entry in (first, first_raw):
            if venv_bin(_HERE.sub("", entry), homes):
                return "venv"
        return None

    def export(self, name: str, exported: bool = True) -> None:
        """``export NAME`` (or ``export -n NAME``) of a variable set or not."""
        (self.exported.add if exported else self.exported.discard)(name)
        if name == "VIRTUAL_ENV":
            self.venv = exported and bool(self.variables.get(name))

    def unset(self, name: str) -> None:
        self.variables.pop(name, None)
        self.exported.discard(name)
        if name == "VIRTUAL_ENV":
            self.venv = False

    def apply(self, words: list[Word], text: str, dialect: str = "bash") -> bool:
        """Update the state for environment commands; true if ``words`` was one."""
        if not words:
            return False
        name = basename(words[0].value).lower()
        args = [word.value for word in words[1:]]
        if name in {"source", "."} and args:
            return self._activate_script(args[0], args[1:])
        if name == "activate" and dialect == "bash" and "/" in words[0].value:
            return True  # .venv/bin/activate run, not sourced: a child shell is activated
        if name in {"activate", "activate.ps1", "activate.bat"}:
            return self._activate_script(words[0].value, args)
        if name == "deactivate":
            self.venv = False
            return True
        if removes_externally_managed(name, args):
            self.unprotected = "marker"
            return True
        if name in {"conda", "mamba", "micromamba"} and args:
            if args[0] == "activate":
                self.conda = True
                return True
            if args[0] == "deactivate":
                self.conda = False
                return True
            return False
        if "activ" in name and "/" not in words[0].value and not words[0].dynamic:
            # A helper of another file, named for what it does (virtualenv_activate 3.7 x,
            # deactivate_venv, conda_activate env): its name is all that can be read here.
            if _CONDA_PATH.search(name):
                self.conda = "deactiv" not in name
                return True
            if _VENV_SCRIPT.search(name):
                self.venv = "deactiv" not in name
                return True
        if name in {"workon", "mkvirtualenv", "mktmpenv", "layout"} or (
            name == "pyenv" and args[:1] == ["activate"]
        ):
            self.venv = True
            return True
        if name == "pyenv" and args[:1] == ["deactivate"]:
            self.venv = False
            return True
        if name in {"poetry", "pipenv", "hatch", "pdm"} and args[:1] == ["shell"]:
            self.venv = True
            return True
        if name in {"[", "[[", "test"} and "VIRTUAL_ENV" in text:
            self.venv = True
            return True
        if PREFIX_TEST.search(text):
            self.venv = True
            return True
        return False

    def evaluate(self, text: str) -> bool:
        """Update the state for an ``eval`` of a tool's activation; true if it was one."""
        if _EVAL_ACTIVATE.search(text):
            self.venv = True  # eval "$(poetry env activate)": Poetry 2's way in
            return True
        return False

    def _activate_script(self, path: str, args: list[str]) -> bool:
        script = basename(path).lower()
        if script == "deactivate" and "/" not in path:
            self.conda = False  # conda's old ``source deactivate``
            return True
        if not script.startswith("activate"):
            if _VENV_SCRIPT.search(script) and "wrapper" not in script:
                # A helper sourced for its venv (virtualenv.sh, setup_venv.sh) activates it:
                # creating one needs no sourcing. virtualenvwrapper.sh only defines workon.
                self.venv = True
                return True
            return False
        if _CONDA_PATH.search(path) or ("/" not in path and "\\" not in path and args):
            self.conda = True
        else:
            self.venv = True
        return True


def venv_test(text: str) -> int:
    """Which way a test of ``$VIRTUAL_ENV`` goes: 1 if it is true only with a venv in effect
    (``[ -n "$VIRTUAL_ENV" ]``), -1 if only with none (``[ -z "$VIRTUAL_ENV" ]``), 0 if it
    is no such test or not that simple (``[[ -z $VIRTUAL_ENV && -z $CONDA_PREFIX ]]``)."""
    inner = text.strip()
    negated = inner.startswith("!")
    inner = inner.lstrip("!").strip()
    for opening, closing in (("[[", "]]"), ("[", "]"), ("test ", "")):
        if inner.startswith(opening) and inner.endswith(closing):
            inner = inner[len(opening) : len(inner) - len(closing)].strip()
            break
    else:
        return 0
    if any(joined in f" {inner} " for joined in ("&&", "||", " -a ", " -o ")):
        return 0
    way = -1 if _VENV_UNSET.fullmatch(inner) else 1 if _VENV_SET.fullmatch(inner) else 0
    return -way if negated else way
