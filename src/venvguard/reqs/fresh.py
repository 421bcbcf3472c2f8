"""Fresh resolution (``--fresh``): what installing each lock from scratch would give.

Each root lock is resolved in isolation for a target Python and platform, installing
nothing: with ``uv pip compile`` when uv is available (it evaluates markers for the target),
else with ``pip install --dry-run --ignore-installed --report`` of the running interpreter.
Source distributions are never built unless ``allow-build`` is set (``--only-binary
:all:``), so checking a lock runs no code from the index. The user's index settings are
respected: pip's config files and ``PIP_*`` variables, then the lock's own options.

The verdict is cached by the content of every file involved, the target, the index
settings and the resolver, so an unchanged lock costs no resolution (and no parsing) the
second time. Entries are written atomically: two runs at once never see half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

from venvguard.config import Config
from venvguard.findings import Finding, Notice
from venvguard.project import Project
from venvguard.records import FrozenRecord, Record
from venvguard.reqs.analysis import Analysis
from venvguard.reqs.verdicts import load_verdict, save_verdict

if TYPE_CHECKING:
    from venvguard.reqs.installed import Distribution
    from venvguard.reqs.reqfile import LockFile

CACHE_VERSION = "vg2-fresh-1"
_BUILD_HINT = (
    " A package has no wheel for this target and building from source is off: "
    "pass --allow-build (or [tool.venvguard.fresh] allow-build = true) to let the resolver "
    "build it, which runs that package's code."
)


class Target(FrozenRecord):
    __slots__ = ("python_version", "platform", "allow_build")

    python_version: Final[str]
    platform: Final[str]
    allow_build: Final[bool]

    def __init__(self, python_version: str, platform: str, allow_build: bool) -> None:
        self.python_version = python_version
        self.platform = platform
        self.allow_build = allow_build

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.python_version.split(".") if part.isdigit())


class Resolution(Record):
    """What a resolver chose, by normalized name, or why it could not.

    ``cacheable`` is false for failures that may pass next time (network, a missing
    resolver).
    """

    __slots__ = ("distributions", "hashes", "error", "cacheable")

    def __init__(
        self,
        distributions: dict[str, Distribution] | None = None,
        hashes: dict[str, list[str]] | None = None,
        error: str | None = None,
        cacheable: bool = True,
    ) -> None:
        self.distributions: dict[str, Distribution] = {} if distributions is None else distributions
        self.hashes: dict[str, list[str]] = {} if hashes is None else hashes
        self.error = error
        self.cacheable = cacheable


def target_of(config: Config) -> Target:
    version = config.fresh.python_version or "{}.{}".format(*sys.version_info[:2])
    platform = config.fresh.platform or sys.platform
    return Target(version, platform, config.fresh.allow_build)


def pip_index_settings() -> dict[str, object]:
    """pip's index settings from its config files and ``PIP_*`` variables (later wins)."""
    import configparser

    settings: dict[str, object] = {}
    files: list[str] = []
    chosen = os.environ.get("PIP_CONFIG_FILE")
    if chosen != os.devnull:
        xdg_dirs = os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(os.pathsep)
        files += [os.path.join(d, "pip", "pip.conf") for d in xdg_dirs] + ["/etc/pip.conf"]
        home = os.path.expanduser("~")
        config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        files += [
            os.path.join(home, ".pip", "pip.conf"),
            os.path.join(config_home, "pip", "pip.conf"),
        ]
        if chosen:
            files.append(chosen)
    parser = configparser.RawConfigParser()
    for name in files:
        try:
            parser.read(name, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
    for section in ("global", "install"):
        if parser.has_section(section):
            for key in ("index-url", "extra-index-url", "find-links", "no-index"):
                if parser.has_option(section, key):
                    settings[key] = parser.get(section, key)
    for key in ("index-url", "extra-index-url", "find-links", "no-index"):
        value = os.environ.get("PIP_" + key.upper().replace("-", "_"))
        if value is not None:
            settings[key] = value
    for name in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "UV_EXTRA_INDEX_URL"):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    return settings


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def index_arguments(settings: dict[str, object], lock: LockFile, root: Path) -> list[str]:
    """Resolver options: pip's settings, then the lock's own index options on top."""
    index_url = settings.get("index-url")
    extra = str(settings.get("extra-index-url", "")).split()
    links = str(settings.get("find-links", "")).split()
    no_index = _truthy(settings.get("no-index", False))
    pre = False
    for option in lock.options:
        value = str(option.value)
        if option.dest == "index_url":
            index_url = value
        elif option.dest == "extra_index_urls":
            extra.append(value)
        elif option.dest == "no_index":
            no_index = True
        elif option.dest == "find_links":
            local = root / os.path.dirname(option.path) / value
            links.append(str(local) if local.exists() else value)
        elif option.dest == "pre":
            pre = True
    args: list[str] = []
    if no_index:
        args.append("--no-index")
    else:
        if index_url:
            args += ["--index-url", str(index_url)]
        for url in extra:
            args += ["--extra-index-url", url]
    for link in links:
        args += ["--find-links", link]
    if pre:
        args.append("--pre")
    return args


