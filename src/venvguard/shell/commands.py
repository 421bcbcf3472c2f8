"""What a simple command does: the wrappers around it, and whether it installs packages.

``unwrap`` peels ``sudo -H``, ``doas``, ``env A=b``, ``time``, ``nohup``, ``nice``,
``command``, ``exec``, ``xargs``, ``find -exec``, environment runners (``poetry run``,
``conda run``) and remote runners (``docker exec``, ``ssh``) off a command, noting what
each one means, and
finds code handed to a shell as a string (``bash -c '...'``, ``su -c '...'``).
``classify`` then recognises installers: pip in all its spellings, ``uv pip``,
``easy_install``, ``setup.py install``/``develop``, ``get-pip.py``, ``python -m ensurepip`` and
``pipenv --system``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from venvguard.records import FrozenRecord, Record
from venvguard.shell.pip_options import (
    Options,
    env_option,
    parse_install_options,
    parse_pip,
    parse_uv_pip,
    truthy,
)
from venvguard.shell.words import Word

ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_PIP_NAME = re.compile(r"^pip[0-9.]*$")
# python3.13t (free-threaded), python3-dbg and python3.12-dbg (Debian's debug builds) too.
_PYTHON_NAME = re.compile(r"^(?:python|pypy)[0-9.]*(?:[dmtw]|_d|t?-dbg|-debug)?$|^py$")
# python${PYTHON_VERSION}, pip$PY_MAJOR, python3.${MINOR}: a version from a variable.
_VERSION_VARIABLE = re.compile(
    r"^(?P<name>python|pypy|pip|easy_install-?)(?P<rest>(?:[0-9.]|\$\{[A-Za-z_][A-Za-z0-9_]*\}"
    r"|\$[A-Za-z_][A-Za-z0-9_]*)*(?:[dmtw]|_d|t?-dbg)?)$",
    re.IGNORECASE,
)
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
_EASY_INSTALL = re.compile(r"^easy_install(?:-[0-9.]+)?$")
_SHELLS = frozenset({"bash", "sh", "dash", "zsh", "ksh", "ash", "mksh", "busybox"})


class _Spec(FrozenRecord):
    """How a wrapper's own options look, so they can be skipped.

    ``positional`` counts the words between the options and the wrapped command.
    """

    __slots__ = ("short_with_value", "long_with_value", "assignments", "positional")

    short_with_value: Final[str]
    long_with_value: Final[frozenset[str]]
    assignments: Final[bool]
    positional: Final[int]

    def __init__(
        self,
        short_with_value: str = "",
        long_with_value: frozenset[str] = frozenset(),
        assignments: bool = False,
        positional: int = 0,
    ) -> None:
        self.short_with_value = short_with_value
        self.long_with_value = long_with_value
        self.assignments = assignments
        self.positional = positional


_ROOT_WRAPPERS = {
    "sudo": _Spec(
        "ugpCDhrtTUR",
        frozenset(
            {
                "--user",
                "--group",
                "--prompt",
                "--close-from",
                "--chdir",
                "--host",
                "--role",
                "--type",
                "--command-timeout",
                "--other-user",
                "--chroot",
            }
        ),
        assignments=True,
    ),
    "doas": _Spec("uC"),
    "pkexec": _Spec("", frozenset({"--user"})),
}
_PLAIN_WRAPPERS = {
    "env": _Spec(
        "uCS",
        frozenset({"--unset", "--chdir", "--split-string", "--default-signal"}),
        assignments=True,
    ),
    "time": _Spec("fo", frozenset({"--format", "--output"})),
    "nohup": _Spec(),
    "nice": _Spec("n", frozenset({"--adjustment"})),
    "ionice": _Spec("cnp", frozenset({"--class", "--classdata", "--pid"})),
    "timeout": _Spec("sk", frozenset({"--signal", "--kill-after"}), positional=1),
    "stdbuf": _Spec("ioe"),
    "exec": _Spec("a"),
    "builtin": _Spec(),
    "eatmydata": _Spec(),
    "chronic": _Spec(),
    "unbuffer": _Spec(),
    "winpty": _Spec(),
    "travis_retry": _Spec(),
    "call": _Spec(),
    "setsid": _Spec(),
    "busybox": _Spec(),  # busybox APPLET ARGS runs the applet: busybox sh -c CODE
    "toybox": _Spec(),
    "setpriv": _Spec(
        "",
        frozenset(
            {
                "--reuid",
                "--regid",
                "--groups",
                "--securebits",
                "--pdeathsig",
                "--selinux-label",
                "--apparmor-profile",
                "--inh-caps",
                "--ambient-caps",
                "--bounding-set",
            }
        ),
    ),
    "gosu": _Spec(positional=1),
    "su-exec": _Spec(positional=1),
    "xargs": _Spec(
        "EeIiLlnPsda",
        frozenset(
            {
                "--eof",
                "--replace",
                "--max-lines",
                "--max-args",
                "--max-procs",
                "--max-chars",
                "--delimiter",
                "--arg-file",
                "--process-slot-var",
            }
        ),
    ),
}
_RUNNERS = {
    # program: (word that starts the run, spec of the run's options, environment kind)
    "poetry": ("run", _Spec(), "venv"),
    "pipenv": ("run", _Spec(), "venv"),
    "pdm": ("run", _Spec("p", frozenset({"--project"})), "venv"),
    "hatch": ("run", _Spec("e", frozenset({"--env"})), "venv"),
    "rye": ("run", _Spec(), "venv"),
    "pixi": ("run", _Spec("e", frozenset({"--environment", "--manifest-path"})), "conda"),
    "uv": (
        "run",
        _Spec(
            "pwf",
            frozenset(
                {
                    "--with",
                    "--with-editable",
                    "--with-requirements",
                    "--python",
                    "--extra",
                    "--group",
                    "--package",
                    "--env-file",
                    "--directory",
                    "--project",
                    "--index",
                    "--index-url",
                    "--extra-index-url",
                    "--find-links",
                }
            ),
        ),
        "venv",
    ),
    "conda": ("run", _Spec("np", frozenset({"--name", "--prefix", "--cwd"})), "conda"),
    "mamba": ("run", _Spec("np", frozenset({"--name", "--prefix", "--cwd"})), "conda"),
    "micromamba": ("run", _Spec("np", frozenset({"--name", "--prefix", "--cwd"})), "conda"),
    "tox": ("exec", _Spec("e"), "venv"),
    "direnv": ("exec", _Spec(positional=1), "venv"),
}
_DOCKER_SPEC = _Spec(
    "evwuplhmc",
    frozenset(
        {
            "--env",
            "--volume",
            "--workdir",
            "--user",
            "--name",
            "--publish",
            "--network",
            "--entrypoint",
            "--mount",
            "--label",
            "--env-file",
            "--platform",
            "--hostname",
            "--add-host",
            "--gpus",
            "--cpus",
            "--memory",
            "--shm-size",
            "--ulimit",
            "--cap-add",
            "--cap-drop",
            "--device",
            "--pull",
            "--restart",
            "--runtime",
            "--security-opt",
            "--tmpfs",
            "--volumes-from",
            "--ipc",
            "--pid",
            "--detach-keys",
            "--link",
            "--log-driver",
            "--dns",
        }
    ),
    positional=1,
)
_FLOCK_SPEC = _Spec("wE", frozenset({"--timeout", "--wait", "--conflict-exit-code"}), positional=1)
_RUNUSER_SPEC = _Spec(
    "ugGsw", frozenset({"--user", "--group", "--supp-group", "--shell", "--whitelist-environment"})
)
_SSH_SPEC = _Spec("bcDEeFIiJLlmOoPpQRSWw", positional=1)
_KUBECTL_SPEC = _Spec("nc", frozenset({"--namespace", "--container", "--context"}), positional=1)


class Unwrapped(Record):
    """A command with its wrappers peeled off."""

    __slots__ = (
        "words",
        "env",
        "as_root",
        "elsewhere",
        "managed",
        "code",
        "code_words",
        "shell_reads_stdin",
        "unset",
        "cleared",
    )

    def __init__(
        self,
        words: list[Word],
        env: dict[str, str] | None = None,
        as_root: str | None = None,
        elsewhere: str | None = None,
        managed: str | None = None,
        code: Word | None = None,
        code_words: list[Word] | None = None,
        shell_reads_stdin: bool = False,
        unset: set[str] | None = None,
        cleared: bool = False,
    ) -> None:
        self.words = words
        self.env: dict[str, str] = {} if env is None else env
        self.as_root = as_root  # the wrapper that made it run as root
        self.elsewhere = elsewhere  # the runner that ran it on another machine or container
        self.managed = managed  # "venv" or "conda": run inside an environment a tool manages
        self.code = code  # shell code passed as a string (bash -c, su -c, ssh)
        self.code_words = code_words  # several words that form the code (ssh host a b)
        self.shell_reads_stdin = shell_reads_stdin  # a shell that reads commands from stdin
        self.unset: set[str] = set() if unset is None else unset  # env -u NAME
        self.cleared = cleared  # env -i: the command starts from an empty environment

    def environment(self, inherited: Mapping[str, str]) -> dict[str, str]:
        """The environment the command runs with, given the one it is started from."""
        kept = (
            {}
            if self.cleared
            else {name: value for name, value in inherited.items() if name not in self.unset}
        )
        return {**kept, **self.env}


def basename(program: str) -> str:
    """``/usr/bin/pip3`` and ``C:\\Python\\pip.exe`` are ``pip3`` and ``pip``."""
    name = program.replace("\\", "/").rsplit("/", 1)[-1]
    lowered = name.lower()
    for suffix in (".exe", ".bat", ".cmd"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _skip(words: Sequence[Word], index: int, spec: _Spec, env: dict[str, str]) -> int:
    while index < len(words):
        value = words[index].value
        if value == "--":
            index += 1
            break
        if spec.assignments and ASSIGNMENT.match(value):
            name, _, assigned = value.partition("=")
            env[name] = assigned
            index += 1
            continue
        if value.startswith("--"):
            name, equals, _ = value.partition("=")
            index += 1
            if not equals and name in spec.long_with_value:
                index += 1
            continue
        if value.startswith("-") and len(value) > 1:
            index += 1
            cluster = value[1:]
            for position, letter in enumerate(cluster):
                if letter in spec.short_with_value:
                    if position == len(cluster) - 1:
                        index += 1
                    break
            continue
        break
    while index < len(words) and spec.assignments and ASSIGNMENT.match(words[index].value):
        name, _, assigned = words[index].value.partition("=")
        env[name] = assigned
        index += 1
    return index + spec.positional


def _only_checks(name: str, options: Sequence[Word]) -> bool:
    """Whether a root wrapper's options make it check a command instead of running it."""
    letters = "C" if name == "doas" else "l"
    spec = _ROOT_WRAPPERS[name]
    for word in options:
        value = word.value
        if value == "--list" and name == "sudo":
            return True
        if value.startswith("-") and not value.startswith("--"):
            for letter in value[1:]:
                if letter in letters:
                    return True
                if letter in spec.short_with_value:
                    break  # the rest of the word is the option's value
    return False


