"""Checking many repositories, in parallel processes, each outcome a plain record.

Each repository is checked with ``engine.check_project`` in its own process (the work is
CPU-bound Python, so threads would share one core). What comes back is the check JSON
contract as a dict, or the reason the repository could not be checked: a repository that
fails, or a worker that dies, never stops the others.

On Linux the workers are plain forks of this process, which works alongside them: ``jobs``
processes in all, each taking the next repository from a shared queue and sending its
report back through a pipe. A process pool adds an idle parent whose threads wake for every
task and every result, and imports ``multiprocessing`` before the first check: 50 small
repositories with 2 jobs took about 7% longer that way, within 2% of two independent
processes each given half now. A worker that dies loses only the repository it was
checking. Elsewhere (no safe fork) it is the pool.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import select
import signal
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

from venvguard.config import ConfigError
from venvguard.records import FrozenRecord, Record

if TYPE_CHECKING:
    from concurrent.futures import Future


class RepoReport(FrozenRecord):
    """The outcome for one repository: ``data`` (the check JSON contract) or ``error``."""

    __slots__ = ("root", "data", "error", "failed")

    root: Final[str]
    data: Final[dict[str, Any] | None]
    error: Final[str | None]
    failed: Final[bool]

    def __init__(
        self, root: str, data: dict[str, Any] | None, error: str | None = None, failed: bool = False
    ) -> None:
        self.root = root
        self.data = data
        self.error = error
        self.failed = failed

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.data["findings"]) if self.data else []

    @property
    def status(self) -> str:
        """``ok``, ``fail`` (a failing finding) or ``error`` (could not be checked)."""
        if self.error is not None:
            return "error"
        return "fail" if self.failed else "ok"


def _repository_root(path: Path) -> tuple[Path, bool]:
    """The root of the repository at ``path`` and whether git manages it.

    A folder with ``.git`` that git cannot read is an error, never quietly a plain folder.
    """
    from venvguard.project import GitError, find_git_root, run_git

    if not path.is_dir():
        raise ConfigError("no such folder" if not path.exists() else "not a folder")
    if not os.path.lexists(path / ".git"):
        top = find_git_root(path)
        return (top, True) if top is not None else (path, False)
    try:
        out = run_git(path, "rev-parse", "--show-toplevel")
    except GitError as error:
        raise ConfigError(f"cannot read the git repository: {error}") from None
    return Path(os.fsdecode(out.strip())), True


def check_one(path: str, args: argparse.Namespace) -> RepoReport:
    """Check the repository at ``path``; never raises for a problem of that repository."""
    from venvguard.commands.check import merged_config
    from venvguard.engine import InternalError, check_project
    from venvguard.reporters.json_format import result_to_dict
    from venvguard.selection import resolve_selection

    try:
        root, is_git = _repository_root(Path(path))
        config = merged_config(args, root)
        selected = resolve_selection(config.select, config.extend_select, config.ignore)
        result = check_project(root, config, selected, None, is_git=is_git)
        return RepoReport(path, result_to_dict(result), failed=result.failed(config.strict))
    except (ConfigError, InternalError) as error:
        return RepoReport(path, None, str(error))
    except Exception as error:  # a bug of ours in one repository must not lose the rest
        return RepoReport(path, None, f"internal error: {type(error).__name__}: {error}")


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


Done = Callable[[int, RepoReport], None]


def _check_pooled(
    paths: Sequence[str], indices: range, args: argparse.Namespace, jobs: int, done: Done
) -> None:
    """Check ``paths[i]`` for each of ``indices`` in a pool of ``jobs`` worker processes."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # The handler itself is a function of this process; workers need only the options.
    picklable = argparse.Namespace(**{k: v for k, v in vars(args).items() if k != "run"})
    with ProcessPoolExecutor(jobs) as pool:
        futures: dict[Future[RepoReport], int] = {
            pool.submit(check_one, paths[i], picklable): i for i in indices
        }
        try:
            for future in as_completed(futures):
                index = futures[future]
                try:
                    done(index, future.result())
                except Exception as error:  # the worker process itself died
                    done(index, RepoReport(paths[index], None, f"worker failed: {error}"))
        except BaseException:
            for future in futures:
                future.cancel()
            raise


#: A message from a forked worker: the index of a repository, and the length of the pickled
#: report that follows (0: the worker has started on that repository).
_HEADER = struct.Struct("<II")
#: A claim: the first index of a batch of repositories, in the shared queue of claims.
_CLAIM = struct.Struct("<I")