def _input_lines(lock: LockFile, allow_build: bool) -> tuple[list[str], list[str]]:
    """Requirement and constraint lines to resolve; editables and local folders left out.

    Without ``allow_build``, a URL that is not a wheel (a folder of the repository, an
    sdist, a VCS checkout) is left out too: reading its metadata means running its build
    backend, and resolvers build such links even with ``--only-binary :all:``.
    """
    requirements: list[str] = []
    constraints: list[str] = []
    for item in lock.items:
        requirement = item.requirement
        if requirement.editable:
            continue
        if requirement.url and requirement.url.startswith("file:") and not requirement.name:
            continue
        url = (requirement.url or "").split("#", 1)[0].split("?", 1)[0]
        if url and not allow_build and not url.endswith(".whl"):
            continue
        (constraints if item.constraint else requirements).append(item.text)
    return requirements, constraints


def _uv_binary() -> str | None:
    beside = Path(sys.executable).with_name("uv" + (".exe" if os.name == "nt" else ""))
    if beside.is_file():
        return str(beside)
    return shutil.which("uv")


def uv_platform(platform: str) -> str:
    """A ``--python-platform`` value for uv from pip-style tags or ``sys.platform`` names."""
    lowered = platform.lower()
    arm = "aarch64" in lowered or "arm64" in lowered
    if lowered.startswith("win"):
        return "aarch64-pc-windows-msvc" if arm else "windows"
    if "mac" in lowered or "darwin" in lowered:
        return "aarch64-apple-darwin" if arm else "x86_64-apple-darwin"
    if lowered.startswith(("linux", "manylinux", "musllinux")):
        return "aarch64-unknown-linux-gnu" if arm else "linux"
    return platform


def _resolve_uv(
    uv: str, lock: LockFile, *, target: Target, index: list[str], root: Path, folder: Path
) -> Resolution:
    requirements, constraints = _input_lines(lock, target.allow_build)
    source = folder / "requirements.in"
    source.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    args = [uv, "pip", "compile", str(source), "-q", "--no-header", "--no-annotate"]
    # Never the checked repository's uv.toml or [tool.uv], nor its .venv's interpreter
    # (uv would run it to learn about it): venvguard's own Python is the one uv asks.
    args += ["--no-config", "--python", sys.executable]
    args += ["--generate-hashes", "--python-version", target.python_version]
    args += ["--python-platform", uv_platform(target.platform)]
    if not target.allow_build:
        args += ["--only-binary", ":all:"]
    if constraints:
        extra = folder / "constraints.txt"
        extra.write_text("\n".join(constraints) + "\n", encoding="utf-8")
        args += ["--constraint", str(extra)]
    args += index
    if "--pre" in args:
        args[args.index("--pre")] = "--prerelease=allow"
    completed = _run(args, root)
    if completed is None:
        return Resolution(error="uv could not be started", cacheable=False)
    if completed.returncode != 0:
        return _failure(completed.stderr)
    from venvguard.reqs.installed import Distribution
    from venvguard.reqs.reqfile import parse_lock

    output = parse_lock("resolution", lambda _: completed.stdout, root)
    resolution = Resolution()
    for item in output.items:
        if item.key is None:
            continue
        version = next((s.version for s in item.requirement.specifier), "")
        resolution.distributions[item.key] = Distribution(item.key, version)
        resolution.hashes[item.key] = list(item.hashes)
    return resolution


def _resolve_pip(
    lock: LockFile, *, target: Target, index: list[str], root: Path, folder: Path
) -> Resolution:
    requirements, constraints = _input_lines(lock, target.allow_build)
    source = folder / "requirements.txt"
    source.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    report = folder / "report.json"
    # -I: the working directory (the checked repository) is not on sys.path, so a
    # ``pip.py`` or ``pip/`` of the repository is never imported instead of pip.
    args = [sys.executable, "-I", "-m", "pip", "install", "--dry-run", "--ignore-installed"]
    args += ["-q"]
    args += ["--report", str(report), "-r", str(source)]
    if not target.allow_build:
        args += ["--only-binary", ":all:"]
    running = "{}.{}".format(*sys.version_info[:2])
    if target.python_version != running and not target.allow_build:
        args += ["--python-version", target.python_version]
    if target.platform not in (sys.platform,) and not target.allow_build:
        args += ["--platform", target.platform]
    if constraints:
        extra = folder / "constraints.txt"
        extra.write_text("\n".join(constraints) + "\n", encoding="utf-8")
        args += ["-c", str(extra)]
    args += index
    completed = _run(args, root)
    if completed is None:
        return Resolution(error="pip could not be started", cacheable=False)
    if completed.returncode != 0:
        return _failure(completed.stderr)
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Resolution(error="pip wrote no usable report", cacheable=False)
    from venvguard.reqs.installed import Distribution
    from venvguard.reqs.names import canonicalize_name

    resolution = Resolution()

    for entry in data.get("install", []):
        metadata = entry.get("metadata", {})
        key = canonicalize_name(str(metadata.get("name", "")))
        resolution.distributions[key] = Distribution(key, str(metadata.get("version", "")))
        archive = entry.get("download_info", {}).get("archive_info", {})
        hashes = archive.get("hashes") or {}
        resolution.hashes[key] = [f"{algorithm}:{value}" for algorithm, value in hashes.items()]
    return resolution