def _skip_env(words: Sequence[Word], index: int, result: Unwrapped) -> int:
    """Read ``env``'s options and assignments into ``result``: ``-u NAME`` removes a
    variable, ``-i`` (or a lone ``-``) starts from an empty environment."""

    def unset(name: str) -> None:
        result.env.pop(name, None)
        result.unset.add(name)

    while index < len(words):
        value = words[index].value
        index += 1
        if value == "--":
            break
        if value in {"-", "--ignore-environment"}:
            result.env.clear()
            result.cleared = True
        elif value.startswith("--"):
            option, equals, argument = value.partition("=")
            if not equals and option in _PLAIN_WRAPPERS["env"].long_with_value:
                argument = words[index].value if index < len(words) else ""
                index += 1
            if option == "--unset":
                unset(argument)
        elif value.startswith("-") and len(value) > 1:
            for position, letter in enumerate(value[1:], start=1):
                if letter == "i":
                    result.env.clear()
                    result.cleared = True
                elif letter in _PLAIN_WRAPPERS["env"].short_with_value:
                    argument = value[position + 1 :]
                    if not argument:
                        argument = words[index].value if index < len(words) else ""
                        index += 1
                    if letter == "u":
                        unset(argument)
                    break
        else:
            index -= 1
            break
    while index < len(words) and ASSIGNMENT.match(words[index].value):
        name, _, assigned = words[index].value.partition("=")
        result.env[name] = assigned
        result.unset.discard(name)
        index += 1
    return index


