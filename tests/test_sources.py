"""Sources: which files are which kind, and where each line of their shell code comes from."""

from __future__ import annotations

import json

import pytest

from venvguard.shell.analyser import Analyser
from venvguard.sources.registry import kind_of_name, kind_of_text, needs_content, reader


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("install.sh", "shell"),
        ("lib/x.bash", "shell"),
        ("rc.zsh", "shell"),
        ("build.ksh", "shell"),
        ("Dockerfile", "dockerfile"),
        ("docker/dockerfile", "dockerfile"),
        ("Dockerfile.prod", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Makefile", "makefile"),
        ("GNUmakefile", "makefile"),
        ("rules.mk", "makefile"),
        (".github/workflows/ci.yaml", "github-workflow"),
        ("sub/.github/workflows/ci.yml", "github-workflow"),
        ("action.yml", "github-action"),
        (".github/actions/setup/action.yaml", "github-action"),
        (".gitlab-ci.yml", "gitlab-ci"),
        (".circleci/config.yml", "circleci"),
        ("tox.ini", "tox"),
        ("README.md", "markdown"),
        ("docs/index.rst", "rst"),
        ("nb/analysis.ipynb", "notebook"),
        ("setup.ps1", "powershell"),
        ("setup.bat", "batch"),
        ("setup.cmd", "batch"),
        ("setup.py", None),
        ("config.yml", None),
        ("other/workflows/ci.yml", None),
    ],
)
def test_kind_by_name(path: str, kind: str | None) -> None:
    assert kind_of_name(path) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("#!/bin/bash\n", "shell"),
        ("#!/usr/bin/env -S bash -e\n", "shell"),
        ("#!/bin/sh\n", "shell"),
        ("#!/usr/bin/zsh\n", "shell"),
        ("#!/usr/bin/env python3\n", None),
        ("echo hi\n", None),
    ],
)
def test_kind_by_shebang(text: str, kind: str | None) -> None:
    assert kind_of_text(text) == kind


def test_only_files_without_extension_need_their_content() -> None:
    assert needs_content("bin/setup")
    assert needs_content(".envrc") is False or kind_of_name(".envrc") == "shell"
    assert not needs_content("notes.txt")


def lines(kind: str, text: str) -> list[tuple[int, int, str]]:
    """(line, column, best rule) of every finding in a file of ``kind``."""
    analyser = Analyser(outside_venv=True)
    analyser.run(reader(kind)("file", text))
    found = []
    for hit in analyser.hits.values():
        rules = [code for code, _ in hit.rules if code not in {"VG306", "VG307"}]
        if rules:
            found.append((hit.line, hit.column, rules[0]))
    return sorted(found)


def test_dockerfile_continuations_comments_flags_heredocs_and_exec_form() -> None:
    text = (
        "FROM python:3.12\n"  # 1
        "RUN --mount=type=cache,target=/root/.cache apt-get update \\\n"  # 2
        "    # a comment inside the continuation\n"  # 3
        "\n"  # 4
        "    && sudo pip install a\n"  # 5
        'RUN ["pip", "install", "--user", "b"]\n'  # 6
        "RUN <<EOF\n"  # 7
        "  pip install --break-system-packages c\n"  # 8
        "EOF\n"  # 9
        "COPY <<EOF /x\n"  # 10
        "sudo pip install d\n"  # 11
        "EOF\n"  # 12
        "ENV PIP_USER=1\n"  # 13
        "RUN pip install e\n"  # 14
        "FROM python:3.12 AS other\n"  # 15
        "RUN pip install f\n"  # 16
    )
    assert lines("dockerfile", text) == [
        (5, 8, "VG301"),
        (6, 5, "VG302"),
        (8, 3, "VG303"),
        (14, 5, "VG302"),
        (16, 5, "VG305"),
    ]


def test_dockerfile_escape_directive_and_venv_from_env() -> None:
    text = (
        "# escape=`\n"
        "FROM x\n"
        "ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\n"
        "RUN pip install `\n"
        "    --user a\n"
        "RUN pip install b\n"
    )
    assert lines("dockerfile", text) == [(4, 5, "VG302")]


