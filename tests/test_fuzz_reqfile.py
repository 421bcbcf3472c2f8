"""Fuzzing the requirements-file parser and the VG2 check: never an exception, true lines.

Generated files mix requirement syntax (specifiers, markers, extras, URLs, hashes, options,
includes between the files) with awkward characters. Every item, problem and finding must
point at a line that exists in the file it names, counted as an editor counts lines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from venvguard.config import Config
from venvguard.engine import check_project
from venvguard.reqs.reqfile import parse_lock

from .fuzzing import PROFILE, line_count, texts

REQ_TOKENS = [
    *["requests", "==", "2.31.0", ">=", "~=", "===", "!=", "<", "*", ",", "[", "]", "extra"],
    *["; python_version < '3.12'", " and ", " or ", "platform_system == 'Linux'", "@ "],
    *["https://example.invalid/a.whl", "git+https://example.invalid/r.git#egg=x", "file:///x"],
    *[" --hash=sha256:" + "a" * 64, " --hash sha512:00", "-r ", "-c ", "--requirement=", "-e "],
    *["other.txt", "requirements.txt", "../outside.txt", "/etc/passwd", "sub/more.txt", "."],
    *["--index-url https://example.invalid/simple", "-i", "--extra-index-url", "--no-index"],
    *["-f ./wheels", "--pre", "--only-binary :all:", "--no-binary", "--require-hashes", "-C"],
    *["--use-feature=x", "--trusted-host", "--config-settings=a=b", "--requi", "--in", " #"],
    *["${HOME}", "${NOT_SET_ANYWHERE}", "\\\n", "\n", "# comment\n", "-", "--", "=", "'"],
]

NAMES = ["requirements.txt", "other.txt", "sub/more.txt"]


def reqfiles() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries({name: texts(REQ_TOKENS) for name in NAMES})


@settings.get_profile(PROFILE)
@given(reqfiles())
def test_parser_survives_and_points_at_real_lines(files: dict[str, str]) -> None:
    lock = parse_lock("requirements.txt", files.get, Path("/nonexistent-root"))
    assert lock.files[0] == "requirements.txt"
    for item in lock.items:
        lines = line_count(files[item.path])
        assert 1 <= item.line <= item.end_line <= lines, (item, lines)
        assert item.column >= 1
    for problem in lock.problems:
        assert 1 <= problem.line <= line_count(files[problem.path]), problem
        assert problem.message
    for path, line, _target in lock.unfollowed:
        assert 1 <= line <= line_count(files[path])


@settings.get_profile(PROFILE)
@given(reqfiles(), st.booleans())
def test_vg2_check_survives_generated_files(files: dict[str, str], crlf: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            data = text.replace("\n", "\r\n") if crlf else text
            (root / name).write_bytes(data.encode("utf-8", "surrogatepass"))
        before = {name: (root / name).read_bytes() for name in files}
        selected = frozenset({"VG201", "VG202", "VG203", "VG204", "VG205", "VG206"})
        result = check_project(root, Config(), selected, is_git=False, diff=True)
        after = {name: (root / name).read_bytes() for name in files}
        assert after == before  # --diff writes nothing
        for finding in result.findings:
            if finding.line is not None:
                assert finding.path in files, finding
                text = (root / finding.path).read_bytes().decode("utf-8", "replace")
                assert 1 <= finding.line <= line_count(text), finding
