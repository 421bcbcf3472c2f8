"""The requirements-file parser, checked against pip's own parser on the same files.

pip (the copy in the project's venv) is the oracle: a file either fails for both, or both
read the same requirements (line, name, specifier, marker, editable, hashes, constraint).
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venvguard.reqs.reqfile import LockFile, logical_lines, parse_lock

View = list[tuple[Any, ...]] | str


def pip_view(folder: Path, name: str) -> View:
    """What pip reads from ``folder/name`` (run with ``folder`` as working directory).

    The venv's pip vendors a ``packaging`` that still accepts legacy (non PEP 440)
    versions with a deprecation warning; pip 24.1 and later refuse them, as we do, so a
    file that makes the oracle warn counts as invalid.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = _pip_view(folder, name)
    if any("Legacy" in str(w.message) for w in caught):
        return "invalid"
    return view


@functools.cache
def _session() -> Any:
    from pip._internal.network.session import PipSession

    return PipSession()


def _pip_view(folder: Path, name: str) -> View:
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    out: list[tuple[Any, ...]] = []
    old = Path.cwd()
    os.chdir(folder)
    try:
        for parsed in parse_requirements(name, session=_session()):
            ireq = install_req_from_parsed_requirement(parsed)
            line = int(parsed.comes_from.rsplit("line ", 1)[1].rstrip(")"))
            hashes = [f"{a}:{h}" for a, values in (ireq.hash_options or {}).items() for h in values]
            out.append(
                (
                    line,
                    re.sub(r"[-_.]+", "-", ireq.req.name).lower() if ireq.req else None,
                    str(ireq.req.specifier) if ireq.req else "",
                    str(ireq.markers) if ireq.markers else None,
                    bool(ireq.editable),
                    tuple(sorted(hashes)),
                    parsed.constraint,
                )
            )
    except BaseException:  # pip reports a bad file in many ways, SystemExit included
        return "invalid"
    finally:
        os.chdir(old)
    return out


def our_lock(folder: Path, name: str) -> LockFile:
    def read(relative: str) -> str | None:
        try:
            return (folder / relative).read_text(encoding="utf-8")
        except OSError:
            return None

    return parse_lock(name, read, folder)


def our_view(folder: Path, name: str) -> View:
    lock = our_lock(folder, name)
    if lock.problems:
        return "invalid"
    return [
        (
            item.line,
            item.key,
            str(item.requirement.specifier),
            str(item.requirement.marker) if item.requirement.marker else None,
            item.requirement.editable,
            tuple(sorted(item.hashes)),
            item.constraint,
        )
        for item in lock.items
    ]


def agree(folder: Path, content: str) -> tuple[View, View]:
    (folder / "requirements.txt").write_text(content, encoding="utf-8")
    return pip_view(folder, "requirements.txt"), our_view(folder, "requirements.txt")


CASES = [
    "requests==2.31.0\n",
    "Foo_Bar[socks, Extra2]==1.0 ; python_version < '3.11'  # pinned\n",
    "  indented>=1,<2\n\n\n# only a comment\n",
    "name#notacomment==1.0\n",
    "a==1 \\\n  --hash=sha256:abc \\\n  --hash=sha512:def\n",
    "a==1 \\\n# a comment ends the continuation\nb==2\n",
    "a==1 \\\n",
    "requests=2.31.0\n",
    "requests==\n",
    "foo bar\n",
    "foo==1.0 --hash=md5:abc\n",
    "foo==1.0 --hash=abc\n",
    "foo==1.0 --hash\n",
    "foo==1.0 --no-such-option\n",
    "foo==1.0 ; python_version <\n",
    "foo==1.0 ; bogus == '1'\n",
    "foo==1.0 --glob=x\n",
    "-i https://example.invalid/simple\nfoo==1\n",
    "--index-url=https://example.invalid/simple\n--extra-index-url https://x.invalid\n",
    "--in https://example.invalid/simple\n",
    "--p\n",
    "--pre\n--prefer-binary\n--no-index\n--require-hashes\n",
    "--no-index=1\n",
    "--only-binary :all:\n--no-binary=:none:\n",
    "--only-binary\n",
    "--only-binary=-x\n",
    "-f ./links\n--find-l ./links\n",
    "--trusted-host example.invalid\n",
    "--use-feature fast-deps\n",
    "--use-feature nonsense\n",
    "-C key=value\n--config-settings nokey\n",
    "-e git+https://example.invalid/r.git#egg=pkg\n",
    "-e git+https://example.invalid/r.git\n",
    "-e ./no-such-folder\n",
    "-e https://example.invalid/not-vcs.zip\n",
    "-x\n",
    "--\n",
    "- foo\n",
    "foo===weird-version\n",
    "foo==1.*\n",
    "foo (>=1.0)\n",
    "pkg @ https://example.invalid/pkg-1.0.tar.gz\n",
    "pkg @ https://example.invalid/pkg-1.0.tar.gz ; sys_platform == 'linux'\n",
    "https://example.invalid/pkg-1.0-py3-none-any.whl\n",
    "https://example.invalid/archive.zip#egg=named\n",
    "https://example.invalid/archive.zip\n",
    "git+https://example.invalid/r.git@v1#egg=pkg\n",
    "./pkg-2.0-py3-none-any.whl\n",
    "foo>=1.0[extra]\n",
    "foo==1.0 --pre -r other.txt\n",
    "foo==1.0 'unclosed\n",
    "foo==1.0 --hash=sha256:a 'unclosed\n",
    "foo==1.0\tbar\n",
    "foo;python_version>='3'\n",
    "foo==1.0 ; \n",
    "-r\n",
    "-rmissing.txt\n",
    "-c missing.txt\n",
]


