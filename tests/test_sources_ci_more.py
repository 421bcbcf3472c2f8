"""Travis CI, Azure Pipelines, AppVeyor, Bitbucket Pipelines, tox in setup.cfg/pyproject.toml
and GitLab CI files kept in ``.gitlab/ci/``: kinds by name and true positions of findings."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml

from venvguard.config import SOURCE_KINDS
from venvguard.findings import Finding
from venvguard.sources.registry import KIND_NAMES, SOURCES, kind_of_name, reader
from venvguard.sources.snippet import SourceError

from . import test_sources
from .conftest import Repo, run_cli
from .test_fuzz_sources import check_one_file


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (".travis.yml", "travis"),
        ("sub/.travis.yaml", "travis"),
        ("azure-pipelines.yml", "azure-pipelines"),
        ("ci/azure-pipelines-nightly.yaml", "azure-pipelines"),
        (".azure-pipelines/templates/test.yml", "azure-pipelines"),
        ("azure-pipelines/build.yml", "azure-pipelines"),
        # Templates a pipeline includes, kept in a folder named for Azure.
        ("ci/azure/posix.yml", "azure-pipelines"),
        (".azure/templates/steps.yaml", "azure-pipelines"),
        ("build/azure-templates/job.yml", "azure-pipelines"),
        (".azuredevops/build.yml", "azure-pipelines"),
        ("docs/azure/guide.md", "markdown"),
        ("appveyor.yml", "appveyor"),
        (".appveyor.yml", "appveyor"),
        ("bitbucket-pipelines.yml", "bitbucket-pipelines"),
        ("setup.cfg", "tox"),
        ("pkg/pyproject.toml", "tox"),
        ("tox.toml", "tox"),
        ("sub/tox.toml", "tox"),
        (".gitlab/ci/test.yml", "gitlab-ci"),
        (".gitlab/ci/jobs/lint.yaml", "gitlab-ci"),
        (".gitlab/issue_templates/bug.md", "markdown"),
        ("travis.yml", None),
        ("docs/azure.yml", None),
        ("azure-pipelines.md", "markdown"),
        ("other.cfg", None),
    ],
)
def test_kind_by_name(path: str, kind: str | None) -> None:
    assert kind_of_name(path) == kind


def test_every_new_kind_has_a_reader_and_a_vg305_default() -> None:
    for kind in ("travis", "azure-pipelines", "appveyor", "bitbucket-pipelines"):
        assert kind in SOURCES
        assert SOURCE_KINDS[kind] is False


def lines(
    kind: str, text: str, outside_venv: bool = False, path: str = "file"
) -> list[tuple[int, int, str]]:
    """As in ``test_sources``, with VG305 off as CI kinds have it by default."""
    return test_sources.lines(kind, text, outside_venv, path)


def test_every_source_kind_has_a_name_for_its_notices() -> None:
    assert set(KIND_NAMES) == set(SOURCES)


def test_travis_phases_jobs_env_and_deploy() -> None:
    text = (
        "language: python\n"  # 1
        "sudo: required\n"  # 2
        "env:\n"  # 3
        "  global:\n"  # 4
        "    - FOO=bar\n"  # 5
        "  matrix:\n"  # 6
        "    - TOXENV=py38\n"  # 7
        "    - TOXENV=py39 PIP_BREAK_SYSTEM_PACKAGES=1\n"  # 8
        "before_install:\n"  # 9
        "  - sudo apt-get update -qq\n"  # 10
        "  - sudo pip install -U pip\n"  # 11
        "install: pip install --user tox\n"  # 12
        "script:\n"  # 13
        '  - echo "sudo pip install x"\n'  # 14
        "  - |\n"  # 15
        '    if [ -n "$CI" ]; then\n'  # 16
        "      pip install -r requirements.txt\n"  # 17
        "    fi\n"  # 18
        "jobs:\n"  # 19
        "  include:\n"  # 20
        "    - os: osx\n"  # 21
        "      language: generic\n"  # 22
        "      env: PIP_USER=1\n"  # 23
        "      install:\n"  # 24
        "        - python3 -m pip install pytest\n"  # 25
        "deploy:\n"  # 26
        "  provider: script\n"  # 27
        "  script: sudo -H pip install twine\n"  # 28
    )
    assert lines("travis", text) == [
        (11, 5, "VG301"),
        (12, 10, "VG303"),
        (17, 7, "VG303"),
        (25, 11, "VG302"),
        (28, 11, "VG301"),
    ]


def test_travis_matrix_entries_are_alternatives_and_any_of_them_counts() -> None:
    text = (
        "language: python\nos: windows\n"
        "env:\n  matrix:\n    - PIP_USER=1\n    - PIP_USER=0\n"
        "install:\n  - pip install a\n"  # 8
    )
    assert lines("travis", text, outside_venv=False) == [(8, 5, "VG302")]
    text = "env:\n  global:\n    - PIP_USER=1\n    - PIP_USER=0\ninstall: pip install b\n"
    assert lines("travis", text, outside_venv=False) == []  # global entries all apply, in order


def test_travis_python_language_runs_in_a_virtualenv() -> None:
    text = "language: python\ninstall:\n  - pip install -e .\n"
    assert lines("travis", text, outside_venv=True) == []
    generic = "language: generic\ninstall:\n  - pip install -e .\n"
    assert lines("travis", generic, outside_venv=True) == [(3, 5, "VG305")]
    osx = "language: python\nos: osx\ninstall:\n  - pip install -e .\n"
    assert lines("travis", osx, outside_venv=True) == [(4, 5, "VG305")]


def test_travis_phases_share_one_shell() -> None:
    text = (
        "language: shell\n"
        "before_install:\n"
        "  - python3 -m venv ~/venv\n"
        "  - source ~/venv/bin/activate\n"
        "install:\n"
        "  - pip install -r requirements.txt\n"
    )
    assert lines("travis", text, outside_venv=True) == []


def test_travis_env_mapping_and_secure_entries() -> None:
    text = 'env:\n  global:\n    - secure: AbCdEf==\n    - PIP_USER="1"\nscript: pip install x\n'
    assert lines("travis", text) == [(5, 9, "VG302")]
    mapping = "env:\n  PIP_USER: 1\nscript: pip install x\n"
    assert lines("travis", mapping) == [(3, 9, "VG302")]


def test_azure_steps_shells_tasks_and_variables() -> None:
    text = (
        "trigger: [main]\n"  # 1
        "variables:\n"  # 2
        "  pip.user: 1\n"  # 3
        "stages:\n"  # 4
        "  - stage: test\n"  # 5
        "    jobs:\n"  # 6
        "      - job: linux\n"  # 7
        "        pool:\n"  # 8
        "          vmImage: ubuntu-latest\n"  # 9
        "        steps:\n"  # 10
        "          - script: pip install -r requirements.txt\n"  # 11
        "          - bash: |\n"  # 12
        "              sudo python -m pip install $(extra) .\n"  # 13
        "          - task: Bash@3\n"  # 14
        "            inputs:\n"  # 15
        "              targetType: inline\n"  # 16
        "              script: pip3 install --break-system-packages x\n"  # 17
        "          - task: Bash@3\n"  # 18
        "            inputs:\n"  # 19
        "              targetType: filePath\n"  # 20
        "              filePath: ci/install.sh\n"  # 21
        "      - job: windows\n"  # 22
        "        pool: {vmImage: windows-2022}\n"  # 23
        "        variables:\n"  # 24
        "          - name: PIP_USER\n"  # 25
        "            value: 0\n"  # 26
        "        steps:\n"  # 27
        "          - script: python -m pip install --user tox\n"  # 28
        "          - pwsh: python -m pip install --user nox\n"  # 29
        "          - task: CmdLine@2\n"  # 30
        "            inputs:\n"  # 31
        "              script: echo sudo pip install x\n"  # 32
    )
    assert lines("azure-pipelines", text) == [
        (11, 21, "VG302"),
        (13, 15, "VG301"),
        (17, 23, "VG303"),
        (28, 21, "VG302"),
        (29, 19, "VG302"),
    ]


def test_azure_macros_are_blanked_and_setvariable_carries() -> None:
    text = (
        "steps:\n"
        "  - script: |\n"
        '      echo "##vso[task.setvariable variable=PIP_USER]1"\n'
        "    displayName: $(Build.BuildId)\n"
        "  - script: python -m pip install ${{ parameters.flags }} $(Build.Flags) x\n"
        "  - script: $(which) -m pip install x\n"
    )
    assert lines("azure-pipelines", text) == [(5, 13, "VG302")]


def test_azure_matrix_variables() -> None:
    text = (
        "strategy:\n"
        "  matrix:\n"
        "    py38: {python.version: '3.8'}\n"
        "    user: {PIP_USER: 'true'}\n"
        "steps:\n"
        "  - bash: pip install x\n"
    )
    assert lines("azure-pipelines", text) == [(6, 11, "VG302")]


def test_appveyor_items_shells_environment_and_for() -> None:
    text = (
        "environment:\n"  # 1
        "  global:\n"  # 2
        "    TOKEN:\n"  # 3
        "      secure: abc\n"  # 4
        "  matrix:\n"  # 5
        '    - PYTHON: "C:\\\\Python38"\n'  # 6
        "    - PYTHON: C:\\Python39\n"  # 7
        "      PIP_USER: 1\n"  # 8
        "install:\n"  # 9
        '  - "%PYTHON%\\\\python.exe -m pip install tox"\n'  # 10
        "  - ps: python -m pip install --break-system-packages x\n"  # 11
        "  - cmd: echo pip install --user x\n"  # 12
        "build: off\n"  # 13
        "test_script: pip install --user y\n"  # 14
        "for:\n"  # 15
        "  - matrix:\n"  # 16
        "      only:\n"  # 17
        "        - image: Ubuntu2004\n"  # 18
        "    install:\n"  # 19
        "      - sudo pip3 install z\n"  # 20
        "      - sh: 'echo \"sudo pip install w\"'\n"  # 21
    )
    assert lines("appveyor", text) == [
        (10, 6, "VG302"),
        (11, 9, "VG303"),
        (14, 14, "VG302"),
        (20, 9, "VG301"),
    ]


def test_appveyor_on_ubuntu_runs_bash() -> None:
    text = "image: Ubuntu\ninstall:\n  - sudo pip install x\n"
    assert lines("appveyor", text) == [(3, 5, "VG301")]


def test_bitbucket_steps_parallel_anchors_and_after_script() -> None:
    text = (
        "image: python:3.12\n"  # 1
        "definitions:\n"  # 2
        "  steps:\n"  # 3
        "    - step: &lint\n"  # 4
        "        name: lint\n"  # 5
        "        script:\n"  # 6
        "          - pip install --user ruff\n"  # 7
        "pipelines:\n"  # 8
        "  default:\n"  # 9
        "    - step: *lint\n"  # 10
        "    - parallel:\n"  # 11
        "        - step:\n"  # 12
        "            script:\n"  # 13
        "              - python -m venv .venv\n"  # 14
        "              - . .venv/bin/activate\n"  # 15
        "              - pip install -e .\n"  # 16
        "            after-script:\n"  # 17
        "              - pip install coverage\n"  # 18
        "  branches:\n"  # 19
        "    main:\n"  # 20
        "      - step:\n"  # 21
        "          script:\n"  # 22
        "            - pipe: atlassian/pypi-publish:0.3.1\n"  # 23
        "            - sudo pip install twine\n"  # 24
        '            - echo "pip install --user x"\n'  # 25
    )
    assert lines("bitbucket-pipelines", text) == [(7, 13, "VG302"), (24, 15, "VG301")]
    assert lines("bitbucket-pipelines", text, outside_venv=True) == [
        (7, 13, "VG302"),
        (18, 17, "VG305"),
        (24, 15, "VG301"),
    ]


def test_tox_in_setup_cfg() -> None:
    text = (
        "[metadata]\n"
        "name = x\n"
        "[options]\n"
        "install_requires = pip\n"
        "[tox:tox]\n"
        "envlist = py311\n"
        "[testenv]\n"
        "commands =\n"
        "    pip install --user y\n"
        "    pytest\n"
    )
    assert lines("tox", text, path="setup.cfg") == [(9, 5, "VG302")]


def test_tox_in_pyproject_legacy_string() -> None:
    text = (
        "[project]\n"  # 1
        'name = "x"\n'  # 2
        'commands = "pip install --user nothing"\n'  # 3
        "[tool.tox]\n"  # 4
        'legacy_tox_ini = """\n'  # 5
        "[tox]\n"  # 6
        "envlist = py311\n"  # 7
        "[testenv]\n"  # 8
        "commands_pre = sudo pip install z\n"  # 9
        "commands =\n"  # 10
        "    pip install --user y\n"  # 11
        '"""\n'  # 12
    )
    assert lines("tox", text, path="pyproject.toml") == [(9, 16, "VG301"), (11, 5, "VG302")]
    assert lines("tox", "[project]\nname = 'x'\n", path="pyproject.toml") == []


