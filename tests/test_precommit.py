"""The pre-commit hooks, driven by the real pre-commit client, offline.

Hook environments are built by pre-commit itself from a committed snapshot of this work
tree, with pip limited to a local wheelhouse (``PIP_NO_INDEX``, ``PIP_FIND_LINKS``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
import yaml
from identify.identify import ALL_TAGS

from venvguard.hooks import HOOKS

from . import clients
from .clients import CLEAN_REPO, DIRTY_EXECUTABLES, DIRTY_REPO, ROOT, make_repo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.slow


@dataclass
class HookRun:
    status: str
    output: str

    @property
    def codes(self) -> set[str]:
        return set(re.findall(r"\bVG\d{3}\b", self.output))


def parse_hook_runs(output: str) -> dict[str, HookRun]:
    """Each hook's status and output from ``pre-commit run --verbose``."""
    runs: dict[str, HookRun] = {}
    status = ""
    current: list[str] | None = None
    for line in output.splitlines():
        header = re.match(r"^.*?\.{3,}(?:\([^)]*\))?(Passed|Failed|Skipped)$", line)
        if header:
            status, current = header.group(1), None
            continue
        hook_id = re.match(r"^- hook id: (\S+)$", line)
        if hook_id:
            current = []
            runs[hook_id.group(1)] = HookRun(status, "")
            continue
        if current is not None and runs:
            last = list(runs)[-1]
            runs[last].output += line + "\n"
    return runs


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clients.wheelhouse(tmp_path_factory)


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clients.hook_repository(tmp_path_factory)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clients.shared_dir(tmp_path_factory, "pre-commit-home", lambda _: None)


def run_pre_commit(*args: str, cwd: Path, wheels: Path, store: Path) -> Completed:
    """The real pre-commit client, offline, with ``store`` as its ``PRE_COMMIT_HOME``."""
    env = clients.offline_env(
        wheels, store.parent / "home", PRE_COMMIT_HOME=str(store), PRE_COMMIT_COLOR="never"
    )
    completed = subprocess.run(
        [*PRE_COMMIT, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return Completed(completed.returncode, completed.stdout + completed.stderr)


@dataclass
class Completed:
    returncode: int
    output: str


@pytest.fixture(scope="session")
def try_repo_runs(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, hook_repo: Path
) -> dict[str, Completed]:
    """``pre-commit try-repo`` of every hook on the clean and the dirty fixture.

    try-repo builds its hook environment afresh in a temporary store each time, so the two
    run in parallel, once per session; the outputs are kept for every worker to read.
    """

    def build(base: Path) -> None:
        targets = {
            "clean": make_repo(base / "clean", CLEAN_REPO, ("scripts/setup.sh",)),
            "dirty": make_repo(base / "dirty", DIRTY_REPO, DIRTY_EXECUTABLES),
        }

        def try_repo(target: Path) -> Completed:
            return run_pre_commit(
                "try-repo",
                str(hook_repo),
                "--all-files",
                "--hook-stage",
                "manual",
                "--verbose",
                cwd=target,
                wheels=wheelhouse,
                store=base / "unused-store",
            )

        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = dict(zip(targets, pool.map(try_repo, targets.values()), strict=True))
        (base / "runs.json").write_text(json.dumps({k: asdict(v) for k, v in runs.items()}))

    shared = clients.shared_dir(tmp_path_factory, "try-repo", build)
    stored = json.loads((shared / "runs.json").read_text())
    return {name: Completed(**run) for name, run in stored.items()}


def test_manifest_is_valid_for_pre_commit() -> None:
    completed = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(MANIFEST)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_manifest_hooks_map_to_console_scripts_of_the_package() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert [hook["id"] for hook in manifest] == list(HOOKS)
    for hook in manifest:
        assert hook["language"] == "python"
        target = scripts[hook["entry"]]
        assert target.partition(":")[0] == "venvguard.hooks"
        assert hook["name"] and len(hook["description"]) > 40
        # types_or is why the manifest needs pre-commit 2.9.0, and it asks no more.
        assert hook["minimum_pre_commit_version"] == "2.9.0"
        for tag in hook.get("types_or", []):
            assert tag in ALL_TAGS
    by_id = {hook["id"]: hook for hook in manifest}
    assert by_id["requirements-fresh"]["stages"] == ["manual"]
    for repo_wide in ("venvguard", "venv-gitignored", "requirements-fresh"):
        assert by_id[repo_wide]["pass_filenames"] is False
        assert by_id[repo_wide]["always_run"] is True
    assert "pass_filenames" not in by_id["no-global-installs"]  # it checks the given files
    assert not any(hook.get("require_serial") for hook in manifest)


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("requirements.txt", True),
        ("requirements/dev.in", True),
        ("requirements-dev.txt", True),
        ("sub/dev-requirements.txt", True),
        ("pyproject.toml", True),
        ("pkg/.gitignore", True),
        ("constraints.txt", True),
        ("README.md", False),
        ("src/requirements.py", False),
    ],
)
def test_requirements_frozen_runs_when_requirements_change(path: str, runs: bool) -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    pattern = next(h["files"] for h in manifest if h["id"] == "requirements-frozen")
    assert bool(re.search(pattern, path)) is runs


