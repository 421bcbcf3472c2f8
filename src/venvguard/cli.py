"""The ``venvguard`` command line: parses arguments and hands off to one subcommand.

Every usage, configuration or internal error becomes one line on stderr and exit status 2;
set ``VENVGUARD_DEBUG=1`` to see the traceback of an internal error instead.

A ``check`` whose inputs are all unchanged since it last ran is replayed by ``venvguard.memo``
before anything else is imported, which is why this module imports almost nothing.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from venvguard.memo import Recorder


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser (see ``venvguard.arguments``)."""
    from venvguard.arguments import build_parser as build

    return build(argv)


def main(argv: Sequence[str] | None = None) -> int:
    recorder = None
    if argv is None:  # the real command line: it may be replayed, or recorded for next time
        from venvguard import memo

        argv = sys.argv[1:]
        try:
            status = memo.replay(argv)
        except BrokenPipeError:
            return _reader_gone()
        if status is not None:
            return status
        recorder = memo.start(argv)
    status = 2
    try:
        status = _run(argv, recorder)
    finally:
        if recorder is not None:
            recorder.finish(status)
    return status


def _run(argv: Sequence[str], recorder: Recorder | None) -> int:
    from venvguard.config import ConfigError

    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if recorder is not None:
        recorder.wanted = (
            args.command == "check" and not args.fix and args.output is None and not args.no_cache
        )
    from venvguard.engine import InternalError

    try:
        code: int = args.run(args)
        return code
    except ConfigError as error:
        print(f"venvguard: error: {error}", file=sys.stderr)
        return 2
    except InternalError as error:
        if os.environ.get("VENVGUARD_DEBUG"):
            raise
        print(f"venvguard: internal error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        if recorder is not None:
            recorder.spoiled = True  # what it printed was cut short: nothing to replay
        return _reader_gone()


def _reader_gone() -> int:
    """The reader went away (``venvguard check | head``): not an error of ours."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1
