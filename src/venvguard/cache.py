"""A cache of verdicts outside the repository, so unchanged input costs no parsing.

Kept in the user's cache folder (``$VENVGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/venvguard``
or ``~/.cache/venvguard``), never in the checked repository: a check writes nothing there.
Entries are keyed by the content they judge and by everything else the verdict depends on,
including venvguard's own code, so an edit to venvguard invalidates them. Files are replaced
atomically: two processes at once cost time, never a corrupt entry. A cache that cannot be
read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from venvguard import __version__
from venvguard.findings import Finding, Notice
from venvguard.memo import cache_folder


def cache_dir() -> Path:
    return Path(cache_folder())


@cache
def code_fingerprint() -> str:
    """venvguard's version and the size and age of each of its modules."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def key_of(*parts: object) -> str:
    """A short digest of ``parts`` (strings, bytes, or anything with a stable ``repr``)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def encode(items: Iterable[Finding | Notice]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for item in items:
        if isinstance(item, Finding):
            out.append(
                [
                    "F",
                    item.line,
                    item.column,
                    item.code,
                    item.message,
                    item.end_line,
                    item.end_column,
                    item.package,
                    item.fix,
                ]
            )
        else:
            out.append(["N", item.line, item.message])
    return out


def decode(path: str, rows: list[list[Any]]) -> list[Finding | Notice]:
    out: list[Finding | Notice] = []
    for row in rows:
        if row[0] == "F":
            line, column, code, message, end_line, end_column, package, fix = row[1:]
            out.append(
                Finding(path, line, column, code, message, end_line, end_column, package, fix)
            )
        else:
            out.append(Notice(path, row[1], row[2]))
    return out


def digest_of_file(path: Path) -> str:
    """A file's content digest, or ``missing`` when it cannot be read (or is no file)."""
    from venvguard.project import read_regular_file

    data = read_regular_file(path, 1 << 40)  # a FIFO put there since would block a read
    return hashlib.sha256(data).hexdigest() if data is not None else "missing"


def files_unchanged(root: Path, recorded: dict[str, str]) -> bool:
    """Whether every file recorded with an entry still has the recorded digest."""
    return all(digest_of_file(root / name) == digest for name, digest in recorded.items())


def load_entry(name: str) -> dict[str, Any] | None:
    try:
        data = json.loads((cache_dir() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store_entry(name: str, data: dict[str, Any]) -> None:
    """Write one entry atomically; a cache that cannot be written only costs time."""
    import tempfile  # only a run that learned something new writes (and pays for it)

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass


class FileVerdicts:
    """Per-file verdicts of one check family for one repository, loaded once, saved once."""

    def __init__(self, family: str, root: Path, salt: object) -> None:
        self._name = f"{family}-{key_of(str(root))}.json"
        self._salt = key_of(code_fingerprint(), salt)
        self._entries: dict[str, list[Any]] = {}
        self._dirty = False
        data = load_entry(self._name)
        if data is not None and data.get("salt") == self._salt:
            files = data.get("files")
            self._entries = files if isinstance(files, dict) else {}

    def get(
        self,
        path: str,
        content_key: str,
        unchanged: Callable[[dict[str, str | None]], bool] | None = None,
    ) -> list[Finding | Notice] | None:
        """The verdict kept for ``path`` with this content; one that also depends on other
        files (what a Makefile includes) holds only if ``unchanged`` says they are."""
        entry = self._entries.get(path)
        if not isinstance(entry, list) or len(entry) not in {2, 3} or entry[0] != content_key:
            return None
        if len(entry) == 3:
            others = entry[2]
            if not isinstance(others, dict) or unchanged is None or not unchanged(others):
                return None
        try:
            return decode(path, entry[1])
        except (TypeError, ValueError, IndexError):
            return None

    def put(
        self,
        path: str,
        content_key: str,
        items: Iterable[Finding | Notice],
        others: Mapping[str, str | None] | None = None,
    ) -> None:
        """Keep ``path``'s verdict; ``others`` are the digests of the other files it read."""
        entry: list[Any] = [content_key, encode(items)]
        if others:
            entry.append(dict(others))
        self._entries[path] = entry
        self._dirty = True

    def save(self) -> None:
        if self._dirty:
            store_entry(self._name, {"salt": self._salt, "files": self._entries})
            self._dirty = False
