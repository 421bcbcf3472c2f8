"""The VG2 fixes as new file contents: pins rewritten, missing pins added, extra ones removed.

Only the lines a fix is about change: comments, options, continuations, order and hashes of
every other line stay as they were. A line is re-pinned in place (its name, extras, marker
and spacing kept); added pins go where they keep a sorted file sorted, else at the end, in
the spelling the file already uses (normalized names or pip freeze's).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from venvguard.findings import FileEdit, Finding
from venvguard.project import Project
from venvguard.reqs.analysis import Analysis
from venvguard.reqs.installed import Distribution
from venvguard.reqs.reqfile import Item

_NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")
#: Line breaks where ``str.splitlines`` (pip) splits but editors and git do not.
_ODD_BREAK = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def repin_text(text: str, version: str) -> str:
    """``text`` (a requirement) pinned to ``==version``, everything else kept."""
    head, semicolon, marker = text.partition(";")
    match = _NAME_AND_EXTRAS.match(head)
    if match is None:
        return text
    spacing = head[len(head.rstrip()) :] if semicolon else ""
    return f"{match.group(0).rstrip()}=={version}{spacing}{semicolon}{marker}"


def _items(analysis: Analysis) -> dict[tuple[str, int], Item]:
    found: dict[tuple[str, int], Item] = {}
    for lock in analysis.locks.roots:
        for item in lock.items:
            found.setdefault((item.path, item.line), item)
    return found


def addition_line(distribution: Distribution, root: str, normalized: bool) -> str:
    """How a missing distribution is written into a lock."""
    if distribution.editable and distribution.url and distribution.url.startswith("file:"):
        from venvguard.reqs.installed import file_url_to_path

        path = file_url_to_path(distribution.url)
        relative = os.path.relpath(path, root)
        if not relative.startswith(".."):
            return "-e ." if relative == "." else f"-e ./{relative}"
        return f"-e {path}"
    if distribution.url is not None:
        return distribution.freeze_line()
    name = distribution.key if normalized else distribution.name
    return f"{name}=={distribution.version}"


def plan_edits(project: Project, analysis: Analysis, findings: Sequence[Finding]) -> list[FileEdit]:
    """Whole-file edits for the fixable ``findings``."""
    items = _items(analysis)
    repins: dict[str, dict[int, tuple[Item, str]]] = {}
    removals: dict[str, set[int]] = {}
    additions: dict[str, list[Distribution]] = {}
    for finding in findings:
        if finding.fix is None:
            continue
        if finding.code in ("VG201", "VG204") and finding.line is not None:
            item = items.get((finding.path, finding.line))
            version = analysis.repins.get((finding.path, finding.line))
            if item is not None and version is not None:
                repins.setdefault(item.path, {})[item.line] = (item, version)
        elif finding.code == "VG203" and finding.line is not None:
            item = items.get((finding.path, finding.line))
            if item is not None:
                removals.setdefault(item.path, set()).update(range(item.line, item.end_line + 1))
        elif finding.code == "VG202":
            for distribution in analysis.additions.get(finding.path, []):
                if distribution.key == finding.package:
                    additions.setdefault(finding.path, []).append(distribution)
    edits: list[FileEdit] = []
    for path in sorted({*repins, *removals, *additions}):
        try:
            old = project.absolute(path).read_bytes()
        except OSError:
            continue
        text = old.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
        if _ODD_BREAK.search(text):
            # pip's lines and the file's lines differ here: an edit by line could hit the
            # wrong requirement. Report, never guess.
            continue
        new = rewrite(
            text,
            repins=repins.get(path, {}),
            removals=removals.get(path, set()),
            additions=additions.get(path, []),
            file_items=[item for item in items.values() if item.path == path],
            root=str(project.root),
        )
        prefix = "\ufeff" if old.startswith(b"\xef\xbb\xbf") else ""
        edits.append(FileEdit(path, old, (prefix + new).encode("utf-8", "surrogateescape")))
    return edits


def rewrite(
    text: str,
    *,
    repins: dict[int, tuple[Item, str]],
    removals: set[int],
    additions: Iterable[Distribution],
    file_items: list[Item],
    root: str,
) -> str:
    """``text`` with the pins changed, lines removed and distributions added."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    for number, (item, version) in repins.items():
        raw = lines[number - 1]
        start = raw.find(item.text)
        if start < 0:
            continue
        lines[number - 1] = (
            raw[:start] + repin_text(item.text, version) + raw[start + len(item.text) :]
        )
    named = [i for i in file_items if i.key is not None and not i.requirement.editable]
    normalized = bool(named) and all(
        _NAME_AND_EXTRAS.match(i.text) is not None and i.text.strip().startswith(i.key or "")
        for i in named
    )
    keys = [i.key or "" for i in named]
    is_sorted = keys == sorted(keys)
    inserts: dict[int, list[str]] = {}
    tail: list[str] = []
    for distribution in sorted(additions, key=lambda d: d.key):
        line = addition_line(distribution, root, normalized) + newline
        following = next((i for i in named if (i.key or "") > distribution.key), None)
        if is_sorted and following is not None and not distribution.editable:
            inserts.setdefault(following.line, []).append(line)
        else:
            tail.append(line)
    out: list[str] = []
    for number, raw in enumerate(lines, start=1):
        out.extend(inserts.get(number, []))
        if number not in removals:
            out.append(raw)
    if tail:
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += newline
        out.extend(tail)
    return "".join(out)
