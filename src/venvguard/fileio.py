"""Writing files safely for ``--fix``, and showing what a fix would change for ``--diff``."""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from venvguard.findings import FileEdit


def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> bool:
    """Replace ``path`` with ``data`` in one step, keeping its permission bits.

    The new content goes to a temporary file in the same folder, is flushed to disk, and
    then renamed over the old file, so a reader (or a crash) sees the old or the new file,
    never a half-written one. With ``expected`` (the content the fix was made from), the
    file is only replaced if it still holds exactly that, checked under a lock on the file
    so that two venvguard processes fixing it at once cannot apply one fix twice; returns
    whether it was written.
    """
    with _locked(path):
        if expected is not None:
            try:
                if path.read_bytes() != expected:
                    return False
            except OSError:
                return False
        _replace(path, data)
    return True


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the file now at ``path`` (none on systems without ``flock``)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        yield  # a new file: nothing to lock yet
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _replace(path: Path, data: bytes) -> None:
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def unified_diff(edit: FileEdit) -> str:
    """A unified diff of one edit, as ``git diff`` would show it."""
    old = edit.old.decode("utf-8", "surrogateescape") if edit.old is not None else ""
    new = edit.new.decode("utf-8", "surrogateescape")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile="/dev/null" if edit.old is None else f"a/{edit.path}",
        tofile=f"b/{edit.path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
