"""Replays a whole ``venvguard check`` when nothing it depended on has changed since.

A run of ``venvguard check`` records what it depended on: its command line, working folder
and environment; every file it opened, folder it listed and path it probed (seen through
Python's audit hooks and ``os.stat``/``os.lstat``); the files of every module it ran; and the
output of every git command. The next run with the same command line re-runs those git
commands, re-reads those paths' status, and when all agree prints what the first run printed
and exits as it did, without importing the checker at all.

The status of a path (type, inode, size, modification and change times) stands in for its
content, as it does in git's index; so, as git does, a path changed less than ``RACY_SECONDS``
before the run started is never trusted: it could change again within one clock tick without
its status showing it. A run that wrote anything outside the cache, ran anything but git, or
used the network, is not recorded. Only plain ``check`` runs from the command line are
recorded (no ``--fix``, ``--output`` or ``--no-cache``, output not to a terminal), on POSIX.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

TYPE_CHECKING = False  # typing itself costs a few milliseconds this module exists to save
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

RACY_SECONDS = 2
_FORMAT = 2
#: Above this size a git output is kept as a digest, not as itself.
_KEEP_OUTPUT = 1 << 14
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
#: Events that change something (or reach the network): a run that raises one is not kept.
_SIDE_EFFECTS = frozenset(
    {
        "os.chdir",
        "os.chmod",
        "os.chown",
        "os.exec",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.link",
        "os.mkdir",
        "os.posix_spawn",
        "os.putenv",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.spawn",
        "os.symlink",
        "os.system",
        "os.truncate",
        "os.unsetenv",
        "os.utime",
        "shutil.copyfile",
        "shutil.rmtree",
        "socket.connect",
        "socket.getaddrinfo",
        "socket.sendto",
    }
)

#: Variables a shell sets on its own (``_`` is the last command run) that neither
#: venvguard nor git reads.
_SHELL_NOISE = frozenset({"_", "OLDPWD", "SHLVL"})

_stat = os.stat
_lstat = os.lstat


def cache_folder() -> str:
    """The user's venvguard cache folder: ``$VENVGUARD_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/venvguard`` or ``~/.cache/venvguard`` (every cache of venvguard's)."""
    explicit = os.environ.get("VENVGUARD_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.abspath(os.path.join(base, "venvguard"))


def _memo_path(cwd: str) -> str:
    """One memo per working folder and interpreter: the latest run's (FNV-1a of both)."""
    value = 0xCBF29CE484222325
    for byte in os.fsencode(f"{cwd}\0{sys.executable}"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return os.path.join(cache_folder(), "runs", f"{value:016x}")


def _usable() -> bool:
    return (
        os.name == "posix"
        and hasattr(os, "posix_spawnp")
        and not os.environ.get("VENVGUARD_NO_CACHE")
        and not os.isatty(1)
        and not os.isatty(2)
    )


def _key(argv: Sequence[str], cwd: str) -> tuple[object, ...]:
    return (
        _FORMAT,
        tuple(argv),
        cwd,
        tuple(sorted(item for item in os.environ.items() if item[0] not in _SHELL_NOISE)),
        sys.executable,
        sys.version,
        tuple(sys.flags),
        tuple(sys.path),
    )


def _signature(path: str, follow: bool, whole: bool) -> Any:
    """A path's status as a tuple, or the errno that reading it failed with.

    Without ``whole``, a folder's status is only what it is, not when its entries last
    changed: probing a folder (resolving a path through it, asking whether it is one)
    does not depend on its entries, which change all the time in folders like ``/tmp``.
    """
    try:
        info = _stat(path) if follow else _lstat(path)
    except OSError as error:
        return error.errno or -1
    except ValueError:  # an embedded NUL
        return -1
    if not whole and info.st_mode & 0o170000 == 0o040000:
        return (info.st_mode, info.st_ino, info.st_dev)
    return (
        info.st_mode,
        info.st_ino,
        info.st_dev,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


def _digest(data: bytes) -> bytes:
    if len(data) <= _KEEP_OUTPUT:
        return data
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - CPython always has it
        from hashlib import blake2b
    return b"#" + blake2b(data, digest_size=32).digest() + len(data).to_bytes(8, "big")


# --- replaying ---------------------------------------------------------------------------


def replay(argv: Sequence[str]) -> int | None:
    """Print a recorded run of ``argv`` and return its status, or ``None`` to run for real."""
    if not _usable() or "--no-cache" in argv:
        return None
    try:
        cwd = os.getcwd()
        with open(_memo_path(cwd), "rb") as stream:
            key, body = marshal.loads(stream.read())  # one read: load() reads in small bits
        if key != _key(argv, cwd):
            return None
        paths, gits, chunks, status = marshal.loads(body)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    try:
        running = [_spawn_git(args, overrides) for args, overrides, _ in gits]
        try:
            same = all(_signature(path, follow, whole) == sig for path, follow, whole, sig in paths)
        finally:
            outputs = [_collect(process) for process in running]
        if not same or outputs != [expected for _, _, expected in gits]:
            return None
    except (OSError, ValueError, TypeError):
        return None
    streams = {1: sys.stdout, 2: sys.stderr}
    for number, text in chunks:
        streams[number].write(text)
    return int(status)


def _spawn_git(args: Sequence[str], overrides: dict[str, str]) -> tuple[int, int]:
    """Start ``args`` with stdout and stderr into one pipe; (pid, read end)."""
    read, write = os.pipe()
    try:
        pid = os.posix_spawnp(
            args[0],
            list(args),
            {**os.environ, **overrides},
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, write, 1),
                (os.POSIX_SPAWN_DUP2, write, 2),
            ],
        )
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(write)
    return pid, read