def _shell_code(words: Sequence[Word], index: int, result: Unwrapped) -> bool:
    """``bash [-opts] -c CODE`` sets ``result.code``; a shell with no script reads stdin."""
    wants_code = False
    while index < len(words):
        value = words[index].value
        if value in {"-o", "-O", "+o", "+O", "--rcfile", "--init-file"}:
            index += 2
            continue
        if value == "--":
            index += 1
            break
        if value.startswith(("-", "+")) and len(value) > 1 and not value.startswith("--"):
            if "c" in value[1:]:
                wants_code = True
            # each o or O of a cluster (-euxo pipefail) takes the next word as its value
            index += 1 + value.count("o", 1) + value.count("O", 1)
            continue
        if value.startswith("--"):
            index += 1
            continue
        break
    if wants_code:
        if index < len(words):
            result.code = words[index]
        return True
    if index >= len(words) or words[index].value == "-s":
        result.shell_reads_stdin = True
        return True
    return False


def unwrap(words: Sequence[Word], assignments: Mapping[str, str]) -> Unwrapped:
    """Peel wrappers off ``words``; the result's ``words`` are the command that runs."""
    result = Unwrapped(list(words), dict(assignments))
    index = 0
    for _ in range(20):  # wrappers nest; a bound keeps odd input from looping
        if index >= len(words):
            result.words = []
            return result
        name = basename(words[index].value)
        if name in _ROOT_WRAPPERS:
            start = index + 1
            index = _skip(words, start, _ROOT_WRAPPERS[name], result.env)
            if _only_checks(name, words[start:index]):
                result.words = []  # sudo -l CMD, doas -C FILE CMD: say whether CMD may run
                return result
            result.as_root = name if _is_root(_target_user(words[start:index])) else None
            if index >= len(words) and _opens_shell(words[start:index]):
                result.shell_reads_stdin = True  # sudo -s <<EOF: a root shell reads the body
            continue
        if name == "runuser" and _runs_a_command(words[index + 1 :]):
            start = index + 1  # runuser -u USER [--] CMD; without -u it is su's form
            index = _skip(words, start, _RUNUSER_SPEC, result.env)
            result.as_root = name if _is_root(_target_user(words[start:index])) else None
            continue
        if name == "flock":  # flock [OPTIONS] FILE CMD... | FILE -c CODE | FD
            index = _skip(words, index + 1, _FLOCK_SPEC, {})
            if index < len(words) and words[index].value in {"-c", "--command"}:
                if index + 1 < len(words):
                    result.code = words[index + 1]
                result.words = []
                return result
            continue
        if name in {"su", "runuser"}:
            rest = words[index + 1 :]
            user: str | None = None
            skip_value = False
            for position, word in enumerate(rest):
                value = word.value
                if skip_value:
                    skip_value = False
                elif value in {"-c", "--command"} and position + 1 < len(rest):
                    result.code = rest[position + 1]
                    skip_value = True
                elif value.startswith("--command="):
                    result.code = _attached(word, len("--command="))
                elif value in _SU_OPTIONS_WITH_VALUE:
                    skip_value = True
                elif value.startswith("-") and not value.startswith("--") and "c" in value:
                    at = value.index("c") + 1  # -lc CODE, -cCODE
                    if at < len(value):
                        result.code = _attached(word, at)
                    elif position + 1 < len(rest):
                        result.code = rest[position + 1]
                        skip_value = True
                elif user is None and not value.startswith("-"):
                    user = value
            result.as_root = "su" if _is_root(user) else None
            result.words = []
            return result
        if name == "travis_wait":  # travis_wait [MINUTES] command...
            index += 2 if index + 1 < len(words) and words[index + 1].value.isdigit() else 1
            continue
        if name == "command" and index + 1 < len(words):
            if words[index + 1].value in {"-v", "-V"}:
                result.words = []
                return result
            index = _skip(words, index + 1, _Spec(), result.env)
            continue
        if name == "env":
            split = _split_string(words, index + 1)
            if split is not None:
                result.code_words = split
                result.words = []
                return result
        if name == "env":
            index = _skip_env(words, index + 1, result)
            continue
        if name in _PLAIN_WRAPPERS:
            if name in {"gosu", "su-exec"} and index + 1 < len(words):
                user = words[index + 1].value.partition(":")[0]
                result.as_root = name if _is_root(user) else result.as_root
            index = _skip(words, index + 1, _PLAIN_WRAPPERS[name], result.env)
            if name == "time" and index < len(words) and words[index].value == "{":
                index += 1  # time { cmd; }: tree-sitter reads the group's first command as words
            continue
        if name == "eval":
            rest = list(words[index + 1 :])
            if len(rest) == 1:
                result.code = rest[0]
            elif rest:
                result.code_words = rest
            result.words = []
            return result
        if name in _SHELLS:
            if _shell_code(words, index + 1, result):
                result.words = []
                return result
            break
        if name in {"cmd", "cmd.exe"} and index + 1 < len(words):
            rest = words[index + 1 :]
            for position, word in enumerate(rest):
                if word.value.lower() in {"/c", "/k"}:
                    result.code_words = list(rest[position + 1 :])
                    result.words = []
                    return result
            break
        if name in {"powershell", "pwsh"}:
            rest = words[index + 1 :]
            for position, word in enumerate(rest):
                if word.value.lower() in {"-command", "-c"}:
                    result.code_words = list(rest[position + 1 :])
                    result.words = []
                    return result
            break
        runner = _RUNNERS.get(name)
        if runner is not None:
            start_word, spec, kind = runner
            found = _find_word(words, index + 1, start_word, limit=4)
            if found is None and name == "tox":
                # tox -e venv -- CMD: CMD is the {posargs} of an environment's commands.
                dashes = _find_word(words, index + 1, "--", limit=len(words))
                if dashes is not None:
                    result.managed = kind
                    index = dashes + 1
                    continue
            if found is None:
                break
            result.managed = kind
            index = _skip(words, found + 1, spec, result.env)
            continue
        if name in {"docker", "podman", "nerdctl", "docker-compose"}:
            found = _find_any(words, index + 1, ("run", "exec"), limit=4)
            if found is None:
                break
            result.elsewhere = name
            index = _skip(words, found + 1, _DOCKER_SPEC, {})
            continue
        if name == "find":
            action = _find_any(words, index + 1, _FIND_ACTIONS, limit=len(words))
            if action is None:
                break
            # The action's command ends at a ";" word, or at a "+" right after "{}".
            end = next(
                (
                    i
                    for i in range(action + 1, len(words))
                    if words[i].value == ";"
                    or (words[i].value == "+" and words[i - 1].value == "{}")
                ),
                len(words),
            )
            words, index = list(words[:end]), action + 1
            continue
        if name in {"kubectl", "oc"}:
            found = _find_word(words, index + 1, "exec", limit=4)
            if found is None:
                break
            result.elsewhere = name
            dashes = _find_word(words, found + 1, "--", limit=len(words))
            index = dashes + 1 if dashes is not None else _skip(words, found + 1, _KUBECTL_SPEC, {})
            continue
        if name in {"ssh", "lxc", "incus", "chroot", "schroot", "vagrant"}:
            result.elsewhere = name
            if name == "vagrant":
                found = _find_any(words, index + 1, ("-c", "--command"), limit=len(words))
                if found is not None and found + 1 < len(words):
                    result.code = words[found + 1]
                result.words = []
                return result
            if name == "ssh":
                index = _skip(words, index + 1, _SSH_SPEC, {})
                rest = list(words[index:])
                if len(rest) == 1:
                    result.code = rest[0]
                elif rest:
                    result.code_words = rest
                else:
                    result.shell_reads_stdin = True
                result.words = []
                return result
            dashes = _find_word(words, index + 1, "--", limit=len(words))
            index = dashes + 1 if dashes is not None else _skip(words, index + 1, _Spec("c"), {})
            continue
        break
    result.words = list(words[index:])
    return result


