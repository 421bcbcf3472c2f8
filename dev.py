"""Set up the project's own ``.venv`` from the pinned locks, then run a job in it.

    python3 dev.py check [ARGS ...]   venvguard check (this repository by default)
    python3 dev.py test [ARGS ...]    ruff, ruff format --check, mypy --strict, then pytest
    python3 dev.py fuzz [ARGS ...]    long fuzz campaign: the fuzz tests with thousands of examples
    python3 dev.py setup              only set up

Needs nothing but Python >= 3.10 and git. The venv is rebuilt only when the locks or
pyproject.toml change (a stamp of their content is kept inside it).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK_FILES = ("requirements.txt", "requirements-dev.txt", "pyproject.toml")
STAMP = VENV / ".dev-stamp"


def venv_bin(name: str) -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def lock_digest() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in LOCK_FILES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def setup() -> None:
    wanted = lock_digest()
    if STAMP.exists() and STAMP.read_text() == wanted and venv_bin("python").exists():
        return
    if not venv_bin("python").exists():
        print(f"+ creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = venv_bin("python")
    quiet = ("--quiet", "--disable-pip-version-check")
    run(python, "-m", "pip", "install", *quiet, "-r", "requirements-dev.txt")
    run(python, "-m", "pip", "install", *quiet, "--no-deps", "--editable", ".")
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"check", "test", "fuzz", "setup"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    job, rest = argv[0], argv[1:]
    try:
        setup()
        if job == "check":
            run(venv_bin("venvguard"), "check", *rest)
        elif job == "test":
            run(venv_bin("ruff"), "check", ".")
            run(venv_bin("ruff"), "format", "--check", ".")
            run(venv_bin("mypy"))
            run(venv_bin("python"), "-m", "pytest", "-n", "auto", *rest)
        elif job == "fuzz":
            os.environ["VENVGUARD_HYPOTHESIS"] = "thorough"
            fuzz_tests = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("tests/test_fuzz_*.py"))
            fuzz_tests.append("tests/test_gitignore.py")
            run(
                venv_bin("python"),
                "-m",
                "pytest",
                "-n",
                "auto",
                *fuzz_tests,
                *rest,
            )
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
