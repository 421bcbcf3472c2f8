"""The inputs the benchmarks run on, built from nothing in a temporary folder.

Everything is deterministic (a seeded ``random.Random``) and offline: the monorepo and the
small repositories are plain files committed with git, the venv's distributions are tiny
wheels written here with ``zipfile`` and installed by pip from a local folder.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PY_DIR = f"python{sys.version_info[0]}.{sys.version_info[1]}"


@dataclass(frozen=True)
class Sizes:
    monorepo_files: int
    distributions: int
    scripts: int
    audit_repos: int
    tree_scripts: int


FULL = Sizes(
    monorepo_files=100_000, distributions=120, scripts=400, audit_repos=50, tree_scripts=4000
)
QUICK = Sizes(monorepo_files=10_000, distributions=40, scripts=60, audit_repos=12, tree_scripts=600)


def git(cwd: Path, env: Mapping[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=dict(env), check=True, capture_output=True)


def commit_all(root: Path, env: Mapping[str, str]) -> None:
    if not (root / ".git").exists():
        git(root, env, "init", "-q", "-b", "main")
    git(root, env, "add", "-A")
    git(root, env, "commit", "-q", "--allow-empty", "-m", "benchmark input")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def fake_venv(folder: Path, files: int, *, uv_style: bool = False) -> None:
    """A venv as git and venvguard see it: ``pyvenv.cfg`` and a site-packages of ``files``."""
    base = Path(sys.base_prefix)
    write(folder / "pyvenv.cfg", f"home = {base / 'bin'}\ninclude-system-site-packages = false\n")
    (folder / "bin").mkdir(parents=True, exist_ok=True)
    python = folder / "bin" / "python"
    if not python.exists():
        python.symlink_to(Path(sys.executable).resolve())
    if uv_style:
        write(folder / ".gitignore", "*\n")
    site = folder / "lib" / PY_DIR / "site-packages"
    per_package = 25
    for index in range(max(0, files - 3) // per_package):
        package = site / f"dep{index:03d}"
        package.mkdir(parents=True, exist_ok=True)
        for module in range(per_package):
            (package / f"m{module}.py").write_text("X = 1\n")


def build_monorepo(root: Path, total: int, env: Mapping[str, str]) -> int:
    """About ``total`` files: tracked sources, nested ``.gitignore``s, ignored output, venvs.

    Per package of ~1,000 files on average: 600 tracked, 80 ignored (``generated/``, ``*.tmp``),
    20 untracked; every fifth package holds a venv of 1,500 files (``.venv`` ignored at the
    root, ``venv`` ignored by the package, or uv-style with its own ``*``). One venv is
    ignored by nothing, as in real monorepos. Returns the number of files written.
    """
    packages = max(5, total // 1000)
    written = 0
    write(root / ".gitignore", "*.log\n/build/\n.venv/\n__pycache__/\n")
    for p in range(packages):
        pkg = root / f"pkg{p:03d}"
        write(pkg / ".gitignore", "generated/\n*.tmp\n!keep.tmp\nvenv/\n")
        for d in range(10):
            folder = pkg / "src" / f"pkg{p:03d}" / f"sub{d}"
            folder.mkdir(parents=True, exist_ok=True)
            for m in range(60):
                (folder / f"mod{m}.py").write_text(f"VALUE = {p * 1000 + d * 60 + m}\n")
        written += 601
    commit_all(root, env)
    for p in range(packages):
        pkg = root / f"pkg{p:03d}"
        for g in range(78):
            write(pkg / "generated" / f"out{g}.json", "{}\n")
        write(pkg / "x.tmp", "")
        write(pkg / "keep.tmp", "")
        for n in range(20):
            write(pkg / "notes" / f"note{n}.txt", "todo\n")
        written += 100
        if p % 5 == 0:
            kind = (p // 5) % 3
            name = (".venv", "venv", "env")[kind]
            fake_venv(pkg / name, 1500, uv_style=kind == 2)
            written += 1500
    fake_venv(root / "tools" / "oldenv", 200)
    (root / "build.log").write_text("log\n")
    return written + 200


def make_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal, valid pure-Python wheel for ``name`` ``version``."""
    stem = name.replace("-", "_").replace(".", "_")
    dist_info = f"{stem}-{version}.dist-info"
    wheel = folder / f"{stem}-{version}-py3-none-any.whl"
    files = {
        f"{stem}/__init__.py": f"__version__ = {version!r}\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: bench\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{path},,\n" for path in files) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist_info}/RECORD", record)
    return wheel


def distribution_names(count: int) -> list[tuple[str, str]]:
    """``count`` (name, version) pairs, spelled in the mixed ways real metadata is."""
    spellings = ("bench-pkg-{i:03d}", "Bench_Pkg_{i:03d}", "bench.pkg.{i:03d}")
    return [(spellings[i % 3].format(i=i), f"1.{i % 7}.{i}") for i in range(count)]


