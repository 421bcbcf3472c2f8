"""Timing commands side by side: alternating runs, medians, nothing but the standard library.

Each round runs every command of a comparison once, in an order that rotates from round to
round, so a burst of load on a shared machine hits all of them alike. One untimed warm-up
round fills the file system cache first.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class CommandFailed(Exception):
    """A measured command failed in a way that makes its timing meaningless."""


@dataclass(frozen=True)
class Command:
    """One command to time: ``ok_codes`` are the exit statuses that count as working."""

    label: str
    argv: Sequence[str]
    cwd: Path
    ok_codes: frozenset[int] = frozenset({0})


def time_once(command: Command, env: Mapping[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        list(command.argv),
        cwd=command.cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if completed.returncode not in command.ok_codes:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommandFailed(
            f"{command.label}: exit status {completed.returncode}: "
            + (message[-1] if message else "no message")
        )
    return elapsed


def compare(commands: Sequence[Command], runs: int, env: Mapping[str, str]) -> list[list[float]]:
    """Times of ``runs`` alternating rounds, one list per command (after a warm-up)."""
    for command in commands:
        time_once(command, env)
    times: list[list[float]] = [[] for _ in commands]
    for round_ in range(runs):
        order = list(range(len(commands)))
        shift = round_ % len(order)
        for index in order[shift:] + order[:shift]:
            times[index].append(time_once(commands[index], env))
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def hermetic_env(home: Path) -> dict[str, str]:
    """The environment every measured command gets: no user or system git config.

    ``PYTHONDONTWRITEBYTECODE`` would make every run compile venvguard from source, which no
    installed copy does; the warm-up round of ``compare`` fills the byte-code cache instead.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PIP_", "VENVGUARD_"))
        and key not in ("VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        NO_COLOR="1",
        # Byte code cached as an installed package has it, but kept out of the checkout.
        PYTHONPYCACHEPREFIX=str(home / "pycache"),
    )
    return env
