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
        ("Dockerfile-dev", "dockerfile"),
        ("Dockerfile_gpu", "dockerfile"),
        ("dockerfile.j2", "dockerfile"),
        ("Containerfile.fedora", "dockerfile"),
        ("docker/CPUDockerfile", "dockerfile"),
        ("GPUContainerfile.cuda", "dockerfile"),
        ("scripts/generate-dockerfile", None),  # a script that writes one
        # Code and docs about Dockerfiles are not Dockerfiles.
        ("tools/dockerfile.py", None),
        ("pkg/dockerfile_test.go", None),
        ("dockerfiles.json", None),
        ("Dockerfile.md", "markdown"),
        ("docker/Dockerfile.sh", "shell"),
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


def lines(
    kind: str, text: str, outside_venv: bool = True, path: str = "file"
) -> list[tuple[int, int, str]]:
    """(line, column, best rule) of every finding in a file of ``kind``."""
    analyser = Analyser(outside_venv=outside_venv)
    analyser.run(reader(kind)(path, text))
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


def test_dockerfile_run_with_two_heredocs_runs_both_shells() -> None:
    text = (
        "FROM x\n"
        "RUN <<A bash && <<B sh\n"
        "sudo pip install a\n"  # 3
        "A\n"
        "sudo pip install b\n"  # 5
        "B\n"
        "RUN <<C python3 && <<D cat > /x\n"
        "import os\n"
        "C\n"
        "sudo pip install d\n"  # data
        "D\n"
    )
    assert lines("dockerfile", text, outside_venv=False) == [(3, 1, "VG301"), (5, 1, "VG301")]


def test_dockerfile_cmd_and_entrypoint_run_when_the_container_starts() -> None:
    text = (
        "FROM python:3.12\n"
        "ENV PIP_USER=1\n"
        "CMD pip install a && python app.py\n"  # 3
        'ENTRYPOINT ["sudo", "pip", "install", "b"]\n'  # 4
        "cmd pip install \\\n"  # 5
        "    --break-system-packages c\n"
        "ONBUILD CMD pip install d\n"  # 7
        'CMD ["python", "app.py"]\n'
        'LABEL run="pip install --user e"\n'
        "HEALTHCHECK CMD curl -f http://localhost/\n"
        "CMD cat <<EOF\n"  # only RUN, COPY and ADD take heredocs
        "RUN sudo pip install f\n"  # 12
    )
    assert lines("dockerfile", text, outside_venv=False) == [
        (3, 5, "VG302"),
        (4, 12, "VG301"),
        (5, 5, "VG303"),
        (7, 13, "VG302"),
        (12, 5, "VG301"),
    ]


def test_dockerfile_instructions_end_at_any_blank_or_an_escape() -> None:
    text = (
        "FROM python:3.12\n"
        "RUN\tsudo pip install a\n"  # 2
        "ENV\tPIP_BREAK_SYSTEM_PACKAGES=1\n"
        "RUN pip install b\n"  # 4
        "RUN\\\n"
        "    pip install --user c\n"  # 6
        "onbuild\tRUN\tsudo pip install d\n"  # 7
    )
    assert lines("dockerfile", text, outside_venv=False) == [
        (2, 5, "VG301"),
        (4, 5, "VG303"),
        (6, 5, "VG303"),
        (7, 13, "VG301"),
    ]


def test_dockerfile_onbuild_env_is_for_the_onbuild_triggers_only() -> None:
    text = (
        "FROM python:3.12\n"
        "ONBUILD ENV PIP_USER=1\n"
        "RUN pip install a\n"  # 3: this image's build does not have it
        "ONBUILD RUN pip install b\n"  # 4: a child's build does
    )
    assert lines("dockerfile", text, outside_venv=False) == [(4, 13, "VG302")]