#: The actions of ``find`` that run a command on what it found.
_FIND_ACTIONS = ("-exec", "-execdir", "-ok", "-okdir")


def _attached(word: Word, at: int) -> Word:
    """The value attached to an option word (``--command=CODE``, ``-cCODE``), placed where
    it is written: a word whose text was changed is assumed to quote its value."""
    column = word.column + at + (0 if word.exact else 1)
    return Word(word.value[at:], word.dynamic, word.row, column, word.exact, word.flat)


def _split_string(words: Sequence[Word], index: int) -> list[Word] | None:
    """The words ``env -S STRING ...`` runs: env splits STRING into words itself."""
    while index < len(words):
        value = words[index].value
        if value == "--" or not value.startswith("-") or value == "-":
            return None
        if value.startswith("--split-string="):
            return [_attached(words[index], len("--split-string=")), *words[index + 1 :]]
        if value == "--split-string" or (not value.startswith("--") and value.endswith("S")):
            return list(words[index + 1 :]) or None
        if not value.startswith("--") and "S" in value:
            return [_attached(words[index], value.index("S") + 1), *words[index + 1 :]]
        index += 2 if value in {"-u", "-C", "--unset", "--chdir"} else 1
    return None


_SU_OPTIONS_WITH_VALUE = frozenset({"-s", "--shell", "-g", "--group", "-G", "--supp-group", "-w"})