def test_makefile_recipes_prefixes_variables_and_shells() -> None:
    text = (
        "PIP := sudo pip\n"  # 1
        "VENV = .venv\n"  # 2
        "a:\n"  # 3
        "\t@-$(PIP) install x\n"  # 4
        "\t. $(VENV)/bin/activate\n"  # 5
        "\tpip install y\n"  # 6
        "\t$(VENV)/bin/pip install z\n"  # 7
        "\techo $$HOME && \\\n"  # 8
        "\t  pip install --user w\n"  # 9
        "b: ; pip install --break-system-packages v\n"  # 10
    )
    assert lines("makefile", text) == [
        (4, 4, "VG301"),
        (6, 2, "VG305"),
        (9, 4, "VG302"),
        (10, 6, "VG303"),
    ]


def test_workflow_block_scalars_keep_lines_and_columns() -> None:
    text = (
        "on: push\n"
        "env:\n"
        "  PIP_USER: '1'\n"
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: |\n"
        "          echo ${{ matrix.x }}\n"
        "          pip install a\n"
        "      - run: 'sudo pip install b'\n"
        "      - shell: python\n"
        "        run: print('sudo pip install c')\n"
    )
    assert lines("github-workflow", text) == [(10, 11, "VG302"), (11, 15, "VG301")]


def test_markdown_fences_sessions_and_containers() -> None:
    text = (
        "# Title\n"  # 1
        "```console\n"  # 2
        "$ sudo pip install a\n"  # 3
        "sudo pip install output-line\n"  # 4
        "```\n"  # 5
        "- item\n"  # 6
        "  ```bash\n"  # 7
        "  pip install --user b\n"  # 8
        "  ```\n"  # 9
        "> ```sh\n"  # 10
        "> pip install --break-system-packages c\n"  # 11
        "> ```\n"  # 12
        "```python\n"  # 13
        "sudo pip install d\n"  # 14
        "```\n"  # 15
    )
    assert lines("markdown", text) == [(3, 3, "VG301"), (8, 3, "VG302"), (11, 3, "VG303")]


def test_markdown_untyped_and_indented_blocks_keep_only_command_lines() -> None:
    text = (
        "Install:\n\n"  # 1-2
        "    sudo pip install a\n\n"  # 3-4
        "```\nNote: never `sudo pip install b`\npip install --user c\n```\n"  # 5-8
        "```{note}\nsudo pip install d\n```\n"  # 9-11
    )
    assert lines("markdown", text) == [(3, 5, "VG301"), (7, 1, "VG302")]


def test_notebook_lines_point_into_the_json_file() -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["!sudo pip install no\n"]},
            {
                "cell_type": "code",
                "source": ["%pip install fine\n", "x = 1\n", "!sudo pip install a\n"],
            },
            {"cell_type": "code", "source": ["%%bash\n", "pip install --user b\n"]},
        ]
    }
    text = json.dumps(notebook, indent=1)
    found = lines("notebook", text)
    numbered = text.split("\n")
    assert [rule for _, _, rule in found] == ["VG301", "VG302"]
    assert "!sudo pip install a" in numbered[found[0][0] - 1]
    assert "pip install --user b" in numbered[found[1][0] - 1]


def test_gitlab_jobs_share_a_shell_with_before_script() -> None:
    text = (
        "default:\n"
        "  before_script:\n"
        "    - source venv/bin/activate\n"
        "job:\n"
        "  script:\n"
        "    - pip install a\n"
        "other:\n"
        "  before_script: []\n"
        "  script:\n"
        "    - pip install b\n"
    )
    assert lines("gitlab-ci", text) == [(10, 7, "VG305")]


def test_powershell_and_batch_lines() -> None:
    ps = "$env:PIP_USER = '1'\npip install a  # sudo pip install b\n<#\nsudo pip install c\n#>\n"
    assert lines("powershell", ps) == [(2, 1, "VG302")]
    bat = "@echo off\r\nREM sudo pip install x\r\ncall venv\\Scripts\\activate\r\npip install a\r\n"
    assert lines("batch", bat) == []