def test_dockerfile_directives_end_at_the_first_empty_line() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "\n"
        "# escape=`\n"  # 3: a comment by now, as docker reads it
        "FROM x\n"
        "RUN pip install \\\n"  # 5
        "    --user a\n"
    )
    assert lines("dockerfile", text) == [(5, 5, "VG302")]
    # One directive after another is still read.
    text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN pip install `\n --user a\n"
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


def test_makefile_columns_count_what_make_expands_as_written() -> None:
    text = (
        "X := echo aaaaaaaaaaaaaaaaaaaa\n"  # 1
        "a:\n"  # 2
        "\techo $$HOME $$HOME; sudo pip install x\n"  # 3
        "\t$(X); sudo pip install y\n"  # 4
        "\t${X} && echo $$$$ && \\\n"  # 5
        "  pip install --user z\n"  # 6: no tab, nothing taken off
        "\t$(X) $(X) ; sudo pip install w\n"  # 7
    )
    assert lines("makefile", text) == [
        (3, 22, "VG301"),
        (4, 8, "VG301"),
        (6, 3, "VG302"),
        (7, 14, "VG301"),
    ]


def test_makefile_option_set_under_a_condition_only_to_stage_is_not_taken() -> None:
    text = (
        "PREFIX ?= /usr/local\n"
        "ifdef DESTDIR\n"
        'SETUPTOOLSOPTS = --root="$(DESTDIR)"\n'
        "endif\n"
        "ifeq ($(OS),Windows_NT)\n"
        "SUDO =\n"
        "else\n"
        "SUDO = sudo\n"
        "endif\n"
        "install:\n"
        '\tpython3 setup.py install --prefix="$(PREFIX)" $(SETUPTOOLSOPTS)\n'  # 11
        "\t$(SUDO) pip install x\n"  # 12
    )
    assert lines("makefile", text) == [(11, 2, "VG304"), (12, 2, "VG301")]


def test_makefile_export_alone_exports_every_variable() -> None:
    recipe = "a:\n\tpip install a\n"  # line 4
    assert lines("makefile", "export\nPIP_USER = 1\n" + recipe) == [(4, 2, "VG302")]
    assert lines("makefile", ".EXPORT_ALL_VARIABLES:\nPIP_USER = 1\n" + recipe) == [(4, 2, "VG302")]
    # The last bare export or unexport of the file holds for every recipe.
    assert lines("makefile", "export\nPIP_USER = 1\nunexport\n" + recipe) == [(5, 2, "VG305")]
    unexported = "export\nPIP_USER = 1\nunexport PIP_USER\n" + recipe
    assert lines("makefile", unexported) == [(5, 2, "VG305")]


def test_makefile_shell_function_runs_when_a_simple_variable_is_set() -> None:
    text = (
        "X := $(shell sudo pip install a)\n"  # 1
        "Y != pip install --user b\n"  # 2
        "Z = $(shell sudo pip install c)\n"  # 3: runs only where it is used, never here
        "$(info $(shell pip install --break-system-packages d))\n"  # 4
        "t:\n"
        "\techo $(X) $(Y)\n"  # 6: their output by now, nothing runs again
        "\techo $(Z)\n"  # 7: runs here, in the reference $(Z) at columns 7-10
        "PY := $(shell command -v python3)\n"
        "u:\n"
        "\t$(PY) -m pip install --user e\n"  # 10: a Python not known here, running pip
    )
    assert lines("makefile", text) == [
        (1, 14, "VG301"),
        (2, 6, "VG302"),
        (4, 16, "VG303"),
        (7, 9, "VG301"),
        (10, 2, "VG302"),
    ]


def test_makefile_foreach_and_if_in_recipes_expand_as_make_does() -> None:
    text = (
        "PKGS := a b\n"  # 1
        "PY := python3\n"  # 2
        "ON := yes\n"  # 3
        "x:\n"
        "\t$(foreach p,$(PKGS),sudo pip install $(p);)\n"  # 5
        "\techo && $(foreach p,$(PKGS),$(PY) -m pip install --user $(p);)\n"  # 6
        "\t$(if $(CI),sudo pip install ci-only,true)\n"  # 7: CI unknown: either may run
        "\t$(if $(ON),true,sudo pip install never)\n"  # 8: ON is set: never the else
        "\t$(if $(OFF),true,pip install --user else-runs)\n"  # 9: OFF is empty
        "\tpip install $(if $(ON),--user,) c\n"  # 10
        "\t$(foreach p,$(NONE),echo $(p);)\n"  # 11: nothing to install, no notice
    )
    assert lines("makefile", text) == [
        (5, 2, "VG301"),
        (6, 10, "VG302"),
        (7, 2, "VG301"),
        (9, 2, "VG302"),
        (10, 2, "VG302"),
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


def test_ci_expressions_stand_for_values_not_known_here() -> None:
    text = (
        "on: push\n"
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: sudo -H ${{ inputs.python }} -m pip install a\n"  # 6
        "      - run: ${{ matrix.python }} -m pip install --user b\n"  # 7
        "      - run: pip install ${{ matrix.pkg }} && echo ${{ github.sha }}\n"
        "      - run: ${{ matrix.cmd }} install c\n"
    )
    assert lines("github-workflow", text, outside_venv=False) == [
        (6, 14, "VG301"),
        (7, 14, "VG302"),
    ]
    gitlab = "job:\n  script:\n    - $[[ inputs.python ]] -m pip install --user d\n"
    assert lines("gitlab-ci", gitlab, outside_venv=False, path=".gitlab-ci.yml") == [
        (3, 7, "VG302")
    ]


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


def test_a_yaml_key_given_twice_has_its_last_value() -> None:
    text = (
        "job:\n"
        "  script:\n"
        "    - pip install --user first\n"  # 3: replaced by the second script
        "  script:\n"
        "    - sudo pip install second\n"  # 5
    )
    assert lines("gitlab-ci", text) == [(5, 7, "VG301")]


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


def test_workflow_folded_plain_and_quoted_scalars_point_at_the_command_line() -> None:
    text = (
        "on: push\n"  # 1
        "jobs:\n"  # 2
        "  t:\n"  # 3
        "    runs-on: ubuntu-latest\n"  # 4
        "    steps:\n"  # 5
        "      - run: >\n"  # 6
        "          sudo pip install\n"  # 7
        "          --upgrade a\n"  # 8
        "      - run: >-\n"  # 9
        "          echo start &&\n"  # 10
        "          pip install --user b\n"  # 11
        "      - run: echo c &&\n"  # 12
        "          sudo pip install c\n"  # 13
        '      - run: "echo \\"d\\" && sudo pip install d"\n'  # 14
        "      - run: 'echo ''e'' && pip install --user e'\n"  # 15
        "      - run: >\n"  # 16
        "          echo f\n"  # 17
        "\n"  # 18
        "            sudo pip install f\n"  # 19
    )
    assert lines("github-workflow", text, outside_venv=False) == [
        (7, 11, "VG301"),
        (11, 11, "VG302"),
        (13, 11, "VG301"),
        (14, 29, "VG301"),
        (15, 29, "VG302"),
        (19, 13, "VG301"),
    ]


def test_folded_scalar_is_one_command_as_the_runner_sees_it() -> None:
    text = (
        "runs:\n"
        "  using: composite\n"
        "  steps:\n"
        "    - shell: bash\n"
        "      run: >\n"
        "        echo sudo pip install\n"
        "        x\n"
    )
    assert lines("github-action", text, outside_venv=False) == []


def test_workflow_shells_by_program_name() -> None:
    text = (
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - shell: powershell.exe -command \". '{0}'\"\n"  # 5
        "        run: pip install --user a\n"  # 6
        "      - shell: micromamba-shell {0}\n"  # 7
        "        run: sudo pip install b\n"  # 8
        "      - shell: Rscript {0}\n"  # 9
        "        run: system('sudo pip install c')\n"  # 10
        "      - shell: /usr/bin/python3 {0}\n"  # 11
        "        run: import os; os.system('sudo pip install d')\n"  # 12
        "      - shell: pixi run -e docs bash -e {0}\n"  # 13
        "        run: uv pip install --system e\n"  # 14
        "      - shell: conda run -n test bash -el {0}\n"  # 15
        "        run: pip install --user f\n"  # 16
        "      - shell: conda run -n test python {0}\n"  # 17
        "        run: print('sudo pip install g')\n"  # 18
    )
    assert lines("github-workflow", text, outside_venv=False) == [
        (6, 14, "VG302"),
        (8, 14, "VG301"),
        (14, 14, "VG304"),
        (16, 14, "VG302"),
    ]


def test_workflow_github_env_carries_to_later_steps_of_the_job() -> None:
    text = (
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: uv pip install a\n"  # 5
        '      - run: echo "UV_SYSTEM_PYTHON=1" >> $GITHUB_ENV\n'  # 6
        "      - run: uv pip install b\n"  # 7
        "      - run: |\n"  # 8
        '          echo PIP_BREAK_SYSTEM_PACKAGES=true >> "${GITHUB_ENV}"\n'  # 9
        "      - run: pip install c\n"  # 10
        "  u:\n"
        "    runs-on: windows-latest\n"
        "    steps:\n"
        "      - run: pip install d\n"  # 14
        "      - run: '\"PIP_USER=1\" | Out-File -FilePath $env:GITHUB_ENV -Append'\n"  # 15
        "      - run: pip install e\n"  # 16
    )
    assert lines("github-workflow", text, outside_venv=False) == [
        (7, 14, "VG304"),
        (10, 14, "VG303"),
        (16, 14, "VG302"),
    ]


def test_circleci_parameters_bash_env_and_windows_shell() -> None:
    text = (
        "version: 2.1\n"
        "commands:\n"
        "  setup:\n"
        "    steps:\n"
        "      - run: sudo pip install << parameters.extra >>\n"  # 5
        "jobs:\n"
        "  build:\n"
        "    steps:\n"
        "      - run: echo 'export PIP_USER=1' >> $BASH_ENV\n"  # 9
        "      - run: pip install a\n"  # 10
        "      - run:\n"
        "          shell: powershell.exe\n"
        "          command: pip install --user << pipeline.parameters.pkg >>\n"  # 13
        "  other:\n"
        "    steps:\n"
        "      - run: pip install b\n"  # 16
    )
    analyser = Analyser(outside_venv=False)
    analyser.run(reader("circleci")("file", text))
    assert not analyser.problems
    assert lines("circleci", text, outside_venv=False) == [
        (5, 14, "VG301"),
        (10, 14, "VG302"),
        (13, 20, "VG302"),
    ]


def test_gitlab_component_header_inputs_and_hooks() -> None:
    text = (
        "spec:\n"
        "  inputs:\n"
        "    extra:\n"
        "      default: ''\n"
        "---\n"
        "lint:\n"
        "  hooks:\n"
        "    pre_get_sources_script:\n"
        "      - sudo pip install a\n"  # 9
        "  script:\n"
        "    - sudo pip install $[[ inputs.extra ]] b\n"  # 11
        "    - >\n"
        "      pip install\n"  # 13
        "      --user c\n"
    )
    assert lines("gitlab-ci", text, outside_venv=False) == [
        (9, 9, "VG301"),
        (11, 7, "VG301"),
        (13, 7, "VG302"),
    ]


def test_tox_factor_conditions_are_not_commands() -> None:
    text = (
        "[testenv]\n"
        "commands_pre =\n"
        "    linux: sudo pip install a\n"  # 3
        "    py38,py39: pip install --break-system-packages b\n"  # 4
        "    !win: pip install --user c\n"  # 5
        "    py3{8,9}-linux: sudo -H pip install d\n"  # 6
        "commands = lint: pip install --user e\n"  # 7
        "    python -c 'print(1)'\n"
    )
    assert lines("tox", text, outside_venv=False) == [
        (3, 12, "VG301"),
        (4, 16, "VG303"),
        (5, 11, "VG302"),
        (6, 21, "VG301"),
        (7, 18, "VG302"),
    ]


def test_doc_sessions_with_more_prompt_shapes_and_prompt_less_console_blocks() -> None:
    text = (
        "```console\n"  # 1
        "[user@host ~]$ sudo pip install a\n"  # 2
        "```\n"
        "```doscon\n"  # 4
        "C:\\Users\\me> py -m pip install --user b\n"  # 5
        "Collecting b\n"
        "```\n"
        "```cmd\n"  # 8
        "C:\\> pip install --user c\n"  # 9
        "```\n"
        "```ps1con\n"  # 11
        "PS> pip install --user d\n"  # 12
        "```\n"
        "```console\n"  # 14
        "sudo -H pip3 install e\n"  # 15
        "Successfully installed e\n"
        "```\n"
    )
    assert lines("markdown", text, outside_venv=False) == [
        (2, 16, "VG301"),
        (5, 14, "VG302"),
        (9, 6, "VG302"),
        (12, 5, "VG302"),
        (15, 1, "VG301"),
    ]