def _target_user(options: Sequence[Word]) -> str | None:
    """The user ``sudo -u USER``/``doas -u USER`` runs as; ``None``: root, the default."""
    for position, word in enumerate(options):
        value = word.value
        if value.startswith("--user="):
            return value.partition("=")[2]
        if value == "--user" or (
            value.startswith("-") and not value.startswith("--") and value.endswith("u")
        ):
            return options[position + 1].value if position + 1 < len(options) else None
        if value.startswith("-") and not value.startswith("--") and "u" in value:
            return value[value.index("u") + 1 :]
    return None


def _is_root(user: str | None) -> bool:
    """Whether a wrapper's target user is root (or unknown as none is given)."""
    return user is None or user.strip("\"'") in {"root", "0", "#0"}


def _runs_a_command(options: Sequence[Word]) -> bool:
    """Whether ``runuser``'s options name a user with ``-u``: then a command follows them."""
    takes_value = False
    for word in options:
        value = word.value
        if takes_value:
            takes_value = False
        elif value == "--user" or value.startswith("--user="):
            return True
        elif not value.startswith("-") or value == "--":
            return False
        elif value.startswith("--"):
            takes_value = value in _RUNUSER_SPEC.long_with_value
        else:
            for letter in value[1:]:
                if letter == "u":
                    return True
                if letter in _RUNUSER_SPEC.short_with_value:
                    takes_value = value.endswith(letter)
                    break
    return False


def _opens_shell(options: Sequence[Word]) -> bool:
    for word in options:
        value = word.value
        if value in {"--shell", "--login"}:
            return True
        if value.startswith("-") and not value.startswith("--") and set(value[1:]) & {"s", "i"}:
            return True
    return False


def _find_word(words: Sequence[Word], start: int, wanted: str, limit: int) -> int | None:
    for index in range(start, min(len(words), start + limit)):
        if words[index].value == wanted:
            return index
    return None


def _find_any(words: Sequence[Word], start: int, wanted: Sequence[str], limit: int) -> int | None:
    for index in range(start, min(len(words), start + limit)):
        if words[index].value in wanted:
            return index
    return None


# --- installers -----------------------------------------------------------------------------


class Install(Record):
    """A package install and everything that decides where it goes."""

    __slots__ = (
        "tool",
        "program",
        "bare_pip",
        "user",
        "packages",
        "break_system",
        "system",
        "local_target",
        "requires_venv",
        "managed",
        "system_python",
    )

    def __init__(
        self,
        tool: str,
        program: Word | None,
        bare_pip: bool = False,
        user: bool = False,
        packages: tuple[str, ...] | None = None,
        break_system: bool = False,
        system: str | None = None,
        local_target: bool = False,
        requires_venv: bool = False,
        managed: bool = False,
    ) -> None:
        self.tool = tool  # "pip", "uv pip", "easy_install", "setup.py", "get-pip.py", ...
        self.program = program  # the word naming the pip or Python that runs; None: implicit
        self.bare_pip = bare_pip
        self.user = user
        self.packages = packages  # plain requirement names, for the allowlist
        self.break_system = break_system
        self.system = system  # why it targets the system: "--system", "--prefix /usr"
        self.local_target = local_target  # into a project folder: no environment is touched
        self.requires_venv = requires_venv  # the installer refuses to run outside a venv
        self.managed = managed  # the installer itself only installs into a venv (uv pip)
        #: The interpreter (``uv pip --python PATH``) that made ``system`` a system one: a
        #: venv made earlier at that path makes it not.
        self.system_python: str | None = None


class Invocation(Record):
    """Any recognised use of pip or Python worth knowing about besides installs."""

    __slots__ = (
        "install",
        "bare_pip",
        "creates_venv",
        "venv_dirs",
        "stdin_python",
        "stdin_args",
        "config_break_system",
        "config_user",
    )

    def __init__(
        self,
        install: Install | None = None,
        bare_pip: bool = False,
        creates_venv: bool = False,
        venv_dirs: tuple[str, ...] = (),
        stdin_python: Word | None = None,
        stdin_args: tuple[Word, ...] = (),
        config_break_system: bool = False,
        config_user: bool = False,
    ) -> None:
        self.install = install
        self.bare_pip = bare_pip  # pip run by bare name, whatever the subcommand
        self.creates_venv = creates_venv
        self.venv_dirs = venv_dirs  # the folders a venv-creating command makes
        self.stdin_python = stdin_python  # a Python reading its program from stdin
        self.stdin_args = stdin_args  # the arguments that program gets (python3 - --user)
        self.config_break_system = config_break_system  # pip config set ...break-system-...
        self.config_user = config_user


