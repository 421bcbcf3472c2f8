"""Fuzzing the ignore-pattern matcher against ``git check-ignore``, the config file reader
and the ``pyvenv.cfg`` reader.

The matcher must give git's verdict for any pattern git accepts (one repository holds all
the generated names, and git is asked about all of them at once). The config reader must
turn any bytes into a ``Config`` or a ``ConfigError`` with the file's name, nothing else;
the ``pyvenv.cfg`` reader never raises and points at lines of the file.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from venvguard.checks.venvs import VENV_PROBES
from venvguard.config import Config, ConfigError, load_config
from venvguard.gitignore import IgnoreRules, compile_patterns
from venvguard.ignore_shortcuts import plainly_ignored, plainly_unignored
from venvguard.venvs import parse_pyvenv_cfg_text

from .fuzzing import PROFILE, line_count, texts

NAME_CHARS = "ab.*?[]!# \\é-"
#: Bracket expressions come only whole, from the tokens below: pathspec reads odd ones
#: (``[]?/]``, ``[[-?]``, ``[\\-?]``, ``[/?]``) differently from git, and nobody writes those.
PATTERN_CHARS = NAME_CHARS.replace("[", "").replace("]", "") + "/"


def names() -> st.SearchStrategy[str]:
    return st.text(NAME_CHARS, min_size=1, max_size=5).filter(lambda n: n not in {".", ".."})


def patterns() -> st.SearchStrategy[str]:
    token = st.one_of(
        st.text(PATTERN_CHARS, min_size=1, max_size=4),
        st.sampled_from(["*", "**", "**/", "/**", "[a-z]", "[!a]", "\\*", "\\!", "!", "#"]),
        st.sampled_from(["[ab]", "[?]", "[*]", "[!é]", "\\[", "\\]", "[.]", "[#]"]),
    )
    # Runs of three or more stars (``***/x``) are left out: git reads them in a way nobody
    # writes on purpose, and pathspec differently (a known, accepted difference).
    return st.lists(token, min_size=1, max_size=4).map("".join).filter(lambda p: "***" not in p)


def git_ignored(root: Path, candidates: list[str]) -> set[str]:
    completed = subprocess.run(
        ["git", "-C", str(root), "check-ignore", "--no-index", "-z", "--stdin"],
        input=b"\0".join(os.fsencode(n) for n in candidates) + b"\0",
        capture_output=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return {os.fsdecode(n) for n in completed.stdout.split(b"\0") if n}


@settings.get_profile(PROFILE)
@given(st.lists(patterns(), min_size=1, max_size=5), st.lists(names(), min_size=1, max_size=8))
@example(["?"], ["é"])  # git matches bytes: ? is one byte, é is two (found by fuzzing)
@example(["[é]", "b?"], ["é", "bé", "ba"])
@example(["\\/?", "\\/a"], ["?", "a"])  # a leading escaped slash anchors nothing to git
def test_matcher_agrees_with_git_check_ignore(lines: list[str], files: list[str]) -> None:
    content = "\n".join(lines) + "\n"
    files = sorted(set(files))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / ".gitignore").write_text(content, encoding="utf-8")
        for name in files:
            (root / name).write_bytes(b"")
        theirs = git_ignored(root, files)
    rules = IgnoreRules.from_files({".gitignore": content})
    ours = {name for name in files if rules.is_ignored(name, is_dir=False)}
    assert ours == theirs, content


@settings.get_profile(PROFILE)
@given(st.binary(max_size=200), st.text(max_size=30))
def test_any_ignore_file_compiles_and_matches_without_error(data: bytes, path: str) -> None:
    compile_patterns(data)
    rules = IgnoreRules.from_files({".gitignore": data, "sub/.gitignore": data[::-1]})
    for candidate in (path, "sub/" + path, path + "/x"):
        rules.is_ignored(candidate, is_dir=False)
        rules.is_ignored(candidate, is_dir=True)


CONFIG_TOKENS = [
    *["[tool.venvguard]\n", "[tool]\n", "venvguard = ", "[tool.venvguard.fresh]\n", "= ", "\n"],
    *["select = ", "ignore = ", "extend-select = ", "exclude = ", "venv-names = ", "strict = "],
    *["requirements = ", "python = ", "max-file-size = ", "allow-user-install = ", "true"],
    *[
        "[tool.venvguard.per-file-ignores]\n",
        '"*.sh" = ',
        "[tool.venvguard.install-outside-venv]\n",
    ],
    *["shell = ", "include = ", "exclude = ", "python-version = ", "allow-build = ", "platform = "],
    *['["VG3"]', '["ALL", "VG1"]', '["VG999"]', '"VG3"', "[]", "0", "-1", "1e9", "{}", "{ a = 1 }"],
    *["'", '"', "[", "]", ",", "#", "\x00", "\ufeff", "3.12", "2026-01-01T00:00:00Z", "inf", "nan"],
]


@settings.get_profile(PROFILE)
@given(texts(CONFIG_TOKENS), st.sampled_from(["pyproject.toml", "venvguard.toml"]))
def test_any_config_file_is_a_config_or_a_clear_error(text: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            config = load_config(root)
        except ConfigError as error:
            assert name in str(error)
        else:
            assert isinstance(config, Config)


PYVENV_TOKENS = [
    *["home = /usr/bin\n", "version = 3.12.1\n", "version_info = 3.13.0.final.0\n", "= x\n"],
    *["include-system-site-packages = false\n", "include-system-site-packages = maybe\n"],
    *["executable = /usr/bin/python3\n", "command = /usr/bin/python3 -m venv /x\n", "VERSION"],
    *["version = banana\n", "version = 99999999999999999999999.1\n", "[section]\n", "#", "="],
]


@settings.get_profile(PROFILE)
@given(texts(PYVENV_TOKENS))
def test_any_pyvenv_cfg_is_read_with_problems_on_real_lines(text: str) -> None:
    parsed = parse_pyvenv_cfg_text(text, Path("pyvenv.cfg"))
    for line, message in parsed.problems:
        assert 1 <= line <= line_count(text), (line, message)
        assert message


VENV_TOKENS = [".venv", "venv", "pyvenv.cfg", "/", "*", "**/", "?", "[.]", "\\.", "!", "#", " "]


def ignore_files() -> st.SearchStrategy[bytes]:
    line = st.one_of(patterns(), st.lists(st.sampled_from(VENV_TOKENS), max_size=3).map("".join))
    ending = st.sampled_from(["\n", "\r\n"])
    return st.lists(st.tuples(line, ending).map("".join), max_size=5).map(
        lambda lines: "".join(lines).encode()
    )


@settings.get_profile(PROFILE)
@given(ignore_files(), st.none() | ignore_files(), st.sampled_from([".venv", "v[e]nv", "venv*"]))
@example(b".venv/\n", None, ".venv")
@example(b"*.py[cod]\n__pycache__/\nlib/\n", None, ".venv")
@example(b"/\n", b"pyvenv.cf?\n", ".venv")
@example(b"/.venv\n", None, ".venv")  # a folder above the path
@example(b"", b"**/pyvenv.cfg\n", ".venv")  # `**/` may stand for no folder at all
@example(b"\xef\xbb\xbf.venv/\n", None, ".venv")  # a byte-order mark is not in the first line
@example(b".venv\\/pyvenv.cfg\n", None, ".venv")  # an escaped slash still anchors the pattern
@example(b".venv\t\n", None, ".venv")  # trailing whitespace other than spaces
@example(b".venv\xa0\n", None, ".venv")
@example(b".venv[!a]pyvenv.cfg\n", None, ".venv")  # a bracket may stand for the slash
@example(b"v[e]nv/\n", None, "v[e]nv")  # a name with glob characters is spelled by no line
def test_ignore_shortcuts_never_contradict_the_matcher(
    root: bytes, nested: bytes | None, folder: str
) -> None:
    files = {".gitignore": root}
    if nested is not None:
        files[f"{folder}/.gitignore"] = nested
    rules = IgnoreRules.from_files(files)
    if plainly_unignored(f"{folder}/pyvenv.cfg", files):
        assert not rules.is_ignored(f"{folder}/pyvenv.cfg", is_dir=False)
    if plainly_ignored(folder, files):
        assert rules.all_ignored(f"{folder}/{probe}" for probe in VENV_PROBES)
