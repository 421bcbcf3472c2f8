"""What wraps a simple command, and what each wrapper means for the command inside it.

``unwrap`` peels ``sudo -H``, ``doas``, ``env A=b``, ``time``, ``nohup``, ``nice``,
``command``, ``exec``, ``xargs``, ``find -exec``, environment runners (``poetry run``,
``conda run``) and remote runners (``docker exec``, ``ssh``) off a command, noting what
each one means, and finds code handed to a shell as a string (``bash -c '...'``,
``su -c '...'``). ``installers.classify`` then judges the command that is left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from venvguard.records import FrozenRecord, Record
from venvguard.shell.words import Word

_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
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
        "here",
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
        here: bool = False,
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
        self.here = here  # the code runs in this shell (eval), not a shell of its own

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
        if spec.assignments and _ASSIGNMENT.match(value):
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
    while index < len(words) and spec.assignments and _ASSIGNMENT.match(words[index].value):
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
    while index < len(words) and _ASSIGNMENT.match(words[index].value):
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
            result.here = True
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
