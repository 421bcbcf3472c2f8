"""Helpers for the real-client tests (pre-commit, the composite action).

They share slow set-up across the whole session, even across xdist workers: a wheelhouse
(venvguard's runtime lock plus its build backend) so that hook environments and the
action's venv install with no index, and a committed snapshot of this working tree to
serve as the hook repository. Each is built once into the session's shared temporary
folder; a worker that loses the race to publish it uses the winner's copy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

#: A project that follows every rule: venv names ignored, installs only into a venv.
CLEAN_REPO: dict[str, str] = {
    ".gitignore": "__pycache__/\n.venv/\nvenv/\n",
    "README.md": (
        "# app\n\n```console\npython3 -m venv .venv\n.venv/bin/python -m pip install -e .\n```\n"
    ),
    "scripts/setup.sh": (
        "#!/bin/sh\nset -e\npython3 -m venv .venv\n.venv/bin/python -m pip install -e .\n"
    ),
    "src/app.py": "print('hello')\n",
}

#: One sure finding per family: a committed venv (VG102), no .gitignore (VG103), an
#: unpinned requirement (VG201), `sudo pip` in a script (VG301), and `pip --user` in an
#: extensionless executable with a bash shebang (VG302).
DIRTY_REPO: dict[str, str] = {
    ".venv/pyvenv.cfg": "home = /usr/bin\ninclude-system-site-packages = false\n",
    "requirements.txt": "packaging>=20\n",
    "scripts/install.sh": "#!/bin/sh\nsudo pip install -r requirements.txt\n",
    "bin/bootstrap": "#!/bin/bash\npip install --user httpie\n",
    "src/app.py": "print('hello')\n",
}
DIRTY_EXECUTABLES = ("bin/bootstrap", "scripts/install.sh")


#: git with no global or system configuration, for fixtures built outside any test.
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **_GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull},
    )
    return completed.stdout


def make_repo(path: Path, files: Mapping[str, str], executables: tuple[str, ...] = ()) -> Path:
    """A git repository at ``path`` with ``files`` committed."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    for name in executables:
        (path / name).chmod(0o755)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (where ``fcntl`` exists; elsewhere, no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: at worst the work is done twice
        yield
        return
    with open(path, "w", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_dir(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """``name`` in the session's shared temporary folder, built once by ``build``.

    Under xdist the first worker builds it while the others wait, then all use it.
    """
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    final = base / name
    with _locked(base / f"{name}.lock"):
        if not final.exists():
            partial = Path(tempfile.mkdtemp(dir=base, prefix=f"{name}-partial-"))
            build(partial)
            partial.rename(final)
    return final


def _download_wheels(target: Path) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    backend = pyproject["build-system"]["requires"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--dest",
            str(target),
            *backend,
            "-r",
            str(ROOT / "requirements.txt"),
        ],
        check=True,
        capture_output=True,
    )


def wheelhouse(factory: pytest.TempPathFactory) -> Path:
    """Wheels of venvguard's runtime lock and build backend, downloaded once per session."""
    return shared_dir(factory, "wheelhouse", _download_wheels)


def offline_env(wheels: Path, home: Path, **extra: str) -> dict[str, str]:
    """This process's environment with a fresh ``home``, pip and virtualenv off the network.

    Fixtures shared by several tests are set up before any test's own hermetic HOME, so
    the home (and git's configuration) is set here too.
    """
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(_GIT_ENV)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
    )
    env.pop("VIRTUAL_ENV", None)
    env.update(extra)
    return env


def _snapshot(target: Path) -> None:
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the work tree
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot of the work tree")


def hook_repository(factory: pytest.TempPathFactory) -> Path:
    """This work tree (tracked and addable files), committed in a repository of its own.

    pre-commit clones hook repositories at a commit; a snapshot makes the tests use the
    code as it is now, not as it was last committed.
    """
    return shared_dir(factory, "hook-repository", _snapshot)
