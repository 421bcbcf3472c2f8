"""A lock against an environment: which lines are unpinned, missing, extra, wrong or twice.

The same judgement serves both modes: the distributions are those installed in a venv
(drift) or those a fresh resolution chose (``--fresh``). Lines whose marker is false for the
environment are left alone; two lines of one package are duplicates only when some
environment would read both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from venvguard.findings import Finding
from venvguard.records import Record
from venvguard.reqs.installed import Distribution
from venvguard.reqs.reqfile import Item, LockFile

if TYPE_CHECKING:
    from packaging.markers import Marker


def pinned_version(item: Item) -> str | None:
    """The one version an item pins (``==V`` without a wildcard, or ``===V``), else None."""
    for spec in item.requirement.specifier:
        if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*")):
            return spec.version
    return None


def is_pinned(item: Item) -> bool:
    requirement = item.requirement
    return requirement.url is not None or requirement.editable or pinned_version(item) is not None


def version_matches(item: Item, version: str) -> bool:
    """Whether ``version`` satisfies the item's specifiers (pre-releases included)."""
    specifier = item.requirement.specifier
    if not specifier:
        return True
    try:
        return specifier.contains(version, prereleases=True)
    except ValueError:  # InvalidVersion: packaging before 26 raises for an unreadable version
        return all(spec.version == version for spec in specifier)


_PYTHON_VARS = ("python_version", "python_full_version", "implementation_version")
_IMPLEMENTATION_VARS = ("platform_python_implementation", "implementation_name")
_PLATFORM_VARS = ("sys_platform", "os_name", "platform_system", "platform_machine")


def _sample_environments(judged: Mapping[str, str], text: str) -> list[dict[str, str]]:
    """The judged environment, then variations of the marker variables used in ``text``.

    Pythons 3.8 to 3.15 (first and late patch releases), CPython and PyPy, Linux, Windows
    and macOS: only the axes whose variables ``text`` mentions are varied.
    """
    from venvguard.reqs.environment import platform_markers

    pythons: list[dict[str, str]] = [{}]
    if any(name in text for name in _PYTHON_VARS):
        pythons = [
            {
                "python_version": f"3.{minor}",
                "python_full_version": f"3.{minor}.{patch}",
                "implementation_version": f"3.{minor}.{patch}",
            }
            for minor in range(8, 16)
            for patch in (0, 99)
        ]
    implementations: list[dict[str, str]] = [{}]
    if any(name in text for name in _IMPLEMENTATION_VARS):
        implementations = [
            {"platform_python_implementation": name, "implementation_name": name.lower()}
            for name in ("CPython", "PyPy")
        ]
    platforms: list[dict[str, str]] = [{}]
    if any(name in text for name in _PLATFORM_VARS):
        platforms = [platform_markers(tag) for tag in ("linux_x86_64", "win_amd64", "macosx_arm64")]
    samples = [dict(judged)]
    for python in pythons:
        for implementation in implementations:
            for platform in platforms:
                samples.append({**judged, **python, **implementation, **platform})
    return samples


def _both_apply(a: Marker | None, b: Marker | None, judged: Mapping[str, str]) -> bool:
    if a is None or b is None or str(a) == str(b):
        return True
    for environment in _sample_environments(judged, f"{a} {b}"):
        try:
            if a.evaluate(environment) and b.evaluate(environment):
                return True
        except Exception:
            continue
    return False


class Verdict(Record):
    """What one lock looks like against one set of distributions.

    ``repins`` maps (path, line) of an item to the version it should pin (VG201/VG204
    fixes); ``additions`` are distributions to add to the lock (VG202 fixes).
    """

    __slots__ = ("findings", "repins", "additions")

    def __init__(
        self,
        findings: list[Finding] | None = None,
        repins: dict[tuple[str, int], str] | None = None,
        additions: list[Distribution] | None = None,
    ) -> None:
        self.findings: list[Finding] = [] if findings is None else findings
        self.repins: dict[tuple[str, int], str] = {} if repins is None else repins
        self.additions: list[Distribution] = [] if additions is None else additions


def _where(item: Item) -> str:
    return f"{item.path}:{item.line}"


