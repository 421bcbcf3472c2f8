"""The distributions installed in an environment, read from disk as ``pip freeze`` sees them.

No interpreter is started and pip is not imported: each ``*.dist-info`` (or legacy
``*.egg-info``) folder of the site-packages folders, and of folders that ``.pth`` files
add, gives its ``Name`` and ``Version`` headers; ``direct_url.json`` (PEP 610) tells
editables and URL installs apart. The first distribution of a name wins, as on
``sys.path``. Which tools ``pip freeze`` leaves out depends on the environment's Python.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from venvguard.records import FrozenRecord
from venvguard.reqs.names import canonicalize_name

#: ``pip freeze`` always leaves pip out, and the build tools too on Python < 3.12.
ALWAYS_HIDDEN = frozenset({"pip"})
HIDDEN_BEFORE_312 = frozenset({"setuptools", "wheel", "distribute"})


class Distribution(FrozenRecord):
    """One installed (or resolved) distribution.

    ``url`` is the direct URL it was installed from (PEP 610), ``editable`` whether it is
    an editable install; ``system`` marks one seen through
    ``include-system-site-packages``.
    """

    __slots__ = (
        "name",
        "version",
        "url",
        "editable",
        "vcs",
        "commit",
        "archive_hash",
        "subdirectory",
        "system",
    )

    name: Final[str]
    version: Final[str]
    url: Final[str | None]
    editable: Final[bool]
    vcs: Final[str | None]
    commit: Final[str | None]
    archive_hash: Final[str | None]
    subdirectory: Final[str | None]
    system: Final[bool]

    def __init__(
        self,
        name: str,
        version: str,
        url: str | None = None,
        editable: bool = False,
        vcs: str | None = None,
        commit: str | None = None,
        archive_hash: str | None = None,
        subdirectory: str | None = None,
        system: bool = False,
    ) -> None:
        self.name = name
        self.version = version
        self.url = url
        self.editable = editable
        self.vcs = vcs
        self.commit = commit
        self.archive_hash = archive_hash
        self.subdirectory = subdirectory
        self.system = system

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)

    def freeze_line(self) -> str:
        """The line ``pip freeze`` prints for this distribution."""
        if self.editable and self.url is not None:
            if self.vcs is not None:
                return f"-e {self.vcs}+{self.url}@{self.commit}#egg={self.name}"
            return f"-e {file_url_to_path(self.url)}"
        if self.url is not None:
            reference = self.url
            if self.vcs is not None:
                reference = f"{self.vcs}+{self.url}@{self.commit}"
            fragments = [self.archive_hash] if self.archive_hash else []
            if self.subdirectory:
                fragments.append(f"subdirectory={self.subdirectory}")
            if fragments:
                reference += "#" + "&".join(fragments)
            return f"{self.name} @ {reference}"
        return f"{self.name}=={self.version}"


def file_url_to_path(url: str) -> str:
    if not url.startswith("file:"):
        return url
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path)


def _headers(path: Path) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from a METADATA/PKG-INFO file, reading only the headers."""
    name = version = None
    try:
        with path.open("rb") as handle:
            for raw in handle:
                if raw in (b"\n", b"\r\n"):
                    break
                if raw[:5] == b"Name:":
                    name = raw[5:].decode("utf-8", "replace").strip()
                elif raw[:8] == b"Version:":
                    version = raw[8:].decode("utf-8", "replace").strip()
                if name is not None and version is not None:
                    break
    except OSError:
        return None, None
    return name, version