def test_doc_sessions_follow_the_continuation_prompt() -> None:
    text = (
        "```console\n"
        "$ sudo \\\n"  # 2
        "> pip install a\n"
        "$ python -m pip install \\\n"  # 4
        ">   --user \\\n"
        ">   b\n"
        "$ echo 'one\n"  # 7: an open quote, continued
        "> two' && sudo pip install c\n"  # 8
        "Collecting c\n"
        "> not a prompt: output\n"
        "```\n"
    )
    assert lines("markdown", text, outside_venv=False) == [
        (2, 3, "VG301"),
        (4, 3, "VG302"),
        (8, 11, "VG301"),
    ]


def test_doc_placeholders_are_words_and_prompted_plain_text_blocks_are_sessions() -> None:
    text = (
        ".. code-block:: bash\n"  # 1
        "\n"
        "   cd <repository>\n"  # 3
        "\n"
        "   sudo pip install -e .\n"  # 5
        "\n"
        ".. code-block:: none\n"  # 7
        "\n"
        "   $ pip install --user flask\n"  # 9
        "   Successfully installed sudo pip install nothing\n"  # 10: output
        "\n"
        ".. code-block:: text\n"  # 12
        "\n"
        "   sudo pip install prose-without-prompts\n"  # 14: no prompt, not a session
    )
    assert lines("rst", text, outside_venv=False) == [(5, 4, "VG301"), (9, 6, "VG302")]
    session = (
        "```shell\n"  # 1
        "sudo pip install first-line-is-no-output\n"  # 2
        "cifar$ bash run.sh\n"  # 3
        "```\n"
        "```console\n"  # 5
        "$ cd <project dir>\n"  # 6
        "$ pip install --user foo\n"  # 7
        "```\n"
    )
    assert lines("markdown", session, outside_venv=False) == [(2, 1, "VG301"), (7, 3, "VG302")]