def judge_lock(
    lock: LockFile,
    distributions: Mapping[str, Distribution],
    markers: Mapping[str, str],
    *,
    place: str,
    holder: str,
    hidden: Iterable[str] = (),
    own: str | None = None,
    check_missing: bool = True,
    also_listed: Iterable[str] = (),
) -> Verdict:
    """Judge ``lock`` against ``distributions`` (by normalized name) of one environment.

    ``place`` and ``holder`` name the environment in messages (``installed in .venv`` and
    ``.venv has``; ``in the fresh resolution`` and ``the fresh resolution picks``);
    ``hidden`` are names never reported missing (``pip freeze``'s exclusions) and ``own``
    the project's own distribution. ``also_listed`` are names other locks list.
    """
    verdict = Verdict()
    requirements = lock.requirements
    applicable = [item for item in requirements if item.requirement.applies(markers)]
    add = verdict.findings.append

    for item in requirements:
        if item.key is None or is_pinned(item):
            continue
        distribution = distributions.get(item.key)
        fix = f"pin to =={distribution.version}" if distribution is not None else None
        if distribution is not None:
            verdict.repins[(item.path, item.line)] = distribution.version
        add(
            Finding(
                item.path,
                item.line,
                item.column,
                "VG201",
                f"`{item.text}` is not pinned to one version"
                + (f" ({holder} {distribution.version})" if distribution else ""),
                package=item.key,
                fix=fix,
            )
        )

    _duplicates(requirements, markers, add)

    listed: set[str] = set(also_listed)
    urls = {d.url: d for d in distributions.values() if d.url is not None}
    for item in applicable:
        key = item.key
        if key is None:
            matched = urls.get(item.requirement.url or "")
            if matched is not None:
                listed.add(matched.key)
            continue
        listed.add(key)
        distribution = distributions.get(key)
        if distribution is None:
            add(
                Finding(
                    item.path,
                    item.line,
                    item.column,
                    "VG203",
                    f"`{item.requirement.name}` is listed but not {place}",
                    package=key,
                    fix="remove the line",
                )
            )
            continue
        if distribution.url is not None and item.requirement.url is not None:
            continue
        if not version_matches(item, distribution.version):
            fixable = not item.hashes and item.requirement.url is None
            verdict.repins[(item.path, item.line)] = distribution.version
            add(
                Finding(
                    item.path,
                    item.line,
                    item.column,
                    "VG204",
                    f"`{item.text}` but {holder} {distribution.name} {distribution.version}",
                    package=key,
                    fix=f"pin to =={distribution.version}" if fixable else None,
                )
            )

    if check_missing:
        everywhere = {item.key for item in requirements if item.key is not None}
        skip = set(hidden) | ({own} if own else set())
        for key, distribution in sorted(distributions.items()):
            if key in listed or key in skip or distribution.system:
                continue
            why = " (its line's marker is false here)" if key in everywhere else ""
            verdict.additions.append(distribution)
            add(
                Finding(
                    lock.path,
                    None,
                    None,
                    "VG202",
                    f"`{distribution.name}=={distribution.version}` is {place} but not "
                    f"listed in {lock.path}{why}",
                    package=key,
                    fix=f"add {distribution.name}=={distribution.version}",
                )
            )
    return verdict


def _duplicates(
    requirements: list[Item], markers: Mapping[str, str], add: Callable[[Finding], None]
) -> None:
    by_key: dict[str, list[Item]] = {}
    for item in requirements:
        if item.key is not None:
            by_key.setdefault(item.key, []).append(item)
    for items in by_key.values():
        if len(items) < 2:
            continue
        for index, item in enumerate(items[1:], start=1):
            earlier = next(
                (
                    other
                    for other in items[:index]
                    if _both_apply(other.requirement.marker, item.requirement.marker, markers)
                ),
                None,
            )
            if earlier is None:
                continue
            add(
                Finding(
                    item.path,
                    item.line,
                    item.column,
                    "VG205",
                    f"`{item.requirement.name}` is listed twice: also at {_where(earlier)}",
                    package=item.key,
                )
            )
