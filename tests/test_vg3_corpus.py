"""The labelled corpus of real-world shaped files: precision and recall must both be 1.0."""

from __future__ import annotations

import pytest

from .vg3_corpus import CORPUS, expected, score


def test_corpus_is_labelled_for_every_source_kind() -> None:
    labels = expected()
    folders = {path.split("/")[0] for path, _, _ in labels}
    assert folders == {"shell", "docker", "make", "ci", "docs", "notebooks", "windows", "tox"}
    assert {code for _, _, code in labels} == {"VG301", "VG302", "VG303", "VG304", "VG305"}
    assert len(labels) >= 80


def test_corpus_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    result = score(CORPUS)
    with capsys.disabled():
        print(
            f"\nVG3 corpus: precision {result.precision:.3f}, recall {result.recall:.3f} "
            f"({result.true_positives} true, {len(result.false_positives)} false positives, "
            f"{len(result.false_negatives)} missed)"
        )
    assert sorted(result.false_positives) == []
    assert sorted(result.false_negatives) == []
    assert result.precision == 1.0
    assert result.recall == 1.0
