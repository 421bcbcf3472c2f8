"""Which kind of source a file is, and the module that reads that kind.

Shell scripts are what pre-commit's ``types_or: [shell]`` passes (``identify``'s tags: the
extension, or the shebang of a file without one), plus ``.ksh``. The other kinds are found
by name: Dockerfile/Containerfile variants, Makefiles, GitHub workflows and composite
actions, GitLab CI (also files under ``.gitlab/ci/``; ``checks/installs.py`` adds those the
root file includes from elsewhere), CircleCI, Travis CI,
Azure Pipelines, AppVeyor, Bitbucket Pipelines, tox configuration (``tox.ini``, ``tox.toml``,
and ``setup.cfg`` or ``pyproject.toml``, which may hold it), Markdown, reStructuredText,
notebooks, PowerShell and batch files. Each kind has one module with ``snippets(path, text)``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from typing import cast

from venvguard.sources.snippet import Snippet

#: kind -> module (relative to this package) that turns such a file into snippets.
SOURCES: dict[str, str] = {
    "shell": "shell",
    "makefile": "makefile",
    "powershell": "powershell",
    "batch": "batch",
    "dockerfile": "dockerfile",
    "github-workflow": "github",
    "github-action": "github",
    "gitlab-ci": "gitlab",
    "circleci": "circleci",
    "travis": "travis",
    "azure-pipelines": "azure",
    "appveyor": "appveyor",
    "bitbucket-pipelines": "bitbucket",
    "tox": "tox",
    "markdown": "markdown",
    "rst": "rst",
    "notebook": "notebook",
}

#: Each kind as users name it, in notices ("could not read this Makefile fully").
KIND_NAMES: dict[str, str] = {
    "shell": "shell script",
    "makefile": "Makefile",
    "dockerfile": "Dockerfile",
    "github-workflow": "GitHub workflow",
    "github-action": "GitHub action",
    "gitlab-ci": "GitLab CI file",
    "circleci": "CircleCI config",
    "travis": "Travis CI config",
    "azure-pipelines": "Azure Pipelines file",
    "appveyor": "AppVeyor config",
    "bitbucket-pipelines": "Bitbucket Pipelines file",
    "tox": "tox config",
    "markdown": "Markdown file",
    "rst": "reStructuredText file",
    "notebook": "notebook",
    "powershell": "PowerShell script",
    "batch": "batch file",
}

_BY_EXTENSION = {
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "ksh": "shell",
    "bats": "shell",
    "csh": "shell",
    "mk": "makefile",
    "make": "makefile",
    "ps1": "powershell",
    "psm1": "powershell",
    "bat": "batch",
    "cmd": "batch",
    "md": "markdown",
    "markdown": "markdown",
    "mdx": "markdown",
    "rst": "rst",
    "ipynb": "notebook",
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
}
_BY_NAME = {
    "makefile": "makefile",
    "gnumakefile": "makefile",
    "tox.ini": "tox",
    "tox.toml": "tox",
    "setup.cfg": "tox",
    "pyproject.toml": "tox",
    ".travis.yml": "travis",
    ".travis.yaml": "travis",
    "appveyor.yml": "appveyor",
    "appveyor.yaml": "appveyor",
    ".appveyor.yml": "appveyor",
    ".appveyor.yaml": "appveyor",
    "bitbucket-pipelines.yml": "bitbucket-pipelines",
    "bitbucket-pipelines.yaml": "bitbucket-pipelines",
    ".gitlab-ci.yml": "gitlab-ci",
    ".gitlab-ci.yaml": "gitlab-ci",
    "action.yml": "github-action",
    "action.yaml": "github-action",
    ".envrc": "shell",
    ".bashrc": "shell",
    ".bash_profile": "shell",
    ".profile": "shell",
    ".zshrc": "shell",
    "pkgbuild": "shell",
}
_WORKFLOW = re.compile(r"(?:^|/)\.github/workflows/[^/]+\.ya?ml$")
#: GitLab CI files that ``.gitlab-ci.yml`` includes, kept by convention in ``.gitlab/ci/``.
_GITLAB_INCLUDED = re.compile(r"(?:^|/)\.gitlab/ci/.+\.ya?ml$")
#: Azure Pipelines files, and the templates they include from a folder named for Azure.
_AZURE = re.compile(
    r"(?:^|/)(?:[^/]*azure[^/]*/.+\.ya?ml|azure-pipelines[^/]*\.ya?ml)$", re.IGNORECASE
)
#: ``Dockerfile``, ``Dockerfile.prod``, ``Dockerfile-dev``, ``containerfile_gpu``,
#: ``CPUDockerfile``...
_DOCKERFILE_NAME = re.compile(r"[a-z0-9]*(?:dockerfile|containerfile)(?:[._-].*)?")
#: Suffixes that make a ``Dockerfile.*`` name code or data about Dockerfiles instead.
_NOT_DOCKERFILE = frozenset(
    {"py", "pyi", "go", "rs", "rb", "js", "ts", "java", "kt", "c", "h", "cpp", "cs", "php"}
    | {"pl", "lua", "json", "toml", "yml", "yaml", "xml", "txt", "html", "lock", "sum", "mod"}
    | {"cfg", "ini", "csv"}
)
_SHEBANG_SHELLS = re.compile(r"^(?:ba|z|k|da|a|mk|c|tc)?sh$")


def kind_of_name(path: str) -> str | None:
    """The kind a path's name alone decides; ``None`` when only the content can tell."""
    name = path.rsplit("/", 1)[-1]
    lowered = name.lower()
    if lowered in _BY_NAME:
        return _BY_NAME[lowered]
    if _WORKFLOW.search(path):
        return "github-workflow"
    if path.endswith(".circleci/config.yml") or path.endswith(".circleci/config.yaml"):
        return "circleci"
    if lowered.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")) or _GITLAB_INCLUDED.search(path):
        return "gitlab-ci"
    if _AZURE.search(path):
        return "azure-pipelines"
    extension = lowered.rsplit(".", 1)[1] if "." in lowered else None
    if (
        _DOCKERFILE_NAME.fullmatch(lowered)
        and extension not in _NOT_DOCKERFILE
        and (extension is None or extension not in _BY_EXTENSION)
    ):
        return "dockerfile"
    return _BY_EXTENSION.get(extension) if extension is not None else None


def needs_content(path: str) -> bool:
    """Whether a file with no kind by name may still be a shell script (no extension)."""
    name = path.rsplit("/", 1)[-1]
    return "." not in name.lstrip(".")


def kind_of_text(text: str) -> str | None:
    """``shell`` for a file whose shebang names a POSIX-like shell, as ``identify`` would."""
    if not text.startswith("#!"):
        return None
    words = text[2:].split("\n", 1)[0].split()
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "env":
        rest = [word for word in words[1:] if not word.startswith("-") and "=" not in word]
        if not rest:
            return None
        program = rest[0].rsplit("/", 1)[-1]
    return "shell" if _SHEBANG_SHELLS.match(program) else None


def reader(kind: str) -> Callable[[str, str], Iterable[Snippet]]:
    """The ``snippets`` function of the module for ``kind``."""
    module = importlib.import_module(f"venvguard.sources.{SOURCES[kind]}")
    return cast(Callable[[str, str], Iterable[Snippet]], module.snippets)