def build_requirements_repo(root: Path, count: int, env: Mapping[str, str]) -> Path:
    """A repository whose ``.venv`` holds ``count`` distributions and a drifted lock file.

    The lock leaves out two installed distributions, lists one that is not installed, and
    pins one at another version: VG2 has real drift to find. Returns the venv.
    """
    wheels = root.parent / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    names = distribution_names(count)
    for name, version in names:
        make_wheel(wheels, name, version)
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=dict(env), check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels)]
        + [f"{name}=={version}" for name, version in names],
        env=dict(env),
        check=True,
    )
    pins = [f"{name}=={version}" for name, version in names[2:]]
    pins[0] = pins[0].rsplit("==", 1)[0] + "==9.9.9"
    pins.append("not-installed-anywhere==1.0")
    write(root / "requirements.txt", "\n".join(pins) + "\n")
    write(root / ".gitignore", ".venv/\nvenv/\n.env\n")
    write(root / "app.py", "print('hello')\n")
    commit_all(root, env)
    return venv


def build_fresh_repo(root: Path, count: int, env: Mapping[str, str]) -> None:
    """A repository whose complete lock resolves offline from the wheels of the venv repo."""
    wheels = root.parent / "reqs" / "wheels"
    pins = [f"{name}=={version}" for name, version in distribution_names(count)]
    write(
        root / "requirements.txt", f"--no-index\n--find-links {wheels}\n" + "\n".join(pins) + "\n"
    )
    write(root / ".gitignore", ".venv/\nvenv/\n.env\n")
    commit_all(root, env)


_SNIPPETS = (
    'echo "step {i}: building $PROJECT"',
    'if [ -d "$HOME/.cache/{w}" ]; then\n  rm -rf "$HOME/.cache/{w}"\nfi',
    'for f in src/*.py; do\n  python -m py_compile "$f"\ndone',
    'export PATH="$PWD/bin:$PATH"',
    '{w}_task() {{\n  local target="$1"\n  cp -r "$target" "/tmp/{w}"\n}}',
    'case "$1" in\n  start) {w}_task "$2" ;;\n  *) echo "usage: $0 start" ;;\nesac',
    "cat > config.ini <<EOF\n[section]\nname = {w}\nEOF",
    'tar -xzf archive.tgz -C "/opt/{w}"',
    "VERSION=$(git describe --tags 2>/dev/null || echo 0.0.{i})",
    "count=$((count + {i}))",
    '[[ -f "{w}.lock" ]] && echo "locked" >&2',
    "ITEMS=({w} alpha beta)",
    'log "{w} done in ${{SECONDS}}s"',
)
_INSTALLS = (
    "python -m venv .venv\n. .venv/bin/activate\npython -m pip install -r requirements.txt",
    "sudo pip install {w}",
    "pip install --user {w}==1.{i}",
    "python setup.py install",
    "uv pip install --system {w}",
    "pip3 install --break-system-packages {w}",
    ".venv/bin/python -m pip install {w}=={i}.0",
)
_WORDS = ("alpha", "build", "cache", "deploy", "engine", "fetch", "gamma", "helper", "index")


def shell_script(rng: random.Random, snippets: int, installs: bool = True) -> str:
    """A bash script of ``snippets`` commands; about 8% of them installs, if ``installs``."""
    parts = ["#!/usr/bin/env bash", "set -euo pipefail", ""]
    for i in range(snippets):
        pool = _INSTALLS if installs and rng.random() < 0.08 else _SNIPPETS
        parts.append(rng.choice(pool).format(i=i, w=rng.choice(_WORDS)))
    return "\n".join(parts) + "\n"


def installing_script(rng: random.Random, snippets: int) -> str:
    """A bash script of ``snippets`` commands, at least one of which installs."""
    return shell_script(rng, snippets - 1) + rng.choice(_INSTALLS).format(i=0, w="last") + "\n"


def build_shell_corpus(root: Path, scripts: int, env: Mapping[str, str]) -> tuple[Path, int]:
    """``scripts`` shell scripts of ~60 lines under ``root/scripts``; returns it and the lines."""
    rng = random.Random(6)
    folder = root / "scripts"
    lines = 0
    for n in range(scripts):
        text = shell_script(rng, 35)
        lines += text.count("\n")
        write(folder / f"task{n:04d}.sh", text)
    write(root / ".gitignore", ".venv/\nvenv/\n.env\n")
    commit_all(root, env)
    return folder, lines


def build_script_tree(root: Path, scripts: int, env: Mapping[str, str]) -> int:
    """A tree of ``scripts`` scripts as projects have them: one in ten installs packages.

    The others build, deploy and clean up; like most real bash scripts, every one of them
    says ``set -euo pipefail``. Returns how many scripts install something.
    """
    rng = random.Random(10)
    installing = 0
    for n in range(scripts):
        installs = rng.random() < 0.1
        text = installing_script(rng, 35) if installs else shell_script(rng, 35, installs=False)
        installing += installs
        write(root / "scripts" / f"part{n % 20:02d}" / f"task{n:05d}.sh", text)
    write(root / ".gitignore", ".venv/\nvenv/\n.env\n")
    commit_all(root, env)
    return installing