def test_rst_parsed_literal_and_prompt_less_console() -> None:
    text = (
        ".. parsed-literal::\n"  # 1
        "\n"
        "   pip install --user a==\\ |version|\n"  # 3
        "\n"
        ".. code-block:: console\n"  # 5
        "   :substitutions:\n"
        "\n"
        "   sudo -H pip3 install --upgrade b==|version|\n"  # 8
        "\n"
        ".. parsed-literal::\n"  # 10
        "\n"
        "   Never run sudo pip install c.\n"  # 12
    )
    assert lines("rst", text, outside_venv=False) == [(3, 4, "VG302"), (8, 4, "VG301")]


def test_rst_highlight_sets_the_language_of_later_literal_blocks() -> None:
    text = (
        ".. highlight:: none\n"  # 1
        "\n"
        "Run::\n"  # 3
        "\n"
        "    sudo pip install plain-text-after-highlight-none\n"  # 5
        "\n"
        ".. code-block::\n"  # 7: no language: the highlight one
        "\n"
        "    sudo pip install also-plain\n"  # 9
        "\n"
        ".. highlight:: console\n"  # 11
        "\n"
        "::\n"  # 13
        "\n"
        "    $ pip install --user a\n"  # 15
        "    Successfully installed sudo pip install nothing\n"  # 16: output
        "\n"
        ".. highlight:: python\n"  # 18: Sphinx falls back when a block is no Python
        "\n"
        "::\n"  # 20
        "\n"
        "    sudo pip install b\n"  # 22
    )
    assert lines("rst", text, outside_venv=False) == [(15, 7, "VG302"), (22, 5, "VG301")]