#: Folders of the system's own interpreters, each a whole leading path component.
_SYSTEM_FOLDERS = re.compile(
    r"^(?:/(?:usr|lib|lib64|bin|sbin|etc|library|system)|c:/python[^/]*)(?:/|$)"
)
#: Code that asks an interpreter where it installs (``$(python -c '...')``).
_SYSTEM_CODE = ("getsitepackages", "sysconfig", "purelib", "sys.prefix", "sys.base_prefix")
_USER_CODE = ("user-site", "user_site", "usersite", "getusersitepackages")
#: A folder named as a virtual environment is, along a path.
_IN_A_VENV = re.compile(r"/(?:\.?venvs?|\.?virtualenvs?|[^/]*[._-]venv)/")
#: Where a path starts outside the project: the root, a drive, the home folder.
_ROOTED = re.compile(r"^(?:/|[a-z]:/|~|\$home\b|\$\{home\})")


def target_kind(path: str) -> str:
    """Whether an install destination is a ``system`` path, the ``user`` site or ``local``.

    A folder named ``site-packages`` or ``.local`` counts only outside the project (an
    absolute or home path): ``./build/site-packages`` is the project's own.
    """
    lowered = path.replace("\\", "/").lower().strip("\"'")
    if any(marker in lowered for marker in _USER_CODE):
        return "user"
    if any(marker in lowered for marker in _SYSTEM_CODE):
        return "system"
    if not _ROOTED.match(lowered):
        return "local"
    components = lowered.split("/")
    if ".local" in components:
        return "user"
    if lowered == "/" or _SYSTEM_FOLDERS.match(lowered):
        return "system"
    if "site-packages" in components or "dist-packages" in components:
        # A venv's own (/venv/lib/python3.12/site-packages) is no system folder.
        return "local" if _IN_A_VENV.search(lowered) else "system"
    return "local"