class _Claims:
    """Batches of indices, each taken by whichever process asks first.

    Every batch is written into one pipe before any worker starts; each process reads one
    fixed-size record at a time (a pipe read is atomic under the pipe's lock on Linux), so
    no lock is held that a dying worker could leave taken.
    """

    def __init__(self, indices: range) -> None:
        import fcntl  # not on Windows, which never forks

        self.read_end, write_end = os.pipe()
        try:
            capacity = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ)
            self.size = max(1, -(-len(indices) * _CLAIM.size // capacity))
            self.stop = indices.stop
            # Never blocks: the batches are sized to fit in the pipe.
            _write_all(write_end, b"".join(_CLAIM.pack(i) for i in indices[:: self.size]))
        finally:
            os.close(write_end)  # every claim taken: each reader sees the end of the pipe

    def __iter__(self) -> Iterator[int]:
        while record := os.read(self.read_end, _CLAIM.size):
            (first,) = _CLAIM.unpack(record)
            yield from range(first, min(first + self.size, self.stop))

    def close(self) -> None:
        os.close(self.read_end)


def _work_in_child(
    paths: Sequence[str], args: argparse.Namespace, claims: _Claims, out: int
) -> NoReturn:
    """A forked worker: check what it claims, send each report, and exit (never return)."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        for index in claims:
            _send(out, index, b"")
            _send(out, index, pickle.dumps(check_one(paths[index], args), protocol=-1))
        status = 0
    finally:
        os._exit(status)  # never the parent's exit handlers, buffers or test harness


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _send(fd: int, index: int, payload: bytes) -> None:
    _write_all(fd, _HEADER.pack(index, len(payload)) + payload)


class _Worker(Record):
    __slots__ = ("pid", "fd", "buffer", "current")

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.buffer = b""
        self.current: int | None = None  # the repository it is checking


def _receive(worker: _Worker, done: Done) -> bool:
    """Read what ``worker`` sent; ``False`` once it has closed its end."""
    chunk = os.read(worker.fd, 1 << 16)
    worker.buffer += chunk
    while len(worker.buffer) >= _HEADER.size:
        index, length = _HEADER.unpack_from(worker.buffer)
        end = _HEADER.size + length
        if len(worker.buffer) < end:
            break
        payload, worker.buffer = worker.buffer[_HEADER.size : end], worker.buffer[end:]
        if payload:
            worker.current = None
            done(index, pickle.loads(payload))
        else:
            worker.current = index
    return bool(chunk)


def _exit_reason(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def _check_forked(
    paths: Sequence[str], indices: range, args: argparse.Namespace, jobs: int, done: Done
) -> None:
    """Check ``paths[i]`` for each of ``indices`` here and in ``jobs - 1`` forked workers.

    This process works too (an idle parent would leave a core to the workers' git
    processes only), takes each report as it comes, and never waits for the slowest
    worker while repositories remain unclaimed.
    """
    unreported = set(indices)

    def report(index: int, outcome: RepoReport) -> None:
        unreported.discard(index)
        done(index, outcome)

    claims = _Claims(indices)
    workers: dict[int, _Worker] = {}
    try:
        for _ in range(jobs - 1):
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes: the ones started share the work
                os.close(read_end)
                os.close(write_end)
                break
            if pid == 0:
                os.close(read_end)
                _work_in_child(paths, args, claims, write_end)
            os.close(write_end)
            workers[read_end] = _Worker(pid, read_end)
        for index in claims:
            report(index, check_one(paths[index], args))
            ready, _, _ = select.select(list(workers), [], [], 0)
            for fd in ready:
                _receive(workers[fd], report)
        while any(w.pid for w in workers.values()):
            running = [fd for fd, w in workers.items() if w.pid]
            ready, _, _ = select.select(running, [], [])
            for fd in ready:
                worker = workers[fd]
                if not _receive(worker, report):
                    _, status = os.waitpid(worker.pid, 0)
                    worker.pid = 0
                    if worker.current is not None:  # it died while checking that one
                        failure = f"worker failed: {_exit_reason(status)}"
                        report(worker.current, RepoReport(paths[worker.current], None, failure))
        for index in sorted(unreported):  # claimed in a batch by a worker that died
            report(index, RepoReport(paths[index], None, "worker failed before checking it"))
    finally:
        for worker in workers.values():
            if worker.pid:  # only when this process is being interrupted
                os.kill(worker.pid, signal.SIGTERM)
                os.waitpid(worker.pid, 0)
            os.close(worker.fd)
        claims.close()


def check_all(
    paths: Sequence[str],
    args: argparse.Namespace,
    jobs: int,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[RepoReport]:
    """Check every repository in ``paths`` with up to ``jobs`` processes, in their order."""
    reports: dict[int, RepoReport] = {}
    total = len(paths)

    def done(index: int, report: RepoReport) -> None:
        reports[index] = report
        if progress is not None:
            progress(len(reports), total, report.root)

    if not paths:
        return []
    # The first repository is checked before any fork: the parsers it needs are imported
    # once, instead of once in every worker. What the imports made lives as long as the
    # process; frozen, it is not swept again by the collector for every repository, nor
    # copied into a forked worker's memory when a sweep would touch it.
    done(0, check_one(paths[0], args))
    gc.freeze()
    try:
        rest = range(1, total)
        if jobs <= 1 or len(rest) <= 1:
            for index in rest:
                done(index, check_one(paths[index], args))
        elif sys.platform == "linux":
            _check_forked(paths, rest, args, min(jobs, len(rest)), done)
        else:
            _check_pooled(paths, rest, args, min(jobs, len(rest)), done)
    finally:
        gc.unfreeze()  # a caller that goes on (a test, an embedding) gets its sweeps back
    return [reports[index] for index in range(total)]