def build_small_repo(root: Path, env: Mapping[str, str]) -> None:
    """A small repository with nothing to find: the everyday pre-commit case."""
    write(root / ".gitignore", ".venv/\nvenv/\n.env\n__pycache__/\n")
    write(root / "README.md", "# demo\n\n```console\npython -m pip install -e .\n```\n")
    write(root / "pyproject.toml", '[project]\nname = "demo"\nversion = "1.0"\n')
    write(root / "requirements.txt", "requests==2.32.3\n")
    write(root / "src" / "demo" / "__init__.py", "")
    write(root / "src" / "demo" / "app.py", "def main() -> None:\n    print('hi')\n")
    write(root / "scripts" / "setup.sh", "#!/bin/sh\npython -m venv .venv\n")
    commit_all(root, env)


def build_audit_repos(root: Path, count: int, env: Mapping[str, str]) -> None:
    """``count`` tiny repositories (about 40 files), a third of them with something to find.

    Each check is so short that the interpreter's start-up and first imports dominate: the
    row shows how much of an audit is fixed cost, not how it scales.
    """
    rng = random.Random(50)
    for n in range(count):
        repo = root / f"repo{n:03d}"
        ignore = ".venv/\nvenv/\n.env\n" if n % 3 else "__pycache__/\n"
        write(repo / ".gitignore", ignore)
        write(repo / "README.md", f"# repo {n}\n")
        write(repo / "requirements.txt", "requests==2.32.3\nclick==8.1.7\n")
        write(repo / "Dockerfile", "FROM python:3.12\nRUN pip install -r requirements.txt\n")
        write(repo / "Makefile", "install:\n\tpython -m pip install -r requirements.txt\n")
        for m in range(30):
            write(repo / "src" / f"app{n}" / f"mod{m}.py", f"X = {m}\n")
        for s in range(4):
            write(repo / "scripts" / f"task{s}.sh", shell_script(rng, 30))
        commit_all(repo, env)


_SERVICE_PINS = (
    "certifi==2024.7.4\ncharset-normalizer==3.3.2\nclick==8.1.7\nflask==3.0.3\n"
    "greenlet==3.0.3\ngunicorn==22.0.0\nidna==3.7\nitsdangerous==2.2.0\njinja2==3.1.4\n"
    "markupsafe==2.1.5\npackaging==24.1\npydantic==2.8.2\nrequests==2.32.3\n"
    "sqlalchemy==2.0.31\ntyping-extensions==4.12.2\nurllib3==2.2.2\nwerkzeug==3.0.3\n"
)
_SERVICE_README = """# service {n}

An internal service.

## Install

```console
$ python -m venv .venv
$ . .venv/bin/activate
$ pip install -r requirements.txt
```

## Run

```bash
make run
```
"""
_SERVICE_MAKEFILE = """VENV := .venv

install:
\tpython -m venv $(VENV)
\t$(VENV)/bin/pip install -r requirements-dev.txt

test:
\t$(VENV)/bin/pytest

run:
\t$(VENV)/bin/gunicorn app:app
"""
_SERVICE_WORKFLOW = """name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: |
          python -m pip install --upgrade pip
          pip install -r requirements-dev.txt
      - run: pytest
"""
_SERVICE_DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["gunicorn", "app:app"]
"""


def build_service_repos(root: Path, count: int, env: Mapping[str, str]) -> None:
    """``count`` repositories shaped like an organisation's services (about 110 files each).

    Each has a package and its tests, a README with install steps, pinned requirements, a
    Dockerfile, a Makefile, a tox.ini, a CI workflow, docs and six shell scripts; a third of
    them leave the venv unignored, and some scripts install globally.
    """
    rng = random.Random(51)
    for n in range(count):
        repo = root / f"service{n:03d}"
        ignore = ".venv/\nvenv/\n.env\n__pycache__/\n" if n % 3 else "__pycache__/\n"
        write(repo / ".gitignore", ignore)
        write(repo / "README.md", _SERVICE_README.format(n=n) + "\nMore about the API.\n" * 20)
        write(repo / "requirements.txt", _SERVICE_PINS)
        write(repo / "requirements-dev.txt", "-r requirements.txt\npytest==8.3.2\nruff==0.5.5\n")
        write(repo / "pyproject.toml", f'[project]\nname = "service{n}"\nversion = "1.0"\n')
        write(repo / "Dockerfile", _SERVICE_DOCKERFILE)
        write(repo / "Makefile", _SERVICE_MAKEFILE)
        write(repo / "tox.ini", "[testenv]\ndeps = -r requirements-dev.txt\ncommands = pytest\n")
        write(repo / ".github" / "workflows" / "ci.yml", _SERVICE_WORKFLOW)
        for m in range(60):
            write(
                repo / "src" / f"service{n}" / f"mod{m}.py", f"def f{m}() -> int:\n    return {m}\n"
            )
        for m in range(30):
            write(repo / "tests" / f"test_mod{m}.py", f"def test_{m}() -> None:\n    assert True\n")
        for d in range(6):
            write(repo / "docs" / f"page{d}.md", f"# page {d}\n\nText.\n" * 10)
        for s in range(6):
            write(repo / "scripts" / f"task{s}.sh", shell_script(rng, 30))
        commit_all(repo, env)


def count_files(root: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(root))