def test_no_global_installs_sees_every_kind_of_file_vg3_reads(tmp_path: Path) -> None:
    from identify.identify import tags_from_path

    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    types_or = set(next(h["types_or"] for h in manifest if h["id"] == "no-global-installs"))
    kinds = {
        "install.sh": "",
        "Dockerfile": "",
        "build/Containerfile": "",
        "Makefile": "",
        "rules.mk": "",
        ".github/workflows/ci.yml": "",
        ".gitlab-ci.yml": "",
        "README.md": "",
        "docs/setup.rst": "",
        "notebook.ipynb": "{}",
        "tox.ini": "",
        "setup.ps1": "",
        "setup.bat": "",
        "setup.cmd": "",
        "bootstrap": "#!/usr/bin/env bash\n",
        "docs/intro.mdx": "",
        "docker/Dockerfile.j2": "",
    }
    for name, content in kinds.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    (tmp_path / "bootstrap").chmod(0o755)
    for name in kinds:
        assert tags_from_path(str(tmp_path / name)) & types_or, name
    (tmp_path / "notes.txt").write_text("pip install x\n", encoding="utf-8")
    assert not tags_from_path(str(tmp_path / "notes.txt")) & types_or


def test_this_repository_config_is_valid() -> None:
    completed = subprocess.run(
        [*PRE_COMMIT, "validate-config", str(ROOT / ".pre-commit-config.yaml")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_this_repository_runs_the_hooks_of_its_manifest() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    manifest = {h["id"]: h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    local = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    assert {hook["id"] for hook in local} == set(manifest)
    for hook in local:
        published = manifest[hook["id"]]
        assert hook["entry"].endswith(published["entry"])
        for key in ("types_or", "files", "pass_filenames", "always_run", "stages"):
            assert hook.get(key) == published.get(key), (hook["id"], key)


def test_readme_config_snippet_is_valid(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippets = re.findall(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.DOTALL)
    assert snippets, "README shows no .pre-commit-config.yaml"
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippets[0], encoding="utf-8")
    completed = subprocess.run(
        [*PRE_COMMIT, "validate-config", str(config)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    hooks = {h["id"] for repo in yaml.safe_load(snippets[0])["repos"] for h in repo["hooks"]}
    assert hooks <= set(HOOKS)


def test_try_repo_passes_on_a_clean_repository(
    try_repo_runs: dict[str, Completed],
) -> None:
    completed = try_repo_runs["clean"]
    output = completed.output
    runs = parse_hook_runs(output)
    assert set(runs) == set(HOOKS), output
    for hook_id, run in runs.items():
        assert run.status == "Passed", (hook_id, run.output)
        assert not run.codes, (hook_id, run.output)
    assert completed.returncode == 0, output


@pytest.mark.parametrize(
    ("hook_id", "expected"),
    [
        # Waits on VG1 (VG102, VG103), VG2 (VG201) and VG3 (VG301, VG302).
        ("venvguard", {"VG102", "VG103", "VG201", "VG301", "VG302"}),
        ("venv-gitignored", {"VG102", "VG103"}),  # waits on VG1
        ("requirements-frozen", {"VG201"}),  # waits on VG2
        ("no-global-installs", {"VG301", "VG302"}),  # waits on VG3
        ("requirements-fresh", {"VG201"}),  # waits on VG2 (fresh mode)
    ],
)
def test_try_repo_fails_on_a_dirty_repository_with_each_hooks_findings(
    try_repo_runs: dict[str, Completed],
    hook_id: str,
    expected: set[str],
) -> None:
    completed = try_repo_runs["dirty"]
    output = completed.output
    assert completed.returncode == 1, output
    run = parse_hook_runs(output)[hook_id]
    assert run.status == "Failed", run.output
    assert expected <= run.codes, run.output
    families = {code[:3] for code in expected}
    assert {code[:3] for code in run.codes} <= families, run.output  # its own family only
    if "VG301" in expected:
        assert "scripts/install.sh:2:" in run.output
        assert "bin/bootstrap:2:" in run.output


def test_a_users_config_blocks_a_commit_of_a_staged_global_install(
    tmp_path: Path, wheelhouse: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    """A user's own config pointing at the repository, installed as the git hook.

    Waits on VG3 (VG301) and VG1 (the clean project must pass VG1).
    """
    rev = clients.git(hook_repo, "rev-parse", "HEAD").strip()
    config = (
        "repos:\n"
        f"  - repo: {hook_repo.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: venv-gitignored\n"
        "      - id: no-global-installs\n"
        "        args: [--ignore, VG302]\n"
    )
    project = make_repo(tmp_path / "project", {**CLEAN_REPO, ".pre-commit-config.yaml": config})

    installed = run_pre_commit("install", cwd=project, wheels=wheelhouse, store=pre_commit_home)
    assert installed.returncode == 0, installed.output
    (project / "deploy.sh").write_text("#!/bin/sh\nsudo pip install gunicorn\n")
    (project / "tools.sh").write_text("#!/bin/sh\npip install --user black\n")
    (project / "later.sh").write_text("#!/bin/sh\nsudo pip install later\n")  # not staged
    clients.git(project, "add", "deploy.sh", "tools.sh")
    env = clients.offline_env(
        wheelhouse,
        pre_commit_home.parent / "home",
        PRE_COMMIT_HOME=str(pre_commit_home),
        PRE_COMMIT_COLOR="never",
    )
    commit = subprocess.run(
        ["git", "commit", "-m", "deploy"],
        check=False,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output
    assert "deploy.sh:2:" in output and "VG301" in output
    assert "later.sh" not in output  # only what is being committed
    assert "VG302" not in output  # the user's args reached venvguard
    (project / "deploy.sh").write_text(
        "#!/bin/sh\npython3 -m venv .venv\n.venv/bin/python -m pip install gunicorn\n"
    )
    clients.git(project, "add", "deploy.sh")
    clients.git(project, "rm", "-q", "--cached", "tools.sh")
    commit = subprocess.run(
        ["git", "commit", "-m", "deploy"],
        check=False,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