def test_notebook_colab_shell_cells_and_string_sources() -> None:
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["!pip install x\n"]},
            {"cell_type": "code", "source": "import os\n!sudo pip install a\n"},
            {"cell_type": "code", "source": ["%%shell\n", "pip install --user b\n"]},
        ]
    }
    text = json.dumps(notebook, indent=1)
    numbered = text.split("\n")
    found = lines("notebook", text, outside_venv=False)
    assert [rule for _, _, rule in found] == ["VG301", "VG302"]
    line, column, _ = found[0]
    assert numbered[line - 1][column - 1 :].startswith("sudo pip install a")
    line, column, _ = found[1]
    assert numbered[line - 1][column - 1 :].startswith("pip install --user b")


def test_notebook_bang_continuations_and_a_cell_magic_after_blank_lines() -> None:
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["!pip install \\\n", "    --user foo\n"]},
            {"cell_type": "code", "source": ["\n", "  \n", "%%bash\n", "sudo pip install x\n"]},
            {"cell_type": "code", "source": ["# setup\n", "%%bash\n", "sudo pip install y\n"]},
        ]
    }
    text = json.dumps(notebook, indent=1)
    numbered = text.split("\n")
    found = lines("notebook", text, outside_venv=False)
    assert [rule for _, _, rule in found] == ["VG302", "VG301"]
    line, column, _ = found[0]
    assert numbered[line - 1][column - 1 :].startswith("pip install ")
    line, column, _ = found[1]
    assert numbered[line - 1][column - 1 :].startswith("sudo pip install x")


