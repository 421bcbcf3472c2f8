"""Whether a simple command, once unwrapped, installs packages, and where they go.

``classify`` recognises installers: pip in all its spellings, ``uv pip``, ``easy_install``,
``setup.py install``/``develop``, ``get-pip.py``, ``python -m ensurepip`` and
``pipenv --system``, and reads the options that decide where an install goes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from venvguard.records import Record
from venvguard.shell.pip_options import (
    Options,
    env_option,
    parse_install_options,
    parse_pip,
    parse_uv_pip,
    truthy,
)
from venvguard.shell.words import Word
from venvguard.shell.wrappers import basename

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
        _aim(install, option, destination)
    _unless_staged(install, options.value("--root") or env_option(env, "--root"))
    install.packages = _requirement_names(options)
    return install


def _aim(install: Install, option: str, destination: str) -> None:
    """Note where ``option destination`` (``--target``, ``--prefix``, ``--root``...) sends
    ``install``: a system folder, the user site, or a folder of the project."""
    kind = target_kind(destination)
    if kind == "system":
        install.system = f"{option} {destination}"
    elif kind == "user":
        install.user = True
    else:
        install.local_target = True


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
                    _aim(install, option, destination)
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
