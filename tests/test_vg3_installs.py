"""VG301-VG307 through the command line: exact findings, messages, configuration, notices."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Repo, run_cli

Found = tuple[str, int, int, str]


def check(repo: Repo, *args: str) -> tuple[list[Found], dict[str, Any]]:
    result = run_cli("check", "--format", "json", "--select", "VG3", *args, cwd=repo.path)
    assert result.code in {0, 1}, result.err
    report = json.loads(result.out)
    found = [(f["path"], f["line"], f["column"], f["code"]) for f in report["findings"]]
    return found, report


def test_each_rule_with_position_and_message(repo: Repo) -> None:
    repo.write(
        "scripts/install.sh",
        "#!/bin/sh\n"
        "echo start && sudo pip install -r requirements.txt\n"
        "pip install --user black\n"
        "pip install --break-system-packages httpx\n"
        "uv pip install --system ruff\n"
        "pip install requests\n",
    )
    found, report = check(repo)
    assert found == [
        ("scripts/install.sh", 2, 15, "VG301"),
        ("scripts/install.sh", 3, 1, "VG302"),
        ("scripts/install.sh", 4, 1, "VG303"),
        ("scripts/install.sh", 5, 1, "VG304"),
        ("scripts/install.sh", 6, 1, "VG305"),
    ]
    first = report["findings"][0]
    assert first["message"].startswith("`sudo pip install -r requirements.txt` installs as root")
    assert "virtual environment" in first["message"]
    assert (first["end_line"], first["end_column"]) == (2, 51)
    assert report["summary"]["files_checked"] == 1


def test_each_way_of_turning_the_protection_off_is_named(repo: Repo) -> None:
    repo.write(
        "scripts/setup.sh",
        "#!/bin/sh\n"
        "python3 -m pip config set global.break-system-packages true\n"
        "printf '[global]\\nbreak-system-packages = true\\n' > /etc/pip.conf\n"
        "pip install a\n"
        "rm /usr/lib/python3.12/EXTERNALLY-MANAGED\n"
        "pip install b\n",
    )
    repo.commit()
    _, report = check(repo)
    messages = {f["line"]: f["message"] for f in report["findings"]}
    assert "(--break-system-packages)" in messages[2]
    assert "(a pip config file written earlier turns break-system-packages on)" in messages[4]
    assert "(its EXTERNALLY-MANAGED marker was removed)" in messages[6]


def test_a_continued_command_is_quoted_on_one_line(repo: Repo) -> None:
    repo.write("a.sh", "sudo pip install \\\n    --upgrade \\\n    black\n")
    _, report = check(repo)
    [finding] = report["findings"]
    assert finding["message"].startswith("`sudo pip install --upgrade black` installs as root")


def test_one_finding_per_command_most_specific_wins(repo: Repo) -> None:
    repo.write(
        "a.sh",
        "sudo pip install --user --break-system-packages x\n"
        "pip install --user --break-system-packages x\n"
        "PIP_USER=1 uv pip install --system x\n",
    )
    found, _ = check(repo)
    assert [f[3] for f in found] == ["VG301", "VG303", "VG304"]


def test_allow_user_install_default_and_configured(repo: Repo) -> None:
    repo.write("a.sh", "python3 -m pip install --user pipx\npip install --user black\n")
    found, _ = check(repo)
    assert found == [("a.sh", 2, 1, "VG302")]
    repo.write("pyproject.toml", '[tool.venvguard]\nallow-user-install = ["pipx", "black"]\n')
    found, _ = check(repo)
    assert found == []


def test_outside_venv_per_kind_and_glob(repo: Repo) -> None:
    repo.write("Dockerfile", "FROM python:3.12\nRUN pip install flask\n")
    repo.write("tools/dev.sh", "pip install flask\n")
    repo.write("ci/run.sh", "pip install flask\n")
    found, _ = check(repo)
    assert found == [("ci/run.sh", 1, 1, "VG305"), ("tools/dev.sh", 1, 1, "VG305")]
    repo.write(
        "pyproject.toml",
        "[tool.venvguard.install-outside-venv]\n"
        'dockerfile = true\nexclude = ["ci/"]\ninclude = ["tools/dev.sh"]\nshell = false\n',
    )
    found, _ = check(repo)
    assert found == [("Dockerfile", 2, 5, "VG305"), ("tools/dev.sh", 1, 1, "VG305")]


def test_bare_pip_and_pip_in_conda_only_when_selected(repo: Repo) -> None:
    repo.write(
        "env.sh",
        "conda activate app\npip install numpy\npython -m pip install scipy\npip freeze\n",
    )
    found, _ = check(repo)
    assert found == []
    found, _ = check(repo, "--select", "VG306,VG307")
    assert found == [
        ("env.sh", 2, 1, "VG307"),
        ("env.sh", 3, 1, "VG307"),
        ("env.sh", 4, 1, "VG306"),
    ]


def test_suppressions_work_in_every_source(repo: Repo) -> None:
    repo.write(
        "a.sh",
        "sudo pip install x  # venvguard: ignore[VG301]\n"
        "# venvguard: ignore[VG301]\n"
        "sudo pip install y\n"
        "sudo pip install z  # venvguard: ignore[VG302]\n",
    )
    repo.write(
        "Dockerfile",
        "FROM python:3.12\n"
        "RUN apt-get update \\\n"
        "    # venvguard: ignore[VG302]\n"
        "    && pip install --user flask\n",
    )
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |\n"
        "          echo hi\n"
        "          sudo pip install tox  # venvguard: ignore[VG301]\n",
    )
    repo.write(
        "README.md",
        "```bash\n# venvguard: ignore[VG302]\npip install --user x\nsudo pip install y\n```\n",
    )
    found, _ = check(repo)
    assert found == [("README.md", 4, 1, "VG301"), ("a.sh", 4, 1, "VG301")]


def test_broken_yaml_gives_a_notice_and_the_rest_is_checked(repo: Repo) -> None:
    repo.write(".gitlab-ci.yml", "test:\n  script:\n    - pip install x\n  bad: [\n")
    repo.write("b.sh", "sudo pip install y\n")
    result = run_cli("check", "--select", "VG3", cwd=repo.path)
    assert result.code == 1
    assert ".gitlab-ci.yml" in result.out + result.err
    found, _ = check(repo)
    assert found == [("b.sh", 1, 1, "VG301")]


def test_broken_yaml_still_reports_what_comes_before_its_error(repo: Repo) -> None:
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: sudo pip install a\n"  # 6
        "      - run: |\n"
        "          pip install --user b\n"  # 8
        "  : : [\n"  # 9: the error
        "      - run: sudo pip install c\n",
    )
    repo.write(".gitlab-ci.yml", "test:\n  script:\n    - sudo pip install x\n\tbad\n")
    found, report = check(repo)
    assert found == [
        (".github/workflows/ci.yml", 6, 14, "VG301"),
        (".github/workflows/ci.yml", 8, 11, "VG302"),
        (".gitlab-ci.yml", 3, 7, "VG301"),
    ]
    notices = {(n["path"], n["line"]) for n in report["notices"]}
    assert (".github/workflows/ci.yml", 9) in notices
    assert any(path == ".gitlab-ci.yml" for path, _ in notices)


def test_a_malformed_tox_section_header_is_a_notice(repo: Repo) -> None:
    repo.write(
        "tox.ini",
        "[testenv:a]\ncommands = sudo pip install a\n[testenv\ncommands = sudo pip install b\n",
    )
    found, report = check(repo)
    # Read as the section its author meant, and said: tox itself would not start.
    assert found == [("tox.ini", 2, 12, "VG301"), ("tox.ini", 4, 12, "VG301")]
    assert [(n["path"], n["line"]) for n in report["notices"]] == [("tox.ini", 3)]


def test_unparsable_shell_still_reports_what_it_can(repo: Repo) -> None:
    repo.write(
        "broken.sh", "sudo pip install a\nif then fi ( pip install --user\nsudo pip install b\n"
    )
    found, _ = check(repo)
    assert found == [("broken.sh", 1, 1, "VG301"), ("broken.sh", 3, 1, "VG301")]
    text = run_cli("check", "--select", "VG3", cwd=repo.path).out
    assert "broken.sh:2: note: shell code near line 2 could not be fully parsed" in text


def test_only_the_files_pre_commit_passes(repo: Repo) -> None:
    repo.write("a.sh", "sudo pip install a\n")
    repo.write("b.sh", "sudo pip install b\n")
    found, report = check(repo, "b.sh")
    assert found == [("b.sh", 1, 1, "VG301")]
    assert report["summary"]["files_checked"] == 1


def test_shebang_scripts_without_extension_and_unrelated_files(repo: Repo) -> None:
    repo.write("bin/setup", "#!/usr/bin/env bash\nsudo pip install x\n")
    repo.write("bin/tool", "#!/usr/bin/env python3\nprint('sudo pip install x')\n")
    repo.write("notes.txt", "sudo pip install x\n")
    repo.write("app.py", "import os\nos.system('sudo pip install x')\n")
    found, report = check(repo)
    assert found == [("bin/setup", 2, 1, "VG301")]
    assert report["summary"]["files_checked"] == 1


@pytest.mark.parametrize(
    ("path", "content", "line"),
    [
        ("Containerfile", "FROM x\nRUN sudo pip install a\n", 2),
        ("docker/app.dockerfile", "FROM x\nRUN sudo pip install a\n", 2),
        ("Dockerfile.dev", "FROM x\nRUN sudo pip install a\n", 2),
        ("build/tasks.mk", "all:\n\tsudo pip install a\n", 2),
        ("docs/index.rst", "Install::\n\n    $ sudo pip install a\n", 3),
        ("setup.ps1", "sudo pip install a\n", 1),
        ("setup.cmd", "@sudo pip install a\n", 1),
        ("action.yaml", "runs:\n  steps:\n    - shell: bash\n      run: sudo pip install a\n", 4),
        (".circleci/config.yml", "jobs:\n  b:\n    steps:\n      - run: sudo pip install a\n", 4),
        ("tox.ini", "[testenv]\ncommands =\n    sudo pip install a\n", 3),
    ],
)
def test_every_file_kind_is_read(repo: Repo, path: str, content: str, line: int) -> None:
    repo.write(path, content)
    found, _ = check(repo)
    assert [(f[0], f[1], f[3]) for f in found] == [(path, line, "VG301")]


def test_shell_nested_past_the_limit_is_a_notice_not_silence(repo: Repo) -> None:
    import shlex

    command = "sudo pip install x"
    for _ in range(12):
        command = "bash -c " + shlex.quote(command)
    repo.write("deep.sh", "echo start\n" + command + "\n")
    result = run_cli("check", "--select", "VG3", "--format", "json", cwd=repo.path)
    notices = json.loads(result.out)["notices"]
    assert [(n["path"], n["line"]) for n in notices if "nested" in n["message"]] == [("deep.sh", 2)]


def test_the_installer_word_filter_is_no_blind_spot(repo: Repo) -> None:
    """The pre-filter that spares parsing must keep every file the analyser could flag."""
    repo.write("upper.sh", "#!/bin/sh\nsudo $PIP install requests\n")
    repo.write("uppercase.sh", "#!/bin/sh\nsudo PIP3 install requests\n")
    repo.write("pipenv.sh", "#!/bin/sh\npipenv install --system\n")
    repo.write("pipeline.sh", "#!/bin/bash\nset -euo pipefail\necho pipeline | cat\n")
    found, _ = check(repo)
    assert sorted(found) == [
        ("pipenv.sh", 2, 1, "VG304"),
        ("upper.sh", 2, 1, "VG301"),
        ("uppercase.sh", 2, 1, "VG301"),
    ]


def test_a_bug_on_one_file_is_a_notice_and_the_others_are_still_checked(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for an analyser bug that some file of the checked repository trips.
    from venvguard.shell.analyser import Analyser

    real_run = Analyser.run

    def run(self: Analyser, snippets: Any) -> None:
        snippets = list(snippets)
        if any("trips-the-bug" in snippet.text for snippet in snippets):
            raise IndexError("no such group")
        real_run(self, snippets)

    monkeypatch.setattr(Analyser, "run", run)
    repo.write("a.sh", "#!/bin/sh\nsudo pip install trips-the-bug\n")
    repo.write("b.sh", "#!/bin/sh\nsudo pip install fine\n")
    for cached in ((), ("--no-cache",)):
        found, report = check(repo, *cached)
        assert found == [("b.sh", 2, 1, "VG301")]
        (notice,) = [n for n in report["notices"] if n["path"] == "a.sh"]
        assert "venvguard failed on this file (IndexError: no such group)" in notice["message"]


def test_suppressions_of_commands_over_several_lines_and_blocks(repo: Repo) -> None:
    repo.write(
        "Dockerfile",
        "FROM python:3.12\n"
        "RUN pip install --user a \\\n"  # 2
        "    --upgrade  # venvguard: ignore[VG302]\n"
        "# venvguard: ignore[VG301]\n"
        "RUN apt-get update \\\n"
        "    # a comment inside the continuation\n"
        "    && sudo pip install b\n"  # 7
        "RUN sudo pip install c \\\n"  # 8: not covered by the next RUN's comment
        "    d\n"
        "RUN true  # venvguard: ignore[VG301]\n"
        "RUN sudo pip install e\n",  # 11: a trailing comment of another command
    )
    repo.write(
        "a.sh",
        "sudo pip install f \\\n"
        "  g  # venvguard: ignore[VG301]\n"
        "echo done  # venvguard: ignore[VG301]\n"
        "sudo pip install h\n",  # 4
    )
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |  # venvguard: ignore[VG301]\n"
        "          sudo pip install i\n"
        "      # venvguard: ignore[VG302]\n"
        "      - run: |\n"
        "          pip install --user j\n"
        "          pip install --user k\n",  # 11
    )
    repo.write(
        "README.md",
        "<!-- venvguard: ignore[VG301] -->\n```bash\nsudo pip install l\nsudo pip install m\n```\n",
    )
    repo.write(
        "docs/install.rst",
        "Setup\n\n"
        ".. venvguard: ignore[VG301]\n"
        ".. code-block:: bash\n"
        "   :caption: as root\n"
        "\n"
        "   sudo pip install n\n"
        "   sudo pip install o\n",  # 8
    )
    found, _ = check(repo)
    assert found == [
        (".github/workflows/ci.yml", 11, 11, "VG302"),
        ("Dockerfile", 8, 5, "VG301"),
        ("Dockerfile", 11, 5, "VG301"),
        ("README.md", 4, 1, "VG301"),
        ("a.sh", 4, 1, "VG301"),
        ("docs/install.rst", 8, 4, "VG301"),
    ]


def test_a_utf16_script_with_a_byte_order_mark_is_read(repo: Repo) -> None:
    # Windows PowerShell 5.1 writes UTF-16 with a byte-order mark by default.
    repo.write(
        "setup.ps1", "\ufeffWrite-Host 'setting up'\r\npip install --user x\r\n".encode("utf-16-le")
    )
    repo.write("big.bat", "\ufeffpip install --user y\r\n".encode("utf-16-be"))
    repo.write("broken.ps1", b"\xff\xfep\x00i\x00\x00")
    found, report = check(repo)
    assert found == [("big.bat", 1, 1, "VG302"), ("setup.ps1", 2, 1, "VG302")]
    assert [n["path"] for n in report["notices"]] == ["broken.ps1"]


def test_code_left_open_at_the_end_of_a_file_is_a_notice(repo: Repo) -> None:
    repo.write("Dockerfile", "FROM python:3.12\nRUN <<EOF\nsudo pip install a\n")
    repo.write("open_if.sh", "if true; then\n  sudo pip install b\n")
    repo.write("fine.sh", "if true; then\n  sudo pip install c\nfi\n")
    found, report = check(repo)
    assert found == [
        ("Dockerfile", 3, 1, "VG301"),
        ("fine.sh", 2, 3, "VG301"),
        ("open_if.sh", 2, 3, "VG301"),
    ]
    assert sorted((n["path"], n["line"]) for n in report["notices"]) == [
        ("Dockerfile", 2),
        ("open_if.sh", 1),
    ]


def test_messages_quote_template_expressions_as_written(repo: Repo) -> None:
    # The parser reads ${{ }}, << >>, {{ }} and Azure's $( ) as placeholders; the user
    # reads the command as it is written in the file.
    repo.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: sudo pip install ${{ matrix.pkg }} $[[ inputs.x ]]\n",
    )
    repo.write(
        ".circleci/config.yml",
        "version: 2.1\njobs:\n  b:\n    docker:\n      - image: cimg/python:3.12\n"
        "    steps:\n      - run: pip install --user << parameters.extra >> tox\n",
    )
    repo.write("docker/Dockerfile.j2", "FROM python:3.12\nRUN sudo pip install {{ pkgs }}\n")
    repo.write(
        "azure-pipelines.yml",
        "steps:\n  - script: sudo python -m pip install $(Extra.Flags) x\n"
        "  - powershell: pip install --user $(Extra.Flags) y; echo $(Build.Id)\n",
    )
    repo.write(
        "README.md",
        "# x\n\n```console\n$ sudo pip install <your package>\n```\n\n"
        "```powershell\npy -m pip install --user <your package>\n```\n",
    )
    repo.commit()
    _, report = check(repo)
    commands = sorted(f["message"].split("`")[1] for f in report["findings"])
    assert commands == [
        "pip install --user $(Extra.Flags) y",
        "pip install --user << parameters.extra >> tox",
        "py -m pip install --user <your package>",
        "sudo pip install ${{ matrix.pkg }} $[[ inputs.x ]]",
        "sudo pip install <your package>",
        "sudo pip install {{ pkgs }}",
        "sudo python -m pip install $(Extra.Flags) x",
    ]


def test_python_expressions_in_notebook_shell_lines(repo: Repo) -> None:
    # IPython puts the value of {expression} into a ! line before the shell sees it.
    source = [
        "pkgs = ['a', 'b']\n",
        "!sudo pip install {' '.join([p for p in pkgs])}\n",
        "!{sys.executable} -m pip install --upgrade {pkgs[0]}\n",
        "!pip install --user {pkgs[1]} x${HOME}y {p}\n",
        "!echo {{literal braces}} && pip3 install --break-system-packages {'z' if 1 else ''}\n",
    ]
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": source}]}
    repo.write("nb/demo.ipynb", json.dumps(notebook, indent=1))
    repo.commit()
    _, report = check(repo)
    assert report["notices"] == []
    found = [(f["code"], f["message"].split("`")[1]) for f in report["findings"]]
    assert found == [
        ("VG301", "sudo pip install {' '.join([p for p in pkgs])}"),
        ("VG302", "pip install --user {pkgs[1]} x${HOME}y {p}"),
        ("VG303", "pip3 install --break-system-packages {'z' if 1 else ''}"),
    ]


def test_a_tox_setting_before_any_section_is_a_notice(repo: Repo) -> None:
    # tox refuses such a file; the sections after it are still read.
    repo.write(
        "tox.ini",
        "# settings\ncommands = sudo pip install x\n[testenv]\ncommands = pip install --user y\n",
    )
    repo.commit()
    found, report = check(repo)
    assert found == [("tox.ini", 4, 12, "VG302")]
    assert [(n["path"], n["line"]) for n in report["notices"]] == [("tox.ini", 2)]
    assert "before any section" in report["notices"][0]["message"]


def test_a_makefile_reads_the_variables_of_the_files_it_includes(repo: Repo) -> None:
    repo.write(
        "Makefile",
        "include config.mk\n"
        "-include local.mk not-there.mk\n"
        "sinclude $(TOOLS)/tools.mk\n"
        "\n"
        "install:\n"
        "\t$(PIP) install -r requirements.txt\n"
        "\tpip3 install $(OPTS) y\n"
        "\t$(TOOL_PIP) install z\n"
        "\t$(SAFE_PIP) install w\n",
    )
    repo.write("config.mk", "PIP = sudo pip3\nTOOLS = build\nSAFE_PIP = pip3\ninclude config.mk\n")
    repo.write("local.mk", "OPTS := --user\nSAFE_PIP = .venv/bin/pip\n")
    repo.write("build/tools.mk", "TOOL_PIP = pip3 --break-system-packages\n")
    # make reads an included file's name from where it runs: the Makefile's own folder.
    repo.write("services/api/Makefile", "include ../common.mk\nsetup:\n\t$(PIP) install .\n")
    repo.write("services/common.mk", "PIP ?= pip3 --user\n")
    # A value set after the include wins over the included one.
    repo.write(
        "tools/Makefile", "include ../config.mk\nPIP = .venv/bin/pip\nx:\n\t$(PIP) install .\n"
    )
    found, _ = check(repo)
    assert sorted(found) == [
        ("Makefile", 6, 2, "VG301"),
        ("Makefile", 7, 2, "VG302"),
        ("Makefile", 8, 2, "VG303"),
        ("services/api/Makefile", 3, 2, "VG302"),
    ]
    # The verdict kept for a Makefile is not kept once a file it includes changes.
    repo.write("config.mk", "PIP = .venv/bin/pip\nTOOLS = build\n")
    found, _ = check(repo)
    assert ("Makefile", 6, 2, "VG301") not in found
    assert ("Makefile", 8, 2, "VG303") in found