def test_tox_toml_commands_are_argument_lists_on_their_own_lines() -> None:
    text = (
        'requires = ["tox>=4.21"]\n'  # 1
        'env_list = ["3.13", "lint"]\n'  # 2
        "\n"  # 3
        "[env_run_base]\n"  # 4
        'deps = ["pytest"]\n'  # 5
        'commands_pre = [["sudo", "pip", "install", "z"]]\n'  # 6
        "commands = [\n"  # 7
        '    ["pip", "install", "--user", "y"],\n'  # 8
        '    ["pytest", { replace = "posargs", default = ["tests"], extend = true }],\n'  # 9
        "]\n"  # 10
        "\n"  # 11
        "[env.lint]\n"  # 12
        'description = "pip install --user is only a description here"\n'  # 13
        "commands = [\n"  # 14
        "  [\n"  # 15
        '    "python", "-m", "pip", "install", "--break-system-packages", "ruff",\n'  # 16
        "  ],\n"  # 17
        '  ["{env_python}", "-m", "pip", "install", "--user", "w"],\n'  # 18
        "]\n"  # 19
    )
    assert lines("tox", text, path="tox.toml") == [
        (6, 19, "VG301"),
        (8, 7, "VG302"),
        (16, 6, "VG303"),
        (18, 5, "VG302"),
    ]