def _collect(process: tuple[int, int]) -> tuple[int, bytes]:
    pid, read = process
    parts = []
    try:
        while chunk := os.read(read, 1 << 20):
            parts.append(chunk)
    finally:
        os.close(read)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), _digest(b"".join(parts))


# --- recording ---------------------------------------------------------------------------


class _Tee:
    """A text stream that also keeps what is written to it, in order with its sibling."""

    def __init__(self, stream: TextIO, number: int, chunks: list[tuple[int, str]]) -> None:
        self._stream = stream
        self._number = number
        self._chunks = chunks

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        self._chunks.append((self._number, text))
        return written

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Recorder:
    """What one run depends on, gathered while it runs; ``finish`` keeps it if it can."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.started_ns = time.time_ns()
        self.cwd = os.getcwd()
        self.key = _key(argv, self.cwd)
        self.cache = cache_folder() + os.sep
        #: (path, whether links are followed, whether a folder's entries matter too)
        self.noted: list[tuple[object, bool, bool]] = []
        self.gits: list[tuple[tuple[str, ...], dict[str, str], tuple[int, bytes]]] = []
        self.chunks: list[tuple[int, str]] = []
        self.spoiled = False
        #: Set once the arguments are known to be a plain ``check``.
        self.wanted = False

    def note_path(self, path: object, follow: bool, whole: bool = False) -> None:
        if not isinstance(path, int):  # sorted out at the end, only if the run is kept
            self.noted.append((path, follow, whole))

    def _settled_paths(self) -> list[tuple[str, bool, bool, Any]] | None:
        """Every path noted, with its status now; ``None`` if one changed too recently."""
        paths: dict[tuple[str, bool], bool] = {}
        for path, follow, whole in self.noted:
            name = os.path.normpath(os.path.join(self.cwd, os.fsdecode(path)))  # type: ignore[arg-type]
            if not name.startswith(self.cache):
                paths[(name, follow)] = whole or paths.get((name, follow), False)
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str):
                paths.setdefault((file, True), False)
        racy = self.started_ns - RACY_SECONDS * 1_000_000_000
        settled = []
        for (path, follow), whole in paths.items():
            sig = _signature(path, follow, whole)
            if isinstance(sig, tuple) and len(sig) > 3:
                if max(sig[4], sig[5]) >= racy:
                    return None
                if not follow and (path, True) in paths and sig[0] & 0o170000 != 0o120000:
                    continue  # not a link: following it, as the other entry does, is the same
            settled.append((path, follow, whole, sig))
        return settled

    def note_git(
        self, args: Sequence[str], env: dict[str, str], status: int, out: bytes, err: bytes
    ) -> None:
        if err:  # replayed git writes both streams into one pipe: only a quiet git compares
            self.spoiled = True
            return
        overrides = {k: v for k, v in env.items() if os.environ.get(k) != v}
        if any(k not in env for k in os.environ):
            self.spoiled = True
        self.gits.append((tuple(args), overrides, (status, _digest(out))))

    def outside_cache(self, path: object) -> bool:
        if isinstance(path, int):
            return False  # an open file descriptor was judged when it was opened
        try:
            name = os.path.abspath(os.fsdecode(path))  # type: ignore[arg-type]
        except TypeError:
            return True
        return not (name + os.sep).startswith(self.cache)

    def finish(self, status: int) -> None:
        """Keep this run as a memo, if it was wanted and everything it read is settled."""
        _active.recorder = None
        os.stat, os.lstat = _stat, _lstat
        sys.stdout, sys.stderr = self._streams
        if not self.wanted or self.spoiled or status not in (0, 1):
            return
        try:
            paths = self._settled_paths()
        except (TypeError, ValueError):  # a path of a type or form no status can be read of
            return
        if paths is not None:
            body: Any = (paths, self.gits, self.chunks, status)
            memo: Any = (self.key, marshal.dumps(body))
            _write_atomically(_memo_path(self.cwd), marshal.dumps(memo))

    def start(self) -> None:
        _active.recorder = self
        self._streams = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, 1, self.chunks)
        sys.stderr = _Tee(sys.stderr, 2, self.chunks)
        os.stat = _probe(_stat, True)
        os.lstat = _probe(_lstat, False)
        if not _active.hooked:  # a hook cannot be removed: it stays, idle between runs
            sys.addaudithook(_audit)
            _active.hooked = True


def _write_atomically(path: str, data: bytes) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(handle, data)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except OSError:
        if os.path.lexists(temporary):
            os.unlink(temporary)


class _Active:
    """The recording run of this process, if any, and whether the audit hook is in place."""

    recorder: Recorder | None = None
    hooked = False


_active = _Active()


def start(argv: Sequence[str]) -> Recorder | None:
    """Begin recording a command-line run of ``argv``, if one could be replayed later."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command != "check" or not _usable() or _active.recorder is not None:
        return None  # only a check is ever replayed: nothing else pays for recording
    recorder = Recorder(argv)
    recorder.start()
    return recorder


