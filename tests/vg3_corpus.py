"""Scoring of the labelled VG3 corpus (``tests/corpus``): expectations, findings, scores."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from venvguard.config import Config
from venvguard.engine import check_project
from venvguard.selection import resolve_selection

CORPUS = Path(__file__).parent / "corpus"
_EXPECT = re.compile(r"expect(?P<below>-below)?:\s*(?P<codes>VG3\d\d(?:\s*,\s*VG3\d\d)*)")

Label = tuple[str, int, str]


def expected(root: Path = CORPUS) -> set[Label]:
    """Every (path, line, code) the corpus files announce."""
    labels: set[Label] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or (path.name == "README.md" and path.parent == root):
            continue
        relative = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), start=1):
            for match in _EXPECT.finditer(line):
                target = number + 1 if match.group("below") else number
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    labels.add((relative, target, code))
    return labels


def found(root: Path = CORPUS, select: tuple[str, ...] | None = None) -> set[Label]:
    """What ``venvguard check`` reports for the corpus folder, VG3 only."""
    config = Config(select=select)
    selected = resolve_selection(config.select, config.extend_select, config.ignore)
    selected = frozenset(code for code in selected if code.startswith("VG3"))
    result = check_project(root, config, selected, is_git=False)
    return {(f.path, f.line or 0, f.code) for f in result.findings}


@dataclass
class Score:
    true_positives: int
    false_positives: set[Label]
    false_negatives: set[Label]

    @property
    def precision(self) -> float:
        reported = self.true_positives + len(self.false_positives)
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + len(self.false_negatives)
        return self.true_positives / wanted if wanted else 1.0


def score(root: Path = CORPUS) -> Score:
    want = expected(root)
    got = found(root)
    return Score(len(want & got), got - want, want - got)


if __name__ == "__main__":
    result = score()
    print(f"precision {result.precision:.3f} recall {result.recall:.3f}")
    for label in sorted(result.false_positives):
        print("false positive:", *label)
    for label in sorted(result.false_negatives):
        print("missed:", *label)
