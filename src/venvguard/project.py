"""The repository being checked: its root, its files, and safe reading of them.

Inside a git work tree, git itself answers which files it tracks and which untracked files
``git add -A`` would pick up, so every ignore rule (nested ``.gitignore``, ``info/exclude``,
``core.excludesFile``, negation, ``core.ignorecase``) is git's own. In a plain folder the
files are found by walking it, honouring its ``.gitignore`` files the way git would.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import subprocess
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Final

from venvguard import memo
from venvguard.config import ConfigError
from venvguard.findings import Notice
from venvguard.records import FrozenRecord

#: Folders never entered when walking a plain folder.
_NEVER_WALK = frozenset({".git", ".hg", ".svn"})


class GitError(Exception):
    """git answered with an error we cannot work around."""


class BareRepositoryError(ConfigError):
    """A bare repository was named: there are no files to check (exit status 2)."""


def git_available() -> bool:
    if shutil.which("git") is not None:
        return True
    memo.spoil()  # a run without git cannot be replayed by running git
    return False


#: A checked repository's own config must not make git run its commands: core.fsmonitor
#: is run by ``git ls-files`` itself.
_SAFE_GIT_OPTIONS = ("-c", "core.fsmonitor=false")


def _git_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"  # read-only: never refresh and rewrite the index
    env.setdefault("LC_ALL", "C")
    return env


def run_git(root: Path, *args: str) -> bytes:
    """Run ``git -C root args...`` and return its standard output."""
    command = ["git", *_SAFE_GIT_OPTIONS, "-C", str(root), *args]
    env = _git_environment()
    try:
        completed = subprocess.run(
            command, capture_output=True, check=False, stdin=subprocess.DEVNULL, env=env
        )
    except OSError as error:
        memo.spoil()
        raise GitError(f"cannot run git: {error.strerror}") from None
    memo.note_git(command, env, completed.returncode, completed.stdout, completed.stderr)
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return completed.stdout


_IGNORED_DIRS_ARGS = (
    "ls-files",
    "-z",
    "--others",
    "--ignored",
    "--exclude-standard",
    "--directory",
)


def start_git(root: Path, *args: str) -> subprocess.Popen[bytes] | None:
    """Start ``git -C root args...`` in the background (``None`` if git cannot start)."""
    try:
        return subprocess.Popen(
            ["git", *_SAFE_GIT_OPTIONS, "-C", str(root), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=_git_environment(),
        )
    except OSError:
        memo.spoil()
        return None


def finish_git(process: subprocess.Popen[bytes]) -> bytes:
    """Wait for a git started by ``start_git``; its output, or ``GitError``."""
    out, err = process.communicate()
    memo.note_git(process.args, _git_environment(), process.returncode, out, err)  # type: ignore[arg-type]
    if process.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else "git failed")
    return out


def find_git_root(start: Path) -> Path | None:
    """The top of the git work tree containing ``start``, or ``None``."""
    if not git_available():
        return None
    try:
        out = run_git(start, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    top = out.decode("utf-8", "surrogateescape").strip()
    return Path(top) if top else None


def _inside_git_folder(start: Path) -> bool:
    """Whether ``start`` or a folder above it looks like a git repository (or is one)."""
    return any(
        (folder / ".git").exists() or folder.suffix == ".git" for folder in (start, *start.parents)
    )


def is_bare_repository(start: Path) -> bool:
    """Whether ``start`` is inside a bare repository (a ``.git`` folder with no work tree)."""
    if not git_available():
        return False
    try:
        return run_git(start, "rev-parse", "--is-bare-repository").strip() == b"true"
    except GitError:
        return False


def plain_folder_notice(root: Path) -> Notice | None:
    """Why a folder that looks like a git repository is checked as a plain folder, if it is.

    git missing from ``PATH``, or git refusing the repository (``safe.directory``,
    dubious ownership, a broken ``.git``): the check goes on without git, and says so.
    """
    if not _inside_git_folder(root):
        return None
    if not git_available():
        return Notice(".", None, "git not found on PATH: checked as a plain folder")
    try:
        run_git(root, "rev-parse", "--show-toplevel")
    except GitError as error:
        return Notice(
            ".", None, f"git refused this repository ({error}): checked as a plain folder"
        )
    return None


def open_regular_file(
    path: str | Path, *, follow_links: bool = True
) -> tuple[BinaryIO, os.stat_result] | None:
    """A regular file opened for reading, and its status; ``None`` for anything else.

    A FIFO, a device (a link to ``/dev/zero``) or a folder is never read, so a hostile
    repository cannot make a read block or never end: the file is opened without waiting
    (``O_NONBLOCK``) and judged by ``fstat`` of what was opened. ``OSError`` when it cannot
    be opened at all.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if stat.S_ISREG(info.st_mode):
            stream = os.fdopen(handle, "rb")
            handle = -1
            return stream, info
        return None
    finally:
        if handle >= 0:
            os.close(handle)