@pytest.mark.parametrize("content", CASES)
def test_parser_agrees_with_pip(tmp_path: Path, content: str) -> None:
    theirs, ours = agree(tmp_path, content)
    assert ours == theirs


def test_includes_constraints_and_local_paths_agree_with_pip(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.txt").write_text("alpha==1.0\n-c ../constraints.txt\n")
    (tmp_path / "constraints.txt").write_text("gamma==2.0\n-r sub/extra.txt\n")
    (tmp_path / "sub" / "extra.txt").write_text("delta==3\n")
    (tmp_path / "local-pkg").mkdir()
    (tmp_path / "local-pkg" / "pyproject.toml").write_text("[project]\nname='local'\n")
    (tmp_path / "plain-folder").mkdir()
    content = "-r sub/base.txt\nbeta==2 ; os_name == 'nt'\n-e ./local-pkg\n./local-pkg\n"
    theirs, ours = agree(tmp_path, content)
    assert ours == theirs
    assert [line[1] for line in ours] == ["alpha", "gamma", "delta", "beta", None, None]
    theirs, ours = agree(tmp_path, "./plain-folder\n")
    assert ours == theirs == "invalid"


def test_environment_variables_expand_like_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VG_TEST_VERSION", "4.5")
    theirs, ours = agree(tmp_path, "foo==${VG_TEST_VERSION}\nbar==${VG_UNSET_VAR}\n")
    assert ours == theirs == "invalid"
    theirs, ours = agree(tmp_path, "foo==${VG_TEST_VERSION}\n")
    assert ours == theirs == [(1, "foo", "==4.5", None, False, (), False)]


_NAMES = st.sampled_from(["foo", "Foo_Bar", "a.b", "x-1", "9lives", "_bad", "foo bar", "zz"])
_EXTRAS = st.sampled_from(["", "[x]", "[x,y]", "[X, y]", "[", "[]"])
_SPECS = st.sampled_from(
    ["", "==1.0", ">=1,<2", "===weird", "==1.*", "~=1.4", "=1.0", "== 1.0", "(>=1)", "<=", "!=2"]
)
_MARKERS = st.sampled_from(
    [
        "",
        ' ; python_version < "3.11"',
        ";sys_platform=='win32'",
        " ; bogus == '1'",
        " ; os_name == 'nt' and python_full_version>='3.8'",
        " ;",
        "; extra == 'a'",
    ]
)
_OPTIONS = st.sampled_from(
    [
        "",
        " --hash=sha256:abc",
        " --hash sha384:abc --hash=sha512:def",
        " --hash=md5:abc",
        " --hash",
        " --nope",
        " --pre",
        " --glob=x",
        " -C a=b",
        " --config-settings=ab",
        " -e",
    ]
)
_COMMENTS = st.sampled_from(["", "  # note", "#tight", " #"])
_OPTION_LINES = st.sampled_from(
    [
        "-i https://example.invalid/simple",
        "--index-url=https://example.invalid/simple",
        "--extra-index https://example.invalid/x",
        "--no-index",
        "--no-index=yes",
        "--pr",
        "--p",
        "--only-binary :all:",
        "--only-bin",
        "-f ./links",
        "--use-feature truststore",
        "--use-feature=bogus",
        "--require-hashes --pre",
        "-e git+https://example.invalid/r.git#egg=pkg",
        "-e git+https://example.invalid/r.git",
        "-Z",
        "--",
        "-",
        "#-r nothing.txt",
        "",
        "   ",
    ]
)


@st.composite
def requirement_lines(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(_OPTION_LINES) + draw(_COMMENTS)
    line = draw(_NAMES) + draw(_EXTRAS) + draw(_SPECS) + draw(_MARKERS) + draw(_OPTIONS)
    if draw(st.integers(0, 5)) == 0:
        cut = draw(st.integers(0, len(line)))
        line = line[:cut] + " \\\n  " + line[cut:]
    return line + draw(_COMMENTS)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(requirement_lines(), min_size=1, max_size=6))
def test_generated_files_agree_with_pip(tmp_path: Path, lines: list[str]) -> None:
    theirs, ours = agree(tmp_path, "\n".join(lines) + "\n")
    assert ours == theirs


def test_items_carry_true_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("\n\n    six==1.16.0\n")
    content = (
        "# header\n"
        "-r requirements/base.txt\n"
        "first==1 \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "  second==2  # trailing\n"
    )
    (tmp_path / "requirements.txt").write_text(content)
    lock = our_lock(tmp_path, "requirements.txt")
    assert [(i.path, i.line, i.end_line, i.column, i.text) for i in lock.items] == [
        ("requirements/base.txt", 3, 3, 5, "six==1.16.0"),
        ("requirements.txt", 3, 5, 1, "first==1"),
        ("requirements.txt", 6, 6, 3, "second==2"),
    ]
    assert lock.items[1].hashes == ("sha256:aa", "sha256:bb")
    assert lock.files == ["requirements.txt", "requirements/base.txt"]


def test_include_loops_and_missing_includes_are_problems_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one==1\n-r b.txt\n")
    (tmp_path / "b.txt").write_text("two==2\n-r a.txt\n-r missing.txt\nthree=3\nfour==4\n")
    lock = our_lock(tmp_path, "a.txt")
    assert [(p.path, p.line, p.message) for p in lock.problems] == [
        ("b.txt", 2, "include loop: a.txt -> b.txt -> a.txt"),
        ("b.txt", 3, "cannot open included file 'missing.txt'"),
        ("b.txt", 4, lock.problems[2].message),
    ]
    assert "did you mean `==`" in lock.problems[2].message
    assert [i.key for i in lock.items] == ["one", "two", "four"]


def test_logical_lines_follow_pip_preprocessing() -> None:
    text = "a \\\n b\\\n\n# c \\\nd # e\n\\\n"
    assert [(ll.line, ll.end_line, ll.text) for ll in logical_lines(text)] == [
        (1, 3, "a  b"),
        (5, 5, "d"),
    ]


def test_editable_option_after_a_name_makes_the_name_an_editable_target(tmp_path: Path) -> None:
    # pip reads `foo -e x` as the editable `foo`, which is neither a path nor a URL.
    ours, theirs = agree(tmp_path, "foo -e#tight\n")
    assert ours == theirs == "invalid"


# Plain pins (`name==version`) are read without packaging's grammar: pip must read each of
# these lines as we do, near misses of the plain form included.
_PIN_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,5}", fullmatch=True)
_PIN_VERSIONS = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(["", "", "", "v", "1!"]),
        st.lists(st.sampled_from(["0", "1", "2", "10", "01", "2024"]), min_size=1, max_size=4).map(
            ".".join
        ),
        st.sampled_from(["", "", "a1", "b2", "rc1", "c1", "alpha", "-1"]),
        st.sampled_from(["", "", ".post1", "post2", ".dev0", ".dev"]),
        st.sampled_from(["", "", "+cpu", "+cu118.1", "+Local", "+a_b", "+"]),
        st.sampled_from(["", "", "", ".*", ".zip", ".tar.gz", "!"]),
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=_PIN_NAMES,
    operator=st.sampled_from(["==", "==", "==", " == ", "==="]),
    version=_PIN_VERSIONS,
    tail=st.sampled_from(["", " ", "\t", "  # pinned"]),
)
def test_plain_pins_agree_with_pip(
    tmp_path: Path, name: str, operator: str, version: str, tail: str
) -> None:
    theirs, ours = agree(tmp_path, f"{name}{operator}{version}{tail}\n")
    assert ours == theirs