def _run(args: list[str], root: Path) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            args,
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _failure(stderr: str) -> Resolution:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = " ".join(lines)
    lowered = text.lower()
    conflict = any(
        word in lowered
        for word in ("no solution found", "resolutionimpossible", "conflict", "unsatisfiable")
    ) or ("no matching distribution" in lowered)
    message = text[:600] if text else "the resolver failed without saying why"
    if any(w in lowered for w in ("no usable wheels", "--no-build", "only-binary", "no-binary")):
        message += _BUILD_HINT
    return Resolution(error=message, cacheable=conflict)


def resolve(
    project: Project, lock: LockFile, target: Target, settings: dict[str, object]
) -> Resolution:
    index = index_arguments(settings, lock, project.root)
    uv = _uv_binary()
    with tempfile.TemporaryDirectory(prefix="venvguard-fresh-") as temporary:
        folder = Path(temporary)
        if uv is not None:
            return _resolve_uv(
                uv, lock, target=target, index=index, root=project.root, folder=folder
            )
        return _resolve_pip(lock, target=target, index=index, root=project.root, folder=folder)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run_key(
    project: Project, config: Config, target: Target, settings: dict[str, object]
) -> tuple[str, list[str]]:
    from venvguard.reqs.locks import candidates

    names, _ = candidates(project, config.requirements)
    digest = hashlib.sha256()
    resolver = "uv" if _uv_binary() is not None else f"pip@{sys.executable}"
    header = {
        "cache": CACHE_VERSION,
        "target": {
            "python_version": target.python_version,
            "platform": target.platform,
            "allow_build": target.allow_build,
        },
        "settings": settings,
        "resolver": resolver,
        "select": sorted(names),
    }
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for name in names:
        digest.update(name.encode() + b"\0")
        try:
            digest.update(_digest(project.absolute(name).read_bytes()).encode())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest(), names


def cached_verdict(project: Project, config: Config) -> tuple[str, Analysis | None]:
    """The cache key of this run, and the cached analysis if every file is unchanged."""
    target = target_of(config)
    key, _ = _run_key(project, config, target, pip_index_settings())
    return key, load_verdict(project, f"{key}.json")


def store_verdict(key: str, project: Project, analysis: Analysis, cacheable: bool) -> None:
    if cacheable:
        save_verdict(project, f"{key}.json", analysis)


def judge_fresh(project: Project, config: Config, analysis: Analysis) -> bool:
    """Resolve and judge every root lock; return whether the verdict may be cached."""
    from venvguard.reqs.analysis import own_distribution
    from venvguard.reqs.environment import marker_environment
    from venvguard.reqs.installed import hidden_by_freeze
    from venvguard.reqs.judge import judge_lock

    target = target_of(config)
    settings = pip_index_settings()
    markers = marker_environment(target.version_tuple, "CPython", target.platform)
    hidden = hidden_by_freeze(target.version_tuple)
    own = own_distribution(project.root)
    place = f"the fresh resolution for Python {target.python_version} on {target.platform}"
    cacheable = True
    for lock in analysis.locks.roots:
        resolution = resolve(project, lock, target, settings)
        cacheable = cacheable and resolution.cacheable
        if resolution.error is not None:
            if resolution.cacheable:
                analysis.findings.append(
                    Finding(
                        lock.path,
                        None,
                        None,
                        "VG208",
                        f"{lock.path} cannot be installed for Python {target.python_version} "
                        f"on {target.platform}: {resolution.error}",
                    )
                )
            else:
                analysis.notices.append(
                    Notice(lock.path, None, f"fresh resolution failed: {resolution.error}")
                )
            verdict = judge_lock(lock, {}, markers, place="", holder="", check_missing=False)
            analysis.findings.extend(f for f in verdict.findings if f.code in ("VG201", "VG205"))
            continue
        verdict = judge_lock(
            lock,
            resolution.distributions,
            markers,
            place=f"in {place}",
            holder=f"{place} picks",
            hidden=hidden,
            own=own,
        )
        analysis.findings.extend(verdict.findings)
        analysis.repins.update(verdict.repins)
        analysis.additions[lock.path] = verdict.additions
        for item in lock.requirements:
            if not item.hashes or item.key is None or not item.requirement.applies(markers):
                continue
            known = resolution.hashes.get(item.key)
            if known and not set(item.hashes) & set(known):
                analysis.findings.append(
                    Finding(
                        item.path,
                        item.line,
                        item.column,
                        "VG207",
                        f"no --hash of `{item.text}` matches a file of "
                        f"{item.requirement.name} {resolution.distributions[item.key].version}",
                        package=item.key,
                    )
                )
    return cacheable