def test_a_shell_given_by_an_expression_is_read_as_the_default() -> None:
    text = (
        "runs:\n"
        "  using: composite\n"
        "  steps:\n"
        "    - shell: ${{ inputs.shell }}\n"
        "      run: sudo pip install x\n"
    )
    assert lines("github-action", text, outside_venv=False) == [(5, 12, "VG301")]


def test_tox_backslash_continues_a_command_on_the_next_line() -> None:
    text = (
        "[testenv]\n"
        "commands =\n"
        "    python -m pip install \\\n"  # 3
        "        --user f\n"  # 4
        "    sudo \\\n"  # 5
        "      pip install h\n"  # 6
        "    pip install \\\n"  # 7
        "        g\n"  # 8
        "    pip install --break-system-packages \\\n"  # 9
        "\n"  # 10: a blank line ends the value
        "    pip install i\n"  # 11
    )
    assert lines("tox", text, outside_venv=False) == [
        (3, 5, "VG302"),
        (5, 5, "VG301"),
        (9, 5, "VG303"),
    ]


def test_tox_commands_of_a_section_other_environments_substitute() -> None:
    text = (
        "[base]\n"
        "commands = pip install --user a\n"  # 2
        "[other]\n"
        "commands = sudo pip install b\n"  # 4: never substituted, never run
        "[testenv]\n"
        "commands = {[base]commands}\n"
    )
    assert lines("tox", text, outside_venv=False) == [(2, 12, "VG302")]


def test_doc_sessions_with_unicode_prompts() -> None:
    text = (
        "```sh\n"
        "\u276f sudo pip install a\n"  # 2
        "```\n"
        "```\n"
        "\u279c pip install --user b\n"  # 5
        "```\n"
        "```console\n"
        "\u03bb pip install --break-system-packages c\n"  # 8
        "installed c\n"
        "```\n"
    )
    assert lines("markdown", text, outside_venv=False) == [
        (2, 3, "VG301"),
        (5, 3, "VG302"),
        (8, 3, "VG303"),
    ]


def test_fence_language_with_a_file_name_after_a_colon() -> None:
    text = (
        "```bash:install.sh\nsudo pip install a\n```\n"
        "```yaml:ci.yml\n- run: sudo pip install b\n```\n"
    )
    assert lines("markdown", text, outside_venv=False) == [(2, 1, "VG301")]


def test_fence_language_as_a_pandoc_class() -> None:
    text = (
        "```{.bash}\nsudo pip install a\n```\n"
        "```{.sh .numberLines}\nsudo pip install b\n```\n"
        "``` {.python}\nsudo pip install c\n```\n"
    )
    assert lines("markdown", text, outside_venv=False) == [(2, 1, "VG301"), (5, 1, "VG301")]


def test_shell_escapes_in_python_fences_of_docs() -> None:
    markdown = (
        "# Quick start\n"  # 1
        "```python\n"  # 2
        "!sudo pip install a\n"  # 3
        "if IN_COLAB:\n"  # 4
        "    !pip install --user b\n"  # 5
        "%pip install c\n"  # 6
        "os.system('sudo pip install d')\n"  # 7
        "x = 1  # !sudo pip install e\n"  # 8
        "```\n"  # 9
        "```ipython\n"  # 10
        "!!pip install --break-system-packages f\n"  # 11
        "```\n"  # 12
    )
    assert lines("markdown", markdown, outside_venv=False) == [
        (3, 2, "VG301"),
        (5, 6, "VG302"),
        (11, 3, "VG303"),
    ]
    rst = ".. code-block:: python\n\n   import sys\n   !sudo pip install g\n"
    assert lines("rst", rst, outside_venv=False) == [(4, 5, "VG301")]


def test_msys2_and_wsl_bash_steps_are_bash() -> None:
    text = (
        "jobs:\n  w:\n    defaults:\n      run:\n        shell: msys2 {0}\n    steps:\n"
        "      - run: pip install --user pytest\n"  # 7
        "      - run: sudo pip install a\n"  # 8
        "        shell: wsl-bash {0}\n"
    )
    assert lines("github-workflow", text, path=".github/workflows/ci.yml") == [
        (7, 14, "VG302"),
        (8, 14, "VG301"),
    ]