def test_tox_native_tables_in_pyproject() -> None:
    text = (
        "[project]\n"  # 1
        'name = "x"\n'  # 2
        "[tool.tox.env_run_base]\n"  # 3
        'commands = [["pip", "install", "--user", "y"]]\n'  # 4
        "[tool.tox.env.docs]\n"  # 5
        "commands_post = [\n"  # 6
        '    ["sudo", "-H", "pip", "install", "sphinx"],\n'  # 7
        "]\n"  # 8
    )
    assert lines("tox", text, path="pyproject.toml") == [(4, 15, "VG302"), (7, 7, "VG301")]


def test_a_broken_tox_toml_is_a_notice_on_its_line() -> None:
    with pytest.raises(SourceError) as raised:
        list(reader("tox")("tox.toml", '[env_run_base]\ncommands = [["pip", "install",\n'))
    assert raised.value.line is not None and "TOML" in str(raised.value)


def test_gitlab_included_file() -> None:
    text = "test:\n  script:\n    - sudo pip install x\n"
    assert lines(kind_of_name(".gitlab/ci/test.yml") or "", text) == [(3, 7, "VG301")]


@pytest.mark.parametrize("kind", ["travis", "azure-pipelines", "appveyor", "bitbucket-pipelines"])
def test_broken_yaml_is_a_source_error_with_a_line(kind: str) -> None:
    with pytest.raises(SourceError) as error:
        list(reader(kind)("file", "install:\n  - pip install x\n  bad: [\n"))
    assert error.value.line is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "just a string\n",
        "- a\n- b\n",
        "install: 3\nscript: {a: b}\n",
        "steps: [1, {script: null}, {task: 3}]\n",
        "env: [1, {secure: x}]\njobs: {include: [1, {env: [2]}]}\n",
        "environment: [1]\nfor: [1, {matrix: 2}]\ninstall: [{cmd: [1]}]\n",
        "pipelines: {default: [{step: {script: [1, {pipe: x}]}}]}\n",
        "a: &x [*x]\n",
    ],
)
def test_odd_shapes_yield_no_crash(text: str) -> None:
    for kind in ("travis", "azure-pipelines", "appveyor", "bitbucket-pipelines"):
        with contextlib.suppress(SourceError):
            list(reader(kind)("file", text))


