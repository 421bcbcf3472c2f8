"""Which environment a repository's locks are judged against, and what its markers are.

In order: ``--python`` (a venv folder or an interpreter; the ``python`` config key);
``$VIRTUAL_ENV`` when it lies inside the repository; ``.venv``, ``venv``, then any folder
at the root holding ``pyvenv.cfg``. Never the interpreter venvguard runs in: as a
pre-commit hook that is pre-commit's own environment, not the project's.

A venv is read from disk (``pyvenv.cfg``, site-packages); only an interpreter that is not
in a venv is asked for its paths, once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Final

from venvguard.config import ConfigError
from venvguard.records import FrozenRecord
from venvguard.venvs import PYVENV_CFG, parse_pyvenv_cfg, site_packages_dirs


class Environment(FrozenRecord):
    """A Python environment on this machine: where its packages are, which Python it is.

    ``notes`` are not part of its identity (``==``, hash).
    """

    __slots__ = ("path", "python_version", "implementation", "site_dirs", "system_dirs", "notes")
    _compare = ("path", "python_version", "implementation", "site_dirs", "system_dirs")

    path: Final[Path]
    python_version: Final[tuple[int, ...]]
    implementation: Final[str]
    site_dirs: Final[tuple[Path, ...]]
    system_dirs: Final[tuple[Path, ...]]
    notes: Final[tuple[str, ...]]

    def __init__(
        self,
        path: Path,
        python_version: tuple[int, ...],
        implementation: str = "CPython",
        site_dirs: tuple[Path, ...] = (),
        system_dirs: tuple[Path, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.python_version = python_version
        self.implementation = implementation
        self.site_dirs = site_dirs
        self.system_dirs = system_dirs
        self.notes = notes

    def shown(self, root: Path) -> str:
        try:
            return self.path.relative_to(root).as_posix() or "."
        except ValueError:
            return str(self.path)

    def markers(self) -> Mapping[str, str]:
        """PEP 508 marker values: this machine's platform with the environment's Python."""
        return LazyMarkers(lambda: marker_environment(self.python_version, self.implementation))


class LazyMarkers(Mapping[str, str]):
    """Marker values worked out when first read.

    Most locks have no marker at all, and packaging's marker module, which works the values
    out, costs more to import than judging a whole lock of plain pins.
    """

    def __init__(self, compute: Callable[[], dict[str, str]]) -> None:
        self._compute = compute
        self._values: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._values is None:
            self._values = self._compute()
        return self._values

    def __getitem__(self, key: str) -> str:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def marker_environment(
    python_version: tuple[int, ...],
    implementation: str = "CPython",
    platform_tag: str | None = None,
) -> dict[str, str]:
    """Marker values for a Python version on this machine (or on ``platform_tag``)."""
    from packaging.markers import default_environment

    environment = {key: str(value) for key, value in default_environment().items()}
    full = [*python_version, 0, 0][:3]
    environment["python_version"] = f"{full[0]}.{full[1]}"
    environment["python_full_version"] = ".".join(str(part) for part in full)
    environment["implementation_version"] = environment["python_full_version"]
    environment["platform_python_implementation"] = implementation
    environment["implementation_name"] = implementation.lower()
    if platform_tag is not None:
        environment.update(platform_markers(platform_tag))
    return environment


def platform_markers(tag: str) -> dict[str, str]:
    """Marker values for a platform given as ``linux``, ``win_amd64``, ``macosx_11_0_arm64``..."""
    lowered = tag.lower()
    machine = "x86_64"
    for candidate in ("aarch64", "arm64", "x86_64", "amd64", "i686", "ppc64le", "s390x"):
        if candidate in lowered:
            machine = {"amd64": "AMD64"}.get(candidate, candidate)
    if lowered.startswith("win") or "windows" in lowered:
        return {
            "sys_platform": "win32",
            "os_name": "nt",
            "platform_system": "Windows",
            "platform_machine": "AMD64" if machine in ("x86_64", "AMD64") else machine,
        }
    if "mac" in lowered or "darwin" in lowered or "apple" in lowered:
        return {
            "sys_platform": "darwin",
            "os_name": "posix",
            "platform_system": "Darwin",
            "platform_machine": machine,
        }
    return {
        "sys_platform": "linux",
        "os_name": "posix",
        "platform_system": "Linux",
        "platform_machine": machine,
    }


def from_venv(folder: Path) -> Environment:
    """The environment of a venv folder (one holding ``pyvenv.cfg``)."""
    cfg = parse_pyvenv_cfg(folder / PYVENV_CFG)
    sites = tuple(site_packages_dirs(folder))
    version: tuple[int, ...] | None = cfg.version if cfg is not None else None
    if version is None:
        for site in sites:
            name = site.parent.name  # pythonX.Y
            digits = name.removeprefix("python").removeprefix("pypy").split(".")
            if len(digits) >= 2 and all(d.isdigit() for d in digits[:2]):
                version = (int(digits[0]), int(digits[1]))
                break
    implementation = "CPython"
    raw_implementation = cfg.raw.get("implementation", "") if cfg is not None else ""
    if "pypy" in raw_implementation.lower() or any("pypy" in str(s) for s in sites):
        implementation = "PyPy"
    system_dirs: tuple[Path, ...] = ()
    if cfg is not None and cfg.include_system_site_packages and cfg.home:
        base = Path(cfg.home)
        base = base.parent if base.name.lower() in ("bin", "scripts") else base
        system_dirs = tuple(site_packages_dirs(base))
    notes = () if version is not None else ("Python version unknown; assuming 3.12",)
    return Environment(
        folder,
        version or (3, 12),
        implementation,
        sites,
        system_dirs,
        notes,
    )


def _from_interpreter(executable: Path) -> Environment:
    """Ask an interpreter that is not in a venv for its version and site folders."""
    import json  # lazily, as most runs read a venv from disk and never come here

    script = (
        "import json, site, sys, platform; print(json.dumps({'version': "
        "list(sys.version_info[:3]), 'impl': platform.python_implementation(), "
        "'prefix': sys.prefix, 'sites': site.getsitepackages()}))"
    )
    try:
        completed = subprocess.run(
            [str(executable), "-I", "-c", script],
            capture_output=True,
            check=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        data = json.loads(completed.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        raise ConfigError(f"--python {executable}: cannot run this interpreter") from None
    return Environment(
        Path(data["prefix"]),
        tuple(data["version"]),
        data["impl"],
        tuple(Path(s) for s in data["sites"] if os.path.isdir(s)),
    )


def _venv_of(path: Path) -> Path | None:
    """The venv folder that ``path`` (a folder or an interpreter) belongs to."""
    candidates = [path] if path.is_dir() else [path.parent.parent, path.parent]
    for candidate in candidates:
        if (candidate / PYVENV_CFG).is_file():
            return candidate
    return None


def from_option(value: str, root: Path, *, run_interpreter: bool = True) -> Environment:
    """The environment named by ``--python``: a venv folder, an interpreter, or a command.

    Without ``run_interpreter`` (the name comes from the checked repository's own config)
    only a venv is accepted: it is read from disk, and nothing the repository names is run.
    """
    expanded = os.path.expanduser(value)
    candidates = [root / expanded, Path(expanded).absolute()]
    which = shutil.which(expanded)
    if which is not None:
        candidates.append(Path(which))
    for candidate in candidates:
        if not candidate.exists():
            continue
        venv = _venv_of(candidate)
        if venv is not None:
            return from_venv(Path(os.path.abspath(venv)))
        if candidate.is_file():
            if not run_interpreter:
                raise ConfigError(
                    f"python = {value!r} in the config names an interpreter, not a venv: "
                    "venvguard never runs an interpreter a repository names (pass --python)"
                )
            return _from_interpreter(candidate)
    raise ConfigError(f"--python {value}: no such venv or interpreter")


def locate(root: Path, option: str | None, *, run_interpreter: bool = True) -> Environment | None:
    """The environment to judge the locks of ``root`` against, or ``None``."""
    if option:
        return from_option(option, root, run_interpreter=run_interpreter)
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        folder = Path(active).absolute()
        if folder.is_relative_to(root) and (folder / PYVENV_CFG).is_file():
            return from_venv(folder)
    for name in (".venv", "venv"):
        if (root / name / PYVENV_CFG).is_file():
            return from_venv(root / name)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return None
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and os.path.isfile(
            os.path.join(entry.path, PYVENV_CFG)
        ):
            return from_venv(Path(entry.path))
    return None


def current_platform() -> str:
    return f"{sys.platform}_{os.uname().machine if hasattr(os, 'uname') else _machine()}".lower()


def _machine() -> str:
    import platform  # Windows has no os.uname; platform costs ~4 ms to import

    return platform.machine()
