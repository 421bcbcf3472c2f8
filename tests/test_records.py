"""Records behave as the dataclasses they replaced: equality, hashing, order, repr, replace."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from venvguard.findings import Finding, Notice
from venvguard.reqs.environment import Environment
from venvguard.reqs.reqfile import LockFile
from venvguard.shell.words import Word
from venvguard.sources.snippet import Snippet


def test_findings_are_the_same_by_place_code_and_package_whatever_the_message() -> None:
    one = Finding("a.sh", 3, 1, "VG301", "sudo pip", end_line=3, end_column=9, fix="drop sudo")
    same = Finding("a.sh", 3, 1, "VG301", "another message")
    assert one == same and hash(one) == hash(same) and len({one, same}) == 1
    assert one != Finding("a.sh", 3, 1, "VG301", "sudo pip", package="requests")
    assert one != Finding("a.sh", 3, 2, "VG301", "sudo pip")


def test_findings_and_notices_sort_by_their_fields_in_order() -> None:
    findings = [
        Finding("b", 1, 1, "VG301", "m"),
        Finding("a", 2, 1, "VG301", "m"),
        Finding("a", 1, 5, "VG302", "m"),
        Finding("a", 1, 5, "VG301", "m"),
    ]
    assert [(f.path, f.line, f.column, f.code) for f in sorted(findings)] == [
        ("a", 1, 5, "VG301"),
        ("a", 1, 5, "VG302"),
        ("a", 2, 1, "VG301"),
        ("b", 1, 1, "VG301"),
    ]
    assert max(findings) is findings[0]
    assert sorted([Notice("a", 2, "x"), Notice("a", 1, "y"), Notice("a", 1, "b")]) == [
        Notice("a", 1, "b"),
        Notice("a", 1, "y"),
        Notice("a", 2, "x"),
    ]
    with pytest.raises(TypeError):
        _ = Finding("a", 1, 1, "VG301", "m") < Notice("a", 1, "m")


def test_records_of_different_classes_are_never_equal() -> None:
    assert Notice("a", 1, "m") != Finding("a", 1, None, "m", "m")
    assert Word("pip") != "pip"


def test_mutable_records_compare_by_value_but_are_unhashable() -> None:
    assert LockFile("requirements.txt") == LockFile("requirements.txt", items=[], files=[])
    assert LockFile("requirements.txt") != LockFile("requirements.txt", files=["x"])
    with pytest.raises(TypeError):
        hash(LockFile("requirements.txt"))


def test_defaults_are_fresh_for_every_record() -> None:
    one, two = LockFile("a"), LockFile("a")
    one.files.append("a")
    assert two.files == []


def test_fields_left_out_of_identity_do_not_count() -> None:
    plain = Environment(Path("/v"), (3, 12))
    assert plain == Environment(Path("/v"), (3, 12), notes=("a note",))
    assert hash(plain) == hash(Environment(Path("/v"), (3, 12), notes=("a note",)))


def test_repr_names_every_field_like_a_dataclass() -> None:
    assert repr(Notice("a.txt", None, "m")) == "Notice(path='a.txt', line=None, message='m')"
    assert (
        repr(Word("pip"))
        == "Word(value='pip', dynamic=False, row=0, column=0, exact=False, flat=False)"
    )


def test_replace_builds_a_new_record_through_init() -> None:
    snippet = Snippet("pip install x", ((1, 0),))
    other = snippet.replace(dialect="batch")
    assert other.dialect == "batch" and other.text == snippet.text and snippet.dialect == "bash"
    with pytest.raises(TypeError):
        snippet.replace(colour="blue")


def test_to_dict_round_trips_and_records_pickle() -> None:
    finding = Finding("a", 1, 2, "VG202", "m", end_line=1, end_column=4, package="p", fix="f")
    again = Finding(**finding.to_dict())
    assert again == finding and repr(again) == repr(finding)
    notice = Notice("a", None, "m")
    assert Notice(**notice.to_dict()) == notice
    assert pickle.loads(pickle.dumps(finding)) == finding
