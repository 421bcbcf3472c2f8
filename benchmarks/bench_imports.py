"""What each rule family adds to a run's imports, from ``python -X importtime``.

The baseline is a run that selects no rule (``--select VG1 --ignore VG1``): the CLI, the
engine and the reporter. A family's cost is the self time of every module its run imports
beyond that, grouped by top-level package. Medians over a few runs, in microseconds. Every
run is ``--no-cache``: a replayed run imports none of these.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path


def import_self_times(args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> dict[str, int]:
    """Self import time of every module a ``venvguard`` run imports."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "venvguard", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    times: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line[len("import time:") :].split("|")
        times[name.strip()] = times.get(name.strip(), 0) + int(self_us)
    return times


def _median_times(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], runs: int
) -> dict[str, int]:
    samples = [import_self_times(args, cwd, env) for _ in range(runs + 1)][1:]
    names = set().union(*samples)
    return {n: int(statistics.median(s.get(n, 0) for s in samples)) for n in names}


def family_costs(cwd: Path, env: Mapping[str, str], runs: int = 5) -> dict[str, dict[str, int]]:
    """Per family: milliseconds-worth of extra imports by top-level package (µs), heaviest first."""
    base = ["check", "--no-cache", "--select"]
    baseline = _median_times([*base, "VG1", "--ignore", "VG1"], cwd, env, runs)
    costs: dict[str, dict[str, int]] = {"core": {}}
    for name, self_us in baseline.items():
        top = name.split(".")[0] if not name.startswith("venvguard.") else name
        costs["core"][top] = costs["core"].get(top, 0) + self_us
    for family in ("VG1", "VG2", "VG3"):
        times = _median_times([*base, family], cwd, env, runs)
        grouped: dict[str, int] = defaultdict(int)
        for name, self_us in times.items():
            if name in baseline:
                continue
            top = ".".join(name.split(".")[:2]) if name.startswith("venvguard.") else name
            grouped[top.split(".")[0] if not top.startswith("venvguard.") else top] += self_us
        costs[family] = dict(grouped)
    return {
        key: dict(sorted(value.items(), key=lambda item: -item[1])) for key, value in costs.items()
    }


def print_costs(costs: Mapping[str, Mapping[str, int]], top: int = 6) -> None:
    print("\nimport cost per family on the small repository (self time, median, ms):")
    for family, modules in costs.items():
        total = sum(modules.values()) / 1000
        heaviest = ", ".join(f"{name} {us / 1000:.1f}" for name, us in list(modules.items())[:top])
        print(f"  {family:<5} {total:6.1f} ms  {heaviest}")