def read_regular_file(path: Path, limit: int, *, follow_links: bool = True) -> bytes | None:
    """At most ``limit`` bytes of a regular file; ``None`` for anything else or on an error."""
    try:
        opened = open_regular_file(path, follow_links=follow_links)
        if opened is None:
            return None
        stream, info = opened
        with stream:
            # read(n) reserves n bytes at once: never ask for more than the file holds.
            return stream.read(min(limit, info.st_size + 1))
    except OSError:
        return None


def read_ignore_file(path: Path, limit: int) -> bytes | None:
    """The bytes of an ignore file, read as git reads it; ``None`` when git would not read it.

    git never follows a link named ``.gitignore`` and only reads regular files, so a link to
    ``/dev/zero`` or to a file outside the repository is no rule file at all. Files over
    ``limit`` bytes are not read either.
    """
    data = read_regular_file(path, limit + 1, follow_links=False)
    return data if data is not None and len(data) <= limit else None


class SourceText(FrozenRecord):
    """A file's text, decoded, or why it could not be read."""

    __slots__ = ("text", "notice")

    text: Final[str | None]
    notice: Final[Notice | None]

    def __init__(self, text: str | None, notice: Notice | None = None) -> None:
        self.text = text
        self.notice = notice


class Project:
    """A repository (or plain folder) rooted at ``root``.

    Equal only to itself: it holds what it has read and the git queries under way.
    """

    def __init__(self, root: Path, is_git: bool, max_file_size: int = 10 * 1024 * 1024) -> None:
        self.root = root
        self.is_git = is_git
        self.max_file_size = max_file_size
        self._texts: dict[str, SourceText] = {}
        self._hashes: dict[str, int] = {}
        self._walk_ignored_dirs: list[str] = []
        self._ignored_query: subprocess.Popen[bytes] | None = None
        self._root_text = str(root)
        self._real_folders: dict[str, str] = {}

    def __repr__(self) -> str:
        return (
            f"Project(root={self.root!r}, is_git={self.is_git!r}, "
            f"max_file_size={self.max_file_size!r})"
        )

    @classmethod
    def discover(cls, path: Path, max_file_size: int = 10 * 1024 * 1024) -> Project:
        """The project containing ``path`` (a file or a folder)."""
        start = path if path.is_dir() else path.parent
        start = start.resolve()
        top = find_git_root(start)
        if top is not None:
            return cls(root=top.resolve(), is_git=True, max_file_size=max_file_size)
        if is_bare_repository(start):
            raise BareRepositoryError(
                f"{start}: a bare git repository has no work tree to check; "
                "check a clone or a worktree of it"
            )
        return cls(root=start, is_git=False, max_file_size=max_file_size)

    @cached_property
    def _listing(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if not self.is_git:
            return (), tuple(self._walk_plain_folder())
        # Two listings at once, each split in C: tagging one combined listing and sorting
        # its 100,000 entries in a Python loop cost more than git's own work.
        query = start_git(self.root, "ls-files", "-z", "--others", "--exclude-standard")
        cached = run_git(self.root, "ls-files", "-z", "--cached")
        others = (
            finish_git(query)
            if query is not None
            else run_git(self.root, "ls-files", "-z", "--others", "--exclude-standard")
        )
        tracked = os.fsdecode(cached).split("\0")[:-1]
        untracked = os.fsdecode(others).split("\0")[:-1]
        # An unmerged path is listed once per stage; dict keeps the first, in order.
        return tuple(dict.fromkeys(tracked)), tuple(untracked)

    @property
    def tracked(self) -> tuple[str, ...]:
        """Files git tracks (empty in a plain folder)."""
        return self._listing[0]

    @property
    def untracked(self) -> tuple[str, ...]:
        """Files ``git add -A`` would add: untracked and not ignored."""
        return self._listing[1]

    @cached_property
    def files(self) -> tuple[str, ...]:
        """Every file that is, or would be, committed: tracked plus addable, sorted."""
        return tuple(sorted({*self.tracked, *self.untracked}))

    def prefetch_ignored_dirs(self) -> None:
        """Start the git query behind ``ignored_dirs`` now, so it runs alongside other work."""
        if self.is_git and self._ignored_query is None and "ignored_dirs" not in self.__dict__:
            self._ignored_query = start_git(self.root, *_IGNORED_DIRS_ARGS)

    @cached_property
    def ignored_dirs(self) -> tuple[str, ...]:
        """Untracked folders that are ignored as a whole (not entered by git), sorted.

        One ``git ls-files -o -i --exclude-standard --directory`` call, made only when a
        check asks; in a plain folder, the folders the walk skipped.
        """
        if not self.is_git:
            self._listing  # noqa: B018 - the walk records what it skips
            return tuple(sorted(self._walk_ignored_dirs))
        query, self._ignored_query = self._ignored_query, None
        out = finish_git(query) if query is not None else run_git(self.root, *_IGNORED_DIRS_ARGS)
        return tuple(
            sorted(os.fsdecode(entry[:-1]) for entry in out.split(b"\0") if entry.endswith(b"/"))
        )

    def _walk_plain_folder(self) -> list[str]:
        from venvguard.gitignore import IgnoreRules

        rules = IgnoreRules.from_tree(self.root)
        found: list[str] = []
        for folder, dirs, names in os.walk(self.root):
            relative = Path(folder).relative_to(self.root).as_posix()
            prefix = "" if relative == "." else relative + "/"
            kept: list[str] = []
            for d in sorted(dirs):
                if d in _NEVER_WALK or os.path.islink(os.path.join(folder, d)):
                    continue
                if rules.is_ignored(prefix + d, is_dir=True):
                    self._walk_ignored_dirs.append(prefix + d)
                else:
                    kept.append(d)
            dirs[:] = kept
            found.extend(
                prefix + name
                for name in sorted(names)
                if not rules.is_ignored(prefix + name, is_dir=False)
            )
        return found

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def read_text(self, relative: str) -> SourceText:
        """Decode a file of the project, once; never raises.

        Text is UTF-8 (a BOM is dropped), UTF-16 with a BOM, or, failing those, Latin-1 with
        a notice. Files over ``max_file_size``, with NUL bytes, unreadable, or links leading
        out of the project give ``text=None`` and a notice saying why.
        """
        cached = self._texts.get(relative)
        if cached is None:
            cached = self._texts[relative] = self._read(relative)
        return cached

    def read_hash(self, relative: str) -> int | None:
        """``hash()`` of the bytes ``read_text`` read from a file, if it read them."""
        return self._hashes.get(relative)

    def _real_folder(self, folder: str) -> str:
        """Where a folder of the project really is, links followed (asked once per folder)."""
        real = self._real_folders.get(folder)
        if real is None:
            real = os.path.realpath(os.path.join(self._root_text, folder))
            self._real_folders[folder] = real
        return real

    def _inside(self, real: str) -> bool:
        top = self._real_folder("")
        return real == top or real.startswith(top.rstrip("/") + "/")

    def _read(self, relative: str) -> SourceText:
        normal = posixpath.normpath(relative.replace("\\", "/"))
        if posixpath.isabs(normal) or normal == ".." or normal.startswith("../"):
            return SourceText(None, Notice(relative, None, "not read: outside the repository"))
        folder, name = posixpath.split(normal)
        path = os.path.join(self._root_text, normal)
        try:
            # A link (the file's own, or a folder's on the way) may lead anywhere. Folders are
            # resolved once each; only a file that is itself a link is resolved on its own.
            try:
                is_link = stat.S_ISLNK(os.lstat(path).st_mode)
            except FileNotFoundError:
                is_link = False
            real_folder = self._real_folder(folder)
            real = os.path.realpath(path) if is_link else os.path.join(real_folder, name)
            if not self._inside(real):
                return SourceText(
                    None, Notice(relative, None, "skipped: a link that leads out of the repository")
                )
            opened = open_regular_file(path)
            if opened is None:
                return SourceText(None)
            stream, info = opened
            with stream:
                if info.st_size > self.max_file_size:
                    return SourceText(
                        None,
                        Notice(
                            relative,
                            None,
                            f"skipped: {info.st_size} bytes is over max-file-size "
                            f"({self.max_file_size})",
                        ),
                    )
                data = stream.read()
            self._hashes[relative] = hash(data)
        except FileNotFoundError:
            return SourceText(None)  # tracked but deleted in the work tree
        except OSError as error:
            reason = error.strerror or str(error)
            return SourceText(None, Notice(relative, None, f"skipped: cannot read: {reason}"))
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Windows PowerShell writes
            try:
                return SourceText(data.decode("utf-16").lstrip("\ufeff"))
            except UnicodeDecodeError:
                pass
        if b"\0" in data:
            return SourceText(None, Notice(relative, None, "skipped: binary content (NUL bytes)"))
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            return SourceText(data.decode("utf-8"))
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            return SourceText(
                data.decode("latin-1"),
                Notice(relative, line, "not valid UTF-8; read as Latin-1"),
            )