def spoil() -> None:
    """Tell the recording run (if any) that it depended on something no memo can check."""
    if _active.recorder is not None:
        _active.recorder.spoiled = True


def note_folder(path: object) -> None:
    """Tell the recording run (if any) that it depends on when the entries of the folder
    ``path`` (not followed if a link) last changed."""
    if _active.recorder is not None:
        _active.recorder.note_path(path, False, True)


def note_git(args: Sequence[str], env: dict[str, str], status: int, out: bytes, err: bytes) -> None:
    """Tell the recording run (if any) that git ``args`` answered ``out``."""
    if _active.recorder is not None:
        _active.recorder.note_git(args, env, status, out, err)


def _probe(real: Any, follow: bool) -> Any:
    def probe(path: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = _active.recorder
        if recorder is not None:
            if args or kwargs.get("dir_fd") is not None:
                recorder.spoiled = True
            else:
                recorder.note_path(path, follow and kwargs.get("follow_symlinks", True))
        return real(path, *args, **kwargs)

    return probe


def _audit(event: str, args: tuple[Any, ...]) -> None:
    recorder = _active.recorder
    if recorder is None or recorder.spoiled:
        return
    if event == "open":
        path, mode, flags = args
        if sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):
            return  # the import system reading or caching code; modules are noted at the end
        writing = any(c in mode for c in "wax+") if mode else bool(flags & _WRITE_FLAGS)
        if path == os.devnull:
            return
        if writing:
            recorder.spoiled = recorder.outside_cache(path)
        else:
            recorder.note_path(path, True, True)
    elif event in ("os.listdir", "os.scandir"):
        if not sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):
            recorder.note_path("." if args[0] is None else args[0], True, True)
    elif event == "subprocess.Popen":
        program = args[1][0] if args[1] else args[0]
        if os.path.basename(os.fsdecode(program)) != "git":
            recorder.spoiled = True
    elif event in _SIDE_EFFECTS:
        caller = sys._getframe(1).f_code.co_filename
        if caller.startswith("<frozen importlib") or (
            event == "os.posix_spawn" and caller.endswith("subprocess.py")
        ):
            return  # importing code; or subprocess starting git (judged by its own event)
        if event in ("os.mkdir", "os.rename", "os.remove"):
            target = args[1] if event == "os.rename" else args[0]
            # creating the cache folder creates its parents (``~/.cache``) too
            recorder.spoiled = recorder.outside_cache(target) and not (
                event == "os.mkdir" and recorder.cache.startswith(os.fsdecode(target) + os.sep)
            )
        else:
            recorder.spoiled = True