def _direct_url(folder: Path) -> dict[str, object] | None:
    try:
        raw = (folder / "direct_url.json").read_bytes()
    except OSError:
        return None
    import json  # lazily: only direct-URL installs (PEP 610) have the file

    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _from_dist_info(folder: Path, system: bool) -> Distribution | None:
    name, version = _headers(folder / "METADATA")
    if not name or version is None:
        return None
    direct = _direct_url(folder)
    if direct is None or not isinstance(direct.get("url"), str):
        return Distribution(name, version, system=system)
    url = str(direct["url"])
    dir_info = direct.get("dir_info")
    vcs_info = direct.get("vcs_info")
    archive_info = direct.get("archive_info")
    subdirectory = direct.get("subdirectory")
    distribution = Distribution(
        name,
        version,
        url=url,
        editable=isinstance(dir_info, dict) and bool(dir_info.get("editable")),
        subdirectory=subdirectory if isinstance(subdirectory, str) else None,
        system=system,
    )
    if isinstance(vcs_info, dict):
        return distribution.replace(
            vcs=str(vcs_info.get("vcs")), commit=str(vcs_info.get("commit_id"))
        )
    if isinstance(archive_info, dict):
        digest = archive_info.get("hash")
        hashes = archive_info.get("hashes")
        if not isinstance(digest, str) and isinstance(hashes, dict) and hashes:
            algorithm, value = sorted(hashes.items())[0]
            digest = f"{algorithm}={value}"
        return distribution.replace(archive_hash=digest if isinstance(digest, str) else None)
    return distribution


def _from_egg_info(path: Path, system: bool, editable: bool) -> Distribution | None:
    metadata = path / "PKG-INFO" if path.is_dir() else path
    name, version = _headers(metadata)
    if not name or version is None:
        return None
    url = None
    if editable:
        from venvguard.reqs.requirement import path_to_url

        url = path_to_url(str(path.parent))
    return Distribution(name, version, url=url, editable=editable, system=system)


def _pth_folders(site: Path) -> list[Path]:
    """Folders that ``.pth`` files in ``site`` add to ``sys.path`` (editable installs)."""
    found: list[Path] = []
    try:
        names = sorted(n for n in os.listdir(site) if n.endswith(".pth"))
    except OSError:
        return found
    for name in names:
        try:
            lines = (site / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith(("#", "import ", "import\t")):
                continue
            folder = (site / line).resolve() if not os.path.isabs(line) else Path(line)
            if folder.is_dir() and folder != site:
                found.append(folder)
    return found


def _scan(folder: Path, system: bool, editable: bool) -> Iterable[Distribution]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        distribution = None
        if name.endswith(".dist-info"):
            distribution = _from_dist_info(folder / name, system)
        elif name.endswith(".egg-info"):
            distribution = _from_egg_info(folder / name, system, editable)
        if distribution is not None:
            yield distribution


def read_distributions(
    site_dirs: Iterable[Path], system_dirs: Iterable[Path] = ()
) -> dict[str, Distribution]:
    """Every distribution visible in these folders, by normalized name, first one wins."""
    found: dict[str, Distribution] = {}
    extra: list[Path] = []
    for site in site_dirs:
        for distribution in _scan(site, system=False, editable=False):
            found.setdefault(distribution.key, distribution)
        extra.extend(_pth_folders(site))
    for folder in extra:
        for distribution in _scan(folder, system=False, editable=True):
            found.setdefault(distribution.key, distribution)
    for site in system_dirs:
        for distribution in _scan(site, system=True, editable=False):
            found.setdefault(distribution.key, distribution)
    return found


def hidden_by_freeze(python_version: tuple[int, ...]) -> frozenset[str]:
    """Names ``pip freeze`` leaves out for an environment of this Python version."""
    if python_version[:2] < (3, 12):
        return ALWAYS_HIDDEN | HIDDEN_BEFORE_312
    return ALWAYS_HIDDEN


def freeze(
    distributions: dict[str, Distribution], python_version: tuple[int, ...]
) -> list[Distribution]:
    """What ``pip freeze`` lists, in its order (case-insensitive by name)."""
    hidden = hidden_by_freeze(python_version)
    shown = [d for d in distributions.values() if d.key not in hidden]
    return sorted(shown, key=lambda d: d.name.lower())