def test_a_broken_ci_file_is_a_notice_and_the_rest_is_checked() -> None:
    broken = "install:\n  - sudo pip install a\n  bad: [\n"
    items, _ = check_one_file(".travis.yml", broken.encode())
    notices = [item for item in items if not isinstance(item, Finding)]
    assert [(item.path, item.line) for item in notices] == [(".travis.yml", 3)]
    assert "this Travis CI config" in notices[0].message
    # What comes before the error is still checked.
    findings = [item for item in items if isinstance(item, Finding)]
    assert [(item.line, item.code) for item in findings] == [(2, "VG301")]


def test_the_hook_is_given_every_new_kind_of_file(tmp_path: Path) -> None:
    from identify.identify import tags_from_path

    manifest = yaml.safe_load(
        (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    types_or = set(next(h["types_or"] for h in manifest if h["id"] == "no-global-installs"))
    new_names = (".travis.yml", "azure-pipelines.yml", "appveyor.yml", "bitbucket-pipelines.yml")
    for name in (*new_names, ".gitlab/ci/jobs.yml", "setup.cfg", "pyproject.toml"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
        assert tags_from_path(str(path)) & types_or, name


def test_vg305_is_configurable_for_each_new_kind(tmp_path: Path) -> None:
    from venvguard.config import load_config

    (tmp_path / "pyproject.toml").write_text(
        "[tool.venvguard.install-outside-venv]\n"
        "travis = true\nazure-pipelines = true\nappveyor = true\nbitbucket-pipelines = true\n"
    )
    kinds = load_config(tmp_path).install_outside_venv.kinds
    assert all(kinds[kind] for kind in ("travis", "azure-pipelines", "appveyor"))
    assert kinds["bitbucket-pipelines"] is True
    assert kinds["github-workflow"] is False


def test_files_a_gitlab_ci_file_includes_locally_are_gitlab_ci(repo: Repo) -> None:
    repo.write(
        ".gitlab-ci.yml",
        "include:\n"
        "  - local: ci/jobs/*.yml\n"
        "  - '/templates/deploy.yml'\n"
        "  - project: group/other\n"
        "    file: /shared.yml\n"
        "  - remote: https://example.invalid/x.yml\n"
        "stages: [test]\n",
    )
    repo.write("ci/jobs/test.yml", "test:\n  script:\n    - sudo pip install x\n")
    repo.write(
        "templates/deploy.yml",
        "include: {local: /ci/nested/**/*.yaml}\n"
        "deploy:\n  script:\n    - pip install --user twine\n",
    )
    repo.write("ci/nested/a/b.yaml", "b:\n  script:\n    - pip install --break-system-packages y\n")
    repo.write(
        "shared.yml", "s:\n  script:\n    - sudo pip install never-read\n"
    )  # another project's
    repo.write("ci/other.yml", "o:\n  script:\n    - sudo pip install not-included\n")
    repo.commit()
    found = run_cli("check", "--select", "VG3", "--no-cache", cwd=repo.path).out
    assert "ci/jobs/test.yml:3:7: VG301" in found
    assert "templates/deploy.yml:4:7: VG302" in found
    assert "ci/nested/a/b.yaml:3:7: VG303" in found
    assert "shared.yml" not in found and "ci/other.yml" not in found
    # A hook is given the staged files only; the root file still says what they are.
    hook = run_cli("check", "--select", "VG3", "--no-cache", "ci/jobs/test.yml", cwd=repo.path)
    assert "ci/jobs/test.yml:3:7: VG301" in hook.out


def test_gitlab_includes_that_loop_or_are_broken_end() -> None:
    from venvguard.sources.gitlab import included_files

    texts = {
        ".gitlab-ci.yml": "include:\n  - local: ci/a.yml\n  - local: ci/broken.yml\n",
        "ci/a.yml": "include: ci/b.yml\n",
        "ci/b.yml": "include:\n  - local: /ci/a.yml\n  - local: ci/missing.yml\n",
        "ci/broken.yml": "include: [\n",
    }
    files = sorted(texts)
    assert included_files(texts.get, files) == {"ci/a.yml", "ci/b.yml", "ci/broken.yml"}


def test_github_env_written_by_a_brace_group_or_a_heredoc() -> None:
    text = (
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: |\n"
        '          { echo "UV_SYSTEM_PYTHON=1"\n'
        "            echo OTHER=2\n"
        '          } >> "$GITHUB_ENV"\n'
        "      - run: uv pip install a\n"  # 9
        "  u:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: |\n"
        '          cat >> "$GITHUB_ENV" <<EOF\n'
        "          PIP_USER=1\n"
        "          EOF\n"
        "      - run: pip install b\n"  # 17
        "  v:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: |\n"
        "          {\n"
        "            echo PIP_USER=1\n"
        "          }\n"
        '          echo "DONE=1" >> "$GITHUB_ENV"\n'
        "      - run: pip install c\n"  # 26
    )
    assert lines("github-workflow", text, outside_venv=False) == [
        (9, 14, "VG304"),
        (17, 14, "VG302"),
    ]


def test_github_job_container_env_is_the_environment_of_its_steps() -> None:
    text = (
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    container:\n"
        "      image: python:3.12\n"
        "      env:\n"
        "        PIP_BREAK_SYSTEM_PACKAGES: 1\n"
        "    steps:\n"
        "      - run: pip install a\n"  # 9
        "      - run: pip install b\n"  # 10
        "        env:\n"
        "          PIP_BREAK_SYSTEM_PACKAGES: 0\n"
    )
    assert lines("github-workflow", text, outside_venv=False) == [(9, 14, "VG303")]


def test_gitlab_extends_carries_variables_and_inherit_drops_the_file_ones() -> None:
    text = (
        "variables:\n"
        "  UV_SYSTEM_PYTHON: 1\n"
        ".base:\n"
        "  variables:\n"
        "    PIP_USER: 1\n"
        ".deeper:\n"
        "  extends: .base\n"
        "  variables:\n"
        "    OTHER: x\n"
        "one:\n"
        "  extends: .base\n"
        "  script:\n"
        "    - pip install a\n"  # 13
        "two:\n"
        "  extends: [.other, .deeper]\n"
        "  script:\n"
        "    - pip install b\n"  # 17
        "three:\n"
        "  extends: .base\n"
        "  variables:\n"
        "    PIP_USER: 0\n"
        "  script:\n"
        "    - pip install c\n"  # 23
        "four:\n"
        "  inherit:\n"
        "    variables: false\n"
        "  script:\n"
        "    - uv pip install d\n"  # 28
        "five:\n"
        "  script:\n"
        "    - uv pip install e\n"  # 31
        "six:\n"
        "  inherit:\n"
        "    variables: [OTHER]\n"
        "  script:\n"
        "    - uv pip install f\n"  # 36
        "loop:\n"
        "  extends: loop\n"
        "  script:\n"
        "    - pip install g\n"  # 40
    )
    assert lines("gitlab-ci", text, outside_venv=False, path=".gitlab-ci.yml") == [
        (13, 7, "VG302"),
        (17, 7, "VG302"),
        (31, 7, "VG304"),
    ]


def test_circleci_executor_and_docker_environment() -> None:
    text = (
        "version: 2.1\n"
        "executors:\n"
        "  py:\n"
        "    docker:\n"
        "      - image: cimg/python:3.12\n"
        "        environment:\n"
        "          PIP_USER: 1\n"
        "jobs:\n"
        "  a:\n"
        "    executor: py\n"
        "    steps:\n"
        "      - run: pip install a\n"  # 12
        "  b:\n"
        "    executor:\n"
        "      name: py\n"
        "    steps:\n"
        "      - run: pip install b\n"  # 17
        "  c:\n"
        "    docker:\n"
        "      - image: cimg/python:3.12\n"
        "        environment:\n"
        "          PIP_BREAK_SYSTEM_PACKAGES: 1\n"
        "      - image: postgres\n"
        "        environment:\n"
        "          PIP_USER: 1\n"
        "    steps:\n"
        "      - run: pip install c\n"  # 27
        "  d:\n"
        "    steps:\n"
        "      - run: pip install d\n"  # 30
    )
    assert lines("circleci", text, outside_venv=False) == [
        (12, 14, "VG302"),
        (17, 14, "VG302"),
        (27, 14, "VG303"),
    ]


def test_gitlab_extends_carries_scripts_into_the_job() -> None:
    text = (
        ".venv:\n"
        "  before_script:\n"
        "    - python -m venv v\n"
        "    - source v/bin/activate\n"
        ".user:\n"
        "  script:\n"
        "    - pip install a\n"  # 7
        "test:\n"
        "  extends: .venv\n"
        "  script:\n"
        "    - pip install b\n"
        "user:\n"
        "  extends: .user\n"
        "  variables:\n"
        "    PIP_USER: 1\n"
    )
    for outside_venv in (True, False):
        assert lines("gitlab-ci", text, outside_venv, path=".gitlab-ci.yml") == [(7, 7, "VG302")]


def test_a_script_run_by_several_jobs_is_judged_in_each() -> None:
    text = (
        "default:\n"
        "  before_script:\n"
        "    - pip install -r requirements.txt\n"  # 3
        "plain:\n"
        "  script: [pytest]\n"
        "user:\n"
        "  variables:\n"
        "    PIP_USER: 1\n"
        "  script: [pytest]\n"
        "root:\n"
        "  variables:\n"
        "    PIP_BREAK_SYSTEM_PACKAGES: 1\n"
        "  script: [pytest]\n"
    )
    assert lines("gitlab-ci", text, outside_venv=False, path=".gitlab-ci.yml") == [(3, 7, "VG303")]


def test_tox_factor_conditional_setenv_applies_to_the_environments_with_the_factor() -> None:
    text = (
        "[tox]\nenvlist = py-unit\n"
        "[testenv]\n"
        "setenv =\n"
        "    unit: PIP_USER = 1\n"  # 5
        "    !win,lint-strict: PIP_BREAK_SYSTEM_PACKAGES = 1\n"
        "commands = pip install a\n"  # 7: some environment has the factor
        "[testenv:other]\ncommands = pip install b\n"  # 9: not unit, not win: VG303
        "[testenv:py-unit-win]\ncommands = pip install c\n"  # 11: unit only: VG302
        "[testenv:win]\ncommands = pip install d\n"  # 13: neither condition holds
    )
    assert lines("tox", text, path="tox.ini") == [
        (7, 12, "VG303"),
        (9, 12, "VG303"),
        (11, 12, "VG302"),
    ]


def test_tox_setenv_is_the_environment_of_the_commands() -> None:
    text = (
        "[testenv]\n"
        "setenv =\n"
        "    PIP_USER = 1\n"
        "    py311: OTHER=x\n"
        "commands = pip install a\n"  # 5
        "[testenv:lint]\n"
        "commands = pip install b\n"  # 7: takes [testenv]'s setenv
        "[testenv:docs]\n"
        "set_env = PIP_BREAK_SYSTEM_PACKAGES=1\n"
        "commands =\n"
        "    pip install c\n"  # 11
        "[testenv:plain]\n"
        "setenv =\n"
        "    PIP_USER = 0\n"
        "commands = pip install d\n"
    )
    assert lines("tox", text, path="tox.ini") == [
        (5, 12, "VG302"),
        (7, 12, "VG302"),
        (11, 5, "VG303"),
    ]
    native = (
        "[env_run_base]\n"
        'set_env = { PIP_USER = "1" }\n'
        'commands = [["pip", "install", "e"]]\n'  # 3
        "[env.docs]\n"
        'set_env = { PIP_BREAK_SYSTEM_PACKAGES = "true" }\n'
        'commands = [["pip", "install", "f"]]\n'  # 6
    )
    assert lines("tox", native, path="tox.toml") == [(3, 15, "VG302"), (6, 15, "VG303")]


def test_make_canned_recipes_run_where_they_are_written() -> None:
    text = (
        "PIP = pip3\n"
        "define INSTALL_DEPS\n"
        "\t@sudo $(PIP) install -r requirements.txt\n"  # 3
        "\tpip install --user \\\n"  # 4
        "\t  tox\n"
        "endef\n"
        "define HELP\n"
        "sudo pip install x is wrong\n"  # 8: text, never run
        "endef\n"
        "define WITH_ARGS =\n"
        "python -m pip install --break-system-packages $(1)\n"  # 11
        "endef\n"
        "deps:\n"
        "\t${INSTALL_DEPS}\n"
        "help:\n"
        '\t@echo "$$HELP"\n'
        "other:\n"
        "\t@$(call WITH_ARGS,flask)\n"
    )
    assert lines("makefile", text, outside_venv=False, path="Makefile") == [
        (3, 3, "VG301"),
        (4, 2, "VG302"),
        (11, 1, "VG303"),
    ]


def test_a_run_with_an_anchor_or_a_tag_is_placed_at_its_command() -> None:
    text = (
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: &inst sudo pip install a\n"
        "      - run: !!str 'pip install --user b'\n"
    )
    assert lines("github-workflow", text) == [(5, 20, "VG301"), (6, 21, "VG302")]


def test_github_path_written_by_a_step_puts_a_venv_first_for_later_steps() -> None:
    text = (
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: pip install a\n"  # 5: before the venv
        "      - run: |\n"
        "          python -m venv .venv\n"
        '          echo "$PWD/.venv/bin" >> "$GITHUB_PATH"\n'
        "      - run: pip install b\n"  # 9: the venv's pip
        "      - run: echo 'PIP_NO_CACHE_DIR=1' >> $GITHUB_ENV\n"
        "      - run: pip install c\n"  # 11: still the venv's
    )
    assert lines("github-workflow", text, outside_venv=True) == [(5, 14, "VG305")]
    other = (
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        '      - run: echo "/opt/tools/bin" >> $GITHUB_PATH\n'
        "      - run: pip install b\n"  # 6
    )
    assert lines("github-workflow", other, outside_venv=True) == [(6, 14, "VG305")]


def test_yaml_merge_keys_bring_in_the_anchored_mapping() -> None:
    text = (
        ".vars: &vars\n"
        '  PIP_USER: "1"\n'
        ".job: &job\n"
        "  before_script:\n"
        "    - sudo pip install a\n"  # 5: in every job merging .job
        "test:\n"
        "  variables: *vars\n"
        "  script:\n"
        "    - pip install x\n"  # 9
        "lint:\n"
        "  variables:\n"
        "    <<: *vars\n"
        '    EXTRA: "e"\n'
        "  script:\n"
        "    - pip install y\n"  # 15
        "own:\n"
        "  variables:\n"
        "    <<: [*vars]\n"
        '    PIP_USER: "0"\n'  # the mapping's own key wins over a merged one
        "  script:\n"
        "    - pip install z\n"  # 21
        "build:\n"
        "  <<: *job\n"
        "  script:\n"
        "    - echo built\n"
    )
    assert lines("gitlab-ci", text) == [(5, 7, "VG301"), (9, 7, "VG302"), (15, 7, "VG302")]
    workflow = (
        "env: &env\n"
        "  PIP_BREAK_SYSTEM_PACKAGES: 1\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - env:\n"
        "          <<: *env\n"
        "        run: pip install a\n"  # 9
    )
    assert lines("github-workflow", workflow) == [(9, 14, "VG303")]


def test_github_env_expressions_read_the_env_the_step_has() -> None:
    text = (
        "env:\n"
        "  PIP_FLAGS: --user\n"
        "jobs:\n"
        "  t:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        "      PY: /usr/bin/python3\n"
        "    steps:\n"
        "      - run: pip install ${{ env.PIP_FLAGS }} a\n"  # 9
        "      - run: sudo ${{env.PY}} -m pip install b\n"  # 10
        "      - run: pip install ${{ env.SET_LATER }} c\n"  # not known here
        "      - run: pip install ${{ env.OPTS }} d\n"  # 12
        "        env:\n"
        "          OPTS: --break-system-packages \n"
    )
    assert test_sources.lines("github-workflow", text, outside_venv=False) == [
        (9, 14, "VG302"),
        (10, 14, "VG301"),
        (12, 14, "VG303"),
    ]
