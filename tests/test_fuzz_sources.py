"""Fuzzing every source of shell code (VG3): no exception escapes, positions stay in the file.

Each example writes one generated file into a plain folder and runs the install checks on
it exactly as ``venvguard check FILE`` would: the file is read, split into snippets by its
source module and analysed. Whatever the content, the run ends with findings and notices
whose lines are lines of that file.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from venvguard.checks import installs
from venvguard.config import Config
from venvguard.context import Context
from venvguard.findings import Finding, Notice
from venvguard.project import Project
from venvguard.rules import RULES

from .fuzzing import PROFILE, line_count, texts

ALL_CODES = frozenset(RULES)

SHELL_TOKENS = [
    *["if true; then\n", "fi\n", "for i in a b; do\n", "done\n", "case $x in\n", "a) ;;\n"],
    *["esac\n", "f() {\n", "}\n", "x=$(pip install a)\n", "`pip install b`", "(( 1 ))"],
    *["[[ -n $x ]]", "<<'EOF';", "<<-EOF\n", "\tEOF\n", "$((", "${x:-", "arr=(a b)", "&"],
    *["sudo ", "doas ", "su -c '", "env ", "VIRTUAL_ENV=/v ", "exec ", "nohup ", "\\"],
]
DOCKER_TOKENS = [
    *["FROM python:3.12\n", "RUN ", "RUN --mount=type=cache ", "ENV ", "ARG ", "USER root\n"],
    *["# escape=`\n", "# syntax=docker/dockerfile:1\n", 'RUN ["pip", "install", "x"]\n'],
    *["RUN <<EOF\n", "EOF\n", 'SHELL ["pwsh", "-c"]\n', " \\\n", "`\n", "ONBUILD RUN "],
    *["$PIP_FLAGS", "${A:-b}", "WORKDIR /app\n", "COPY . .\n", "FROM a AS b\n"],
]
YAML_TOKENS = [
    *["jobs:\n", "  build:\n", "    steps:\n", "      - run: ", "      - run: |\n"],
    *["          ", "      - run: >\n", "        shell: pwsh\n", "    env:\n", "      A: b\n"],
    *["&a ", "*a", "<<: *a\n", "!reference [a, b]", "- ", ": ", "? ", "---\n", "...\n"],
    *["script:\n", "  - ", "before_script:\n", "runs:\n", "  using: composite\n"],
    *["${{ matrix.x }}", "${{", "}}", "|-\n", ">+\n", "'", '"', "{", "}", "[", "]", "\t"],
    *["version: 2.1\n", "commands:\n", "  - run:\n", "      command: ", "%YAML 1.1\n"],
]
MAKE_TOKENS = [
    *["all:\n", "\t", "\t@", "\t-", ".ONESHELL:\n", "install: deps\n", "$(MAKE) ", "$$x"],
    *["define X\n", "endef\n", "ifeq ($(A),b)\n", "endif\n", "export PIP_USER=1\n", "\\\n"],
    *["SHELL := /bin/bash\n", "$(shell pip install a)", ".RECIPEPREFIX = >\n", "> "],
]
MARKDOWN_TOKENS = [
    *["```\n", "```bash\n", "```sh\n", "~~~\n", "```console\n", "$ ", "> ", "- ", "1. "],
    *["    ", "```python\n", "```dockerfile\n", "<!-- venvguard: ignore -->\n", "# Title\n"],
    *["```{code-block} bash\n", "````\n", "```powershell\n", ">>> ", "%pip install x\n"],
]
RST_TOKENS = [
    *[".. code-block:: bash\n", ".. code:: sh\n", "\n", "   ", "::\n", ".. prompt:: bash $\n"],
    *["   $ ", "Title\n=====\n", ".. sourcecode:: console\n", "  :caption: x\n"],
]
TOX_TOKENS = [
    *["[tox]\n", "[testenv]\n", "commands =\n", "    ", "commands_pre =\n", "allowlist_externals"],
    *["[testenv:lint]\n", "install_command = ", "{posargs}", "{envpython}", "\\\n", "; c\n"],
]
POWERSHELL_TOKENS = ["`\n", "& ", "$env:PIP_USER=1\n", "python -m pip install x\n", "; ", "@'\n"]
BATCH_TOKENS = ["@echo off\n", "^\n", "set PIP_USER=1\n", "call ", "REM x\n", "&& ", "%VAR%"]
CI_TOKENS = [
    *YAML_TOKENS,
    *["install:\n", "before_install:\n", "  - sudo pip install a\n", "env:\n", "  global:\n"],
    *["    - PIP_USER=1 A='b c'\n", "jobs:\n  include:\n", "    - os: osx\n", "deploy:\n"],
    *["  provider: script\n", "variables:\n", "  - name: A\n", "    value: $(b)\n", "$(", "$["],
    *["pool:\n  vmImage: windows-latest\n", "  - task: Bash@3\n", "    inputs:\n", "##vso["],
    *["  - cmd: ", "  - ps: ", "for:\n", "  matrix:\n", "image: Ubuntu\n", "environment:\n"],
    *["pipelines:\n", "  default:\n", "    - step:\n", "        script:\n", "parallel:\n"],
]
TOX_TOML_TOKENS = [
    *["[env_run_base]\n", "[env.lint]\n", "[tool.tox.env_run_base]\n", "commands = [", "[", "]"],
    *['"pip", ', '"install", ', '"--user", ', '"sudo", ', '{ replace = "posargs" }', ",\n"],
    *["commands_pre = ", "install_command = ", '"{env_python}"', "# c\n", "'x'", "\n"],
]
PYPROJECT_TOKENS = [
    "[tool.tox]\n",
    'legacy_tox_ini = """\n',
    '"""\n',
    "'''",
    *TOX_TOKENS,
    *TOX_TOML_TOKENS,
]