def _requirement_names(options: Options) -> tuple[str, ...] | None:
    if options.value("--requirement") is not None or options.value("--editable") is not None:
        return None
    names: list[str] = []
    for word in options.positional:
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", word)
        if match is None or "/" in word or word.endswith((".whl", ".txt", ".gz", ".zip")):
            return None
        names.append(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return tuple(names)


def _pip_install(
    tool: str, program: Word | None, options: Options, env: Mapping[str, str]
) -> Install:
    install = Install(tool, program)
    if options.flag("--isolated"):
        env = {}  # pip then reads no PIP_* variable and no config file
    user = options.values.get("--user")  # False after --no-user, over the environment too
    install.user = user if isinstance(user, bool) else truthy(env_option(env, "--user"))
    install.break_system = options.flag("--break-system-packages") or truthy(
        env_option(env, "--break-system-packages")
    )
    install.requires_venv = options.flag("--require-virtualenv") or truthy(
        env_option(env, "--require-virtualenv")
    )
    for option in ("--target", "--prefix", "--root"):
        destination = options.value(option) or env_option(env, option)
        if destination is None or (option == "--root" and _is_slash(destination)):
            continue
        kind = target_kind(destination)
        if kind == "system":
            install.system = f"{option} {destination}"
        elif kind == "user":
            install.user = True
        else:
            install.local_target = True
    _unless_staged(install, options.value("--root") or env_option(env, "--root"))
    install.packages = _requirement_names(options)
    return install


def _is_slash(path: str) -> bool:
    return path.strip("\"'") in {"/", "//"}


def _unless_staged(install: Install, root: str | None) -> None:
    """An install under a ``--root`` folder of the project (a package build's ``$pkgdir``,
    ``$DESTDIR``) stages files; its ``--prefix /usr`` says where they will go later."""
    if root is not None and not _is_slash(root) and target_kind(root) == "local":
        install.system = None
        install.local_target = True


def _is_help_or_dry(options: Options) -> bool:
    return options.flag("--help") or options.flag("--dry-run") or options.flag("--version")


def _parse_python(args: Sequence[Word]) -> tuple[str | None, int, bool]:
    """(module, index of the first word after the module or script, reads stdin)."""
    index = 0
    while index < len(args):
        value = args[index].value
        if value == "-m" or (value.startswith("-m") and len(value) > 2 and "=" not in value):
            if value == "-m":
                module = args[index + 1].value if index + 1 < len(args) else ""
                return module, index + 2, False
            return value[2:], index + 1, False
        if value == "-c" or value.startswith("-c"):
            return "", len(args), False
        if value in {"-W", "-X"}:
            index += 2
            continue
        if value == "-":
            return None, index, True
        if value.startswith("-") and len(value) > 1:
            cluster = value[1:]
            if "m" in cluster and not cluster[0].isdigit() and not cluster.startswith("V:"):
                rest = cluster[cluster.index("m") + 1 :]
                if rest:
                    return rest, index + 1, False
                module = args[index + 1].value if index + 1 < len(args) else ""
                return module, index + 2, False
            index += 1
            continue
        return None, index, False
    return None, index, True


_LOOKUP = re.compile(
    r"^(?:\$\(|`)\s*(?:which|command\s+-v|type\s+-P)\s+([\w.+-]+)(?:\s[^`()]*)?(?:\)|`)$"
)
_VARIABLE_NAME = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def looked_up(value: str) -> str | None:
    """The name in ``$(which NAME)``, ``$(command -v NAME)``: the program a bare NAME runs."""
    lookup = _LOOKUP.match(value)
    return lookup.group(1) if lookup is not None else None


def _dynamic_program(value: str) -> str | None:
    """The program an unknown word most likely runs: ``$(which pip3)``, ``$PIP``, ``$PYTHON``."""
    lookup = _LOOKUP.match(value)
    if lookup is not None:
        return lookup.group(1)
    variable = _VARIABLE_NAME.match(value)
    if variable is None or variable.end() < len(value.rstrip("}")):
        return None
    upper = variable.group(1).upper()
    if "PIPX" in upper or "PIPENV" in upper:
        return None
    if upper.startswith("PIP") or upper.endswith("_PIP"):
        return "pip"
    if upper.startswith("PYTHON") or upper.endswith("_PYTHON") or upper in {"PY", "PYBIN"}:
        return "python"
    return None


def versioned_name(value: str) -> str | None:
    """``python3`` for ``python${PY_MAJOR}``: a program name whose version is a variable's."""
    if "$" not in value:
        return None
    match = _VERSION_VARIABLE.match(value)
    if match is None:
        return None
    return match.group("name") + _VARIABLE.sub("", match.group("rest"))


def classify(words: Sequence[Word], env: Mapping[str, str]) -> Invocation:
    """What ``words`` (an unwrapped command) does, as far as installs are concerned."""
    if not words:
        return Invocation()
    program = words[0]
    name = basename(program.value)
    versioned = versioned_name(name)
    if versioned is not None:
        name = versioned
    elif program.dynamic:
        name = _dynamic_program(program.value) or name
    lowered = name.lower()
    args = words[1:]
    if _PIP_NAME.match(lowered):
        bare = "/" not in program.value and "\\" not in program.value
        bare = bare and (not program.dynamic or versioned is not None)
        return _classify_pip(program, args, env, bare)
    if _PYTHON_NAME.match(lowered):
        module, after, reads_stdin = _parse_python(args)
        if module is None:
            if reads_stdin:
                return Invocation(stdin_python=program, stdin_args=tuple(args[after + 1 :]))
            script = args[after].value
            rest = args[after + 1 :]
            return _classify_script(program, script, rest, env)
        if module in {"pip", "pip3"}:
            return _classify_pip(program, args[after:], env, bare=False)
        if module == "easy_install":
            return _classify_easy_install(program, args[after:])
        if module == "ensurepip":
            return _classify_ensurepip(program, args[after:])
        if module in {"venv", "virtualenv"}:
            return Invocation(creates_venv=True, venv_dirs=_venv_dirs(args[after:]))
        if module == "uv":
            return _classify_uv(args[after:], env, parent=program)
        return Invocation()
    if _EASY_INSTALL.match(lowered):
        return _classify_easy_install(program, args)
    if lowered in {"setup.py", "get-pip.py"}:
        return _classify_script(None, program.value, args, env)
    if lowered == "virtualenv":
        return Invocation(creates_venv=True, venv_dirs=_venv_dirs(args))
    if lowered == "uv":
        return _classify_uv(args, env)
    if lowered == "pipenv":
        values = {word.value for word in args}
        if values & {"install", "sync"} and "--system" in values:
            install = Install("pipenv", None, system="pipenv --system")
            return Invocation(install=install)
        return Invocation()
    if lowered == "pip-sync":
        sync_args = [word.value for word in args]
        install = Install("pip-sync", None, user="--user" in sync_args)
        if any(v.startswith("--python-executable") for v in sync_args):
            install.managed = True
        return Invocation(install=install)
    if program.dynamic:
        # An unknown program that runs the pip module is a Python: "$(pyenv which python)".
        module, after, _ = _parse_python(args)
        if module in {"pip", "pip3"}:
            return _classify_pip(program, args[after:], env, bare=False)
    return Invocation()


def _classify_pip(
    program: Word, args: Sequence[Word], env: Mapping[str, str], bare: bool
) -> Invocation:
    options = parse_pip([word.value for word in args])
    invocation = Invocation(bare_pip=bare and options.subcommand is not None)
    if options.subcommand == "config" and options.positional[:1] == ["set"]:
        setting = " ".join(options.positional[1:3]).lower()
        invocation.config_break_system = "break-system-packages" in setting and truthy(
            options.positional[2] if len(options.positional) > 2 else None
        )
        invocation.config_user = setting.split(".")[-1].startswith("user ") and truthy(
            options.positional[2] if len(options.positional) > 2 else None
        )
        return invocation
    if options.subcommand != "install" or _is_help_or_dry(options):
        return invocation
    interpreter = options.value("--python")
    install = _pip_install("pip", Word(interpreter) if interpreter else program, options, env)
    install.bare_pip = bare
    invocation.install = install
    return invocation


def _classify_uv(
    args: Sequence[Word], env: Mapping[str, str], parent: Word | None = None
) -> Invocation:
    """``uv ...``; ``parent`` is the Python that runs it as ``python -m uv``, whose own
    environment uv then installs into, venv or not."""
    values = [word.value for word in args]
    index = 0
    while index < len(values) and values[index].startswith("-"):
        if values[index] in {"--directory", "--project", "--cache-dir", "--config-file", "--color"}:
            index += 1
        index += 1
    if index >= len(values):
        return Invocation()
    if values[index] == "venv":
        return Invocation(creates_venv=True, venv_dirs=_venv_dirs(args[index + 1 :]) or (".venv",))
    if values[index] != "pip":
        return Invocation()
    options = parse_uv_pip(values[index + 1 :])
    if options.subcommand not in {"install", "sync"} or _is_help_or_dry(options):
        return Invocation()
    install = _pip_install("uv pip", None, options, {})
    install.user = False
    install.break_system = options.flag("--break-system-packages") or truthy(
        env.get("UV_BREAK_SYSTEM_PACKAGES")
    )
    interpreter = options.value("--python") or env.get("UV_PYTHON")
    if options.flag("--system"):
        install.system = "--system"
    elif truthy(env.get("UV_SYSTEM_PYTHON")):
        install.system = "UV_SYSTEM_PYTHON"
    elif interpreter and _is_system_python(interpreter):
        install.system = f"--python {interpreter}"
        install.system_python = interpreter
    install.managed = install.system is None and (parent is None or bool(interpreter))
    if parent is not None and not install.managed:
        install.program = parent
    return Invocation(install=install)


def _is_system_python(path: str) -> bool:
    """Whether an interpreter path is one of the system's (``/usr/bin/python3``)."""
    from venvguard.shell.state import environment_of  # state builds on this module

    return environment_of(Word(path)) == "system"


def _classify_ensurepip(program: Word, args: Sequence[Word]) -> Invocation:
    """``python -m ensurepip``: installs pip into the Python that runs it, as get-pip.py."""
    values = [word.value for word in args]
    if {"-h", "--help", "--version"} & set(values):
        return Invocation()
    install = Install("ensurepip", program, user="--user" in values)
    root = next(
        (
            value.partition("=")[2] or (values[at + 1] if at + 1 < len(values) else "")
            for at, value in enumerate(values)
            if value == "--root" or value.startswith("--root=")
        ),
        None,
    )
    _unless_staged(install, root)
    return Invocation(install=install)


def _classify_easy_install(program: Word, args: Sequence[Word]) -> Invocation:
    values = [word.value for word in args]
    install = Install("easy_install", program)
    for position, value in enumerate(values):
        if value == "--user":
            install.user = True
        if value.startswith(("--prefix", "--install-dir", "-d")):
            destination = value.partition("=")[2] or (
                values[position + 1] if position + 1 < len(values) else ""
            )
            kind = target_kind(destination)
            install.system = f"{value} {destination}" if kind == "system" else install.system
            install.local_target = install.local_target or kind == "local"
            install.user = install.user or kind == "user"
    return Invocation(install=install)


def _classify_script(
    program: Word | None, script: str, rest: Sequence[Word], env: Mapping[str, str]
) -> Invocation:
    script_name = basename(script).lower()
    values = [word.value for word in rest]
    if script_name == "setup.py":
        if not {"install", "develop", "install_lib"} & set(values):
            return Invocation()
        if "develop" in values and {"--uninstall", "-u"} & set(values):
            return Invocation()  # removes a develop install
        install = Install("setup.py", program)
        root: str | None = None
        for position, value in enumerate(values):
            if value == "--user":
                install.user = True
            for option in ("--prefix", "--root", "--home", "--install-dir", "--install-lib"):
                if value == option or value.startswith(option + "="):
                    destination = value.partition("=")[2] or (
                        values[position + 1] if position + 1 < len(values) else ""
                    )
                    if option == "--root":
                        root = destination
                        if _is_slash(destination):
                            continue
                    kind = target_kind(destination)
                    if kind == "system":
                        install.system = f"{option} {destination}"
                    elif kind == "user":
                        install.user = True
                    else:
                        install.local_target = True
        _unless_staged(install, root)
        return Invocation(install=install)
    if "get-pip" in script_name:
        options = parse_install_options(values)
        install = _pip_install("get-pip.py", program, options, env)
        install.packages = None
        return Invocation(install=install)
    return Invocation()


# Options of venv, virtualenv and uv venv that take a value (the rest are flags).
_VENV_OPTIONS_WITH_VALUE = frozenset(
    {"--prompt", "-p", "--python", "--activators", "--seeder", "--app-data", "--extra-search-dir"}
    | {"--index-url", "--extra-index-url", "--find-links", "--cache-dir", "--directory"}
)


def _venv_dirs(args: Sequence[Word]) -> tuple[str, ...]:
    """The folders ``python -m venv``, ``virtualenv`` or ``uv venv`` is asked to create."""
    found: list[str] = []
    skip = False
    for word in args:
        value = word.value
        if skip:
            skip = False
        elif value.startswith("-"):
            skip = "=" not in value and value in _VENV_OPTIONS_WITH_VALUE
        elif not word.dynamic:
            found.append(value)
    return tuple(found)


def get_pip_download(words: Sequence[Word]) -> bool:
    """``curl``/``wget`` fetching get-pip.py (to be piped into a Python)."""
    if not words or basename(words[0].value) not in {"curl", "wget", "http", "fetch"}:
        return False
    return any("get-pip" in word.value for word in words[1:])


def stdin_install(program: Word, env: Mapping[str, str], args: Sequence[Word] = ()) -> Install:
    """get-pip.py piped into ``program``."""
    options = parse_install_options([word.value for word in args])
    install = _pip_install("get-pip.py", program, options, env)
    install.packages = None
    return install