def test_a_bare_greater_than_is_the_prompt_of_powershell_and_cmd_sessions() -> None:
    text = (
        "```powershell\n> pip install --user a\n```\n"  # 2
        "```cmd\n> pip install --user b\nSuccessfully installed b\n```\n"  # 5
        "```console\n$ cat <<EOF\n> pip install --user c\n> EOF\n```\n"  # 10: a heredoc line
    )
    assert lines("markdown", text) == [(2, 3, "VG302"), (5, 3, "VG302")]


def test_a_bare_greater_than_prompt_in_a_shell_block_with_no_other_prompt() -> None:
    text = (
        "```bash\n> pip install --user a\n```\n"  # 2
        "```\n> sudo pip3 install b\nCollecting b\n```\n"  # 5
        "```sh\n> out.log\npip install --user c\n```\n"  # 10: a redirection, then a command
    )
    assert lines("markdown", text) == [(2, 3, "VG302"), (5, 3, "VG301"), (10, 1, "VG302")]


def test_a_dockerfile_block_keeps_its_environment_to_itself() -> None:
    text = (
        "```dockerfile\nFROM python:3.12\nENV PIP_TARGET=/usr/local/pip-global\n"
        "RUN pip install a\n```\n"  # 4: VG304 (its own ENV)
        "```dockerfile\nFROM ubuntu:jammy\nRUN pip3 install b\n```\n"  # 8: a new image
        "```sh\npip install --user c\n```\n"  # 11: the reader's shell
    )
    assert lines("markdown", text, outside_venv=False) == [(4, 5, "VG304"), (11, 1, "VG302")]


def test_a_stage_that_declares_a_global_arg_again_gets_its_default() -> None:
    text = (
        "ARG PIP_BREAK_SYSTEM_PACKAGES=1\nARG PIP_USER=1\n"
        "FROM debian:bookworm\nARG PIP_BREAK_SYSTEM_PACKAGES\nRUN pip install x\n"  # 5
        "FROM debian:bookworm\nRUN pip install y\n"  # 7: not declared in this stage
    )
    assert lines("dockerfile", text, outside_venv=False) == [(5, 5, "VG303")]


def test_doc_sessions_with_a_root_prompt() -> None:
    text = (
        "```console\n"
        "root@box:/# pip install --user a\n"  # 2
        "Collecting a\n"
        "[root@box app]# pip install --break-system-packages b\n"  # 4
        "# pip install --user c is a comment here\n"
        "```\n"
    )
    assert lines("markdown", text, outside_venv=False) == [(2, 13, "VG302"), (4, 17, "VG303")]


def test_dockerfile_stages_with_a_platform_flag_still_inherit() -> None:
    text = (
        "ARG PIP_BREAK_SYSTEM_PACKAGES=1\n"
        "FROM --platform=${BUILDPLATFORM} debian:12 AS base_host\n"
        "ARG PIP_BREAK_SYSTEM_PACKAGES\n"
        "FROM base_host AS converter\n"
        "RUN pip3 install a\n"  # 5: BuildKit: a stage built from another has its ARGs
        "FROM --platform=linux/amd64 debian:12 AS p2\n"
        "ENV PIP_USER=1\n"
        "from  --platform=$TARGETPLATFORM  p2  as  c2\n"
        "RUN pip3 install b\n"  # 9
    )
    assert lines("dockerfile", text, outside_venv=False) == [(5, 5, "VG303"), (9, 5, "VG302")]


def test_dockerfile_removing_the_externally_managed_marker_lasts_for_the_stage() -> None:
    text = (
        "FROM debian:12 AS base\n"
        "RUN rm /usr/lib/python3.11/EXTERNALLY-MANAGED\n"
        "RUN pip install a\n"  # 3
        "FROM base AS app\n"
        "RUN pip install b\n"  # 5
        "FROM debian:12\n"
        "RUN pip install c\n"
    )
    assert lines("dockerfile", text, outside_venv=False) == [(3, 5, "VG303"), (5, 5, "VG303")]


def test_dockerfile_continuations_under_a_powershell_or_cmd_shell_join_one_line() -> None:
    text = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command"]\n'
        "RUN python -m pip install `\n"  # 4
        "      --break-system-packages requests\n"
        "RUN python -m pip install `\n"  # 6
        "      --user pywin32\n"
        'SHELL ["cmd", "/S", "/C"]\n'
        "RUN echo one && `\n"  # 9
        "    pip install --user b\n"  # 10
    )
    assert lines("dockerfile", text, outside_venv=False) == [
        (4, 5, "VG303"),
        (6, 5, "VG302"),
        (10, 5, "VG302"),
    ]