#: file name -> tokens of its kind.
KINDS: dict[str, list[str]] = {
    "install.sh": SHELL_TOKENS,
    "scripts/run": ["#!/bin/bash\n", "#!/usr/bin/env sh\n", *SHELL_TOKENS],
    "Dockerfile": DOCKER_TOKENS,
    "Containerfile.dev": DOCKER_TOKENS,
    "Makefile": MAKE_TOKENS,
    ".github/workflows/ci.yml": YAML_TOKENS,
    "action.yml": YAML_TOKENS,
    ".gitlab-ci.yml": YAML_TOKENS,
    ".circleci/config.yml": YAML_TOKENS,
    "tox.ini": TOX_TOKENS,
    "tox.toml": TOX_TOML_TOKENS,
    "README.md": [*MARKDOWN_TOKENS, *SHELL_TOKENS],
    "docs/index.rst": [*RST_TOKENS, *SHELL_TOKENS],
    "setup.ps1": POWERSHELL_TOKENS,
    "setup.bat": BATCH_TOKENS,
    ".travis.yml": CI_TOKENS,
    "azure-pipelines.yml": CI_TOKENS,
    "appveyor.yml": CI_TOKENS,
    "bitbucket-pipelines.yml": CI_TOKENS,
    ".gitlab/ci/jobs.yml": CI_TOKENS,
    "setup.cfg": ["[tox:tox]\n", "[metadata]\n", *TOX_TOKENS],
    "pyproject.toml": PYPROJECT_TOKENS,
}


def check_one_file(name: str, data: bytes) -> tuple[list[Finding | Notice], str | None]:
    """Run the VG3 checks on a folder holding only ``name``; what they yield, and its text."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        project = Project(root=root, is_git=False)
        ctx = Context(project=project, config=Config(), selected=ALL_CODES, paths=(name,))
        items = list(installs.run(ctx))
        return items, project.read_text(name).text


def assert_inside(items: list[Finding | Notice], name: str, text: str | None) -> None:
    lines = line_count(text) if text is not None else 1
    for item in items:
        assert item.path == name, item
        if item.line is not None:
            assert 1 <= item.line <= lines, (item, lines)
        if isinstance(item, Finding):
            assert item.column is None or item.column >= 1, item
            if item.end_line is not None and item.line is not None:
                assert item.line <= item.end_line <= lines, (item, lines)
            assert item.message.strip(), item


@settings.get_profile(PROFILE)
@given(st.sampled_from(sorted(KINDS)), st.data())
def test_every_source_survives_generated_text(name: str, data: st.DataObject) -> None:
    text = data.draw(texts(KINDS[name]), label="text")
    items, read = check_one_file(name, text.encode("utf-8", "surrogatepass"))
    assert_inside(items, name, read)


@settings.get_profile(PROFILE)
@given(st.sampled_from(sorted(KINDS)), st.binary(max_size=300))
def test_every_source_survives_arbitrary_bytes(name: str, data: bytes) -> None:
    items, read = check_one_file(name, data)
    assert_inside(items, name, read)


def _json_values() -> st.SearchStrategy[object]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=12,
    )


@st.composite
def notebooks(draw: st.DrawFn) -> str:
    """Notebook JSON, from well formed to nonsense, with install lines in its cells."""
    source_lines = st.lists(
        st.one_of(st.sampled_from(["!pip install x\n", "%pip install y\n"]), texts(SHELL_TOKENS)),
        max_size=5,
    )
    cell = st.fixed_dictionaries(
        {
            "cell_type": st.sampled_from(["code", "markdown", "raw", 3]),
            "source": st.one_of(source_lines, source_lines.map("".join), _json_values()),
        },
        optional={"metadata": _json_values(), "outputs": _json_values()},
    )
    document = st.one_of(
        st.fixed_dictionaries(
            {"cells": st.lists(st.one_of(cell, _json_values()), max_size=4)},
            optional={"nbformat": _json_values(), "metadata": _json_values()},
        ),
        _json_values(),
    )
    indent = draw(st.sampled_from([None, 1, 2, "\t"]))
    text = json.dumps(draw(document), indent=indent, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):  # cut short, as a crashed editor leaves it
        text = text[: draw(st.integers(0, len(text)))]
    return text


@settings.get_profile(PROFILE)
@given(notebooks())
def test_notebooks_of_any_shape_survive(text: str) -> None:
    items, read = check_one_file("analysis.ipynb", text.encode("utf-8", "surrogatepass"))
    assert_inside(items, "analysis.ipynb", read)