def _near(version: str) -> st.SearchStrategy[str]:
    """Versions that packaging may or may not find equal to ``version``."""
    public = version.split("+", 1)[0]
    return st.sampled_from(
        [version, public, public + ".0", "0!" + public, public + "+local", public + "+Local.1"]
    )


@settings(max_examples=300, deadline=None)
@given(pinned=_PIN_VERSIONS, data=st.data())
def test_a_plain_pin_matches_the_versions_packaging_matches(
    pinned: str, data: st.DataObject
) -> None:
    installed = data.draw(
        _near(pinned) | _PIN_VERSIONS | st.text("0123456789.+abcrv-", max_size=8), "installed"
    )
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion

    from venvguard.reqs.requirement import InvalidLine, parse_requirement

    try:
        expected_set = SpecifierSet(f"=={pinned}")
        requirement = parse_requirement(f"pkg=={pinned}", Path("/nonexistent"))
    except (InvalidSpecifier, InvalidLine):
        return
    if requirement.url is not None:  # `pkg==1+a.zip` is an archive's path to pip
        return
    ours = requirement.specifier
    try:
        expected = expected_set.contains(installed, prereleases=True)
    except InvalidVersion:  # packaging before 26
        expected = False
    assert str(ours) == str(expected_set)
    assert [(s.operator, s.version) for s in ours] == [
        (s.operator, s.version) for s in expected_set
    ]
    assert ours.contains(installed, prereleases=True) == expected


def test_canonical_names_are_packagings() -> None:
    from packaging.utils import canonicalize_name as theirs

    from venvguard.reqs.names import canonicalize_name as ours

    for name in ("Foo_Bar", "foo.-_bar", "Delta.Lib", "A--B__c..d", "ÄÖ-x", "İstanbul_.pkg", "-"):
        assert ours(name) == theirs(name), name