def test_dockerfile_pip_config_lasts_for_the_stage() -> None:
    text = (
        "FROM debian:12 AS base\n"
        "RUN pip3 config set global.break-system-packages true\n"  # 2
        "RUN pip3 install a\n"  # 3
        "FROM debian:12 AS writes\n"
        'RUN printf "[global]\\nbreak-system-packages = true\\n" > /etc/pip.conf\n'
        "RUN pip3 install b\n"  # 6
        "FROM debian:12 AS copies\n"
        "COPY <<EOF /etc/pip.conf\n"
        "[install]\n"
        "user = yes\n"
        "EOF\n"
        "RUN pip3 install c\n"  # 12
        "FROM base\n"
        "RUN pip3 install d\n"  # 14
        "FROM debian:12\n"
        "COPY <<EOF /app/notes.txt\n"
        "break-system-packages = true is set in pip.conf\n"
        "EOF\n"
        "RUN pip3 install e\n"  # 19: a copied file that is not pip's config
    )
    found = lines("dockerfile", text, outside_venv=False)
    assert found[:3] == [(2, 5, "VG303"), (3, 5, "VG303"), (6, 5, "VG303")]
    assert found[3:] == [(12, 5, "VG302"), (14, 5, "VG303")]


@pytest.mark.parametrize(
    ("path", "managed"),
    [
        ("recipe/build.sh", True),
        ("conda.recipe/build.sh", True),
        ("conda-recipe/bld.bat", True),
        ("recipes/mypkg/build.sh", True),
        ("scripts/build.sh", False),
        ("recipe/setup.sh", False),
    ],
)
def test_a_conda_recipe_build_script_runs_in_the_build_environment(
    path: str, managed: bool
) -> None:
    kind = "batch" if path.endswith(".bat") else "shell"
    found = lines(kind, "python -m pip install . --no-deps -vv\n", path=path)
    assert found == ([] if managed else [(1, 1, "VG305")])


def test_dockerfile_env_beats_arg_and_shell_goes_with_the_image() -> None:
    text = (
        "FROM python:3.12 AS a\n"
        "ENV PIP_USER=0\n"
        "ARG PIP_USER=1\n"
        "RUN pip install a\n"  # 4: an ENV always beats an ARG of the same name
        "ARG PIP_BREAK_SYSTEM_PACKAGES=1\n"
        'SHELL ["pwsh", "-Command"]\n'
        "RUN pip install b\n"  # 7
        "FROM a AS b\n"
        "RUN $env:PIP_USER=1; pip install c\n"  # 9: a's SHELL, and a's ARGs (BuildKit)
        "FROM python:3.12\n"
        "RUN PIP_USER=1 pip install d\n"  # 11: a new image, /bin/sh again
        "ENV PIP_USER=${PIP_USER:-1}\n"
        "RUN pip install e\n"  # 13
        "ENV OPTS=${PIP_USER:+--break-system-packages} NONE=${UNSET:+--user}\n"
        "RUN pip install f $OPTS $NONE\n"  # 15
    )
    assert lines("dockerfile", text, outside_venv=False) == [
        (7, 5, "VG303"),
        (9, 22, "VG303"),
        (11, 5, "VG302"),
        (13, 5, "VG302"),
        (15, 5, "VG303"),
    ]


def test_notebook_markdown_cells_are_read_as_markdown() -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "source": [
                    "!sudo pip install not-a-command\n",
                    "> Install it first:\n",
                    "```bash\n",
                    "sudo pip3 install bokeh\n",
                    "```\n",
                ],
            },
            {"cell_type": "markdown", "source": "Then:\n\n```console\n$ pip install --user b\n```"},
            {"cell_type": "raw", "source": ["```bash\n", "sudo pip install raw\n", "```\n"]},
        ]
    }
    text = json.dumps(notebook, indent=1)
    numbered = text.split("\n")
    found = lines("notebook", text, outside_venv=False)
    assert [rule for _, _, rule in found] == ["VG301", "VG302"]
    line, column, _ = found[0]
    assert numbered[line - 1][column - 1 :].startswith("sudo pip3 install bokeh")
    line, column, _ = found[1]
    assert numbered[line - 1][column - 1 :].startswith("pip install --user b")
