"""The rule catalogue: every code venvguard can report, its name, severity and explanation.

This is the single source of truth for ``venvguard rules``, reporters (rule names, SARIF rule
metadata) and selection (which rules are on by default).
"""

from __future__ import annotations

from typing import Final, Literal

from venvguard.records import FrozenRecord

Severity = Literal["error", "warning"]


class Rule(FrozenRecord):
    __slots__ = (
        "code",
        "name",
        "severity",
        "default_enabled",
        "summary",
        "explanation",
        "bad",
        "good",
        "fixable",
    )

    code: Final[str]
    name: Final[str]
    severity: Final[Severity]
    default_enabled: Final[bool]
    summary: Final[str]
    explanation: Final[str]
    bad: Final[str]
    good: Final[str]
    fixable: Final[bool]

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        default_enabled: bool,
        summary: str,
        explanation: str,
        bad: str = "",
        good: str = "",
        fixable: bool = False,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.default_enabled = default_enabled
        self.summary = summary
        self.explanation = explanation
        self.bad = bad
        self.good = good
        self.fixable = fixable

    @property
    def family(self) -> str:
        return self.code[:3]


_RULES = (
    Rule(
        "VG101",
        "venv-not-ignored",
        "error",
        True,
        "a virtual environment in the tree that git would not ignore",
        "A folder holding `pyvenv.cfg` (or a conda env with `conda-meta/`) lies in the work "
        "tree and `git add -A` would pick up its files. Add its name to `.gitignore`.",
        bad="$ python -m venv env    # .gitignore does not mention env/",
        good="# .gitignore\nenv/",
    ),
    Rule(
        "VG102",
        "venv-committed",
        "error",
        True,
        "files of a virtual environment are tracked by git",
        "Ignoring a folder does not untrack files already committed. Remove them from the "
        "index (the files stay on disk) with the `git rm -r --cached` command in the message, "
        "then commit.",
        bad="$ git ls-files .venv | head -1\n.venv/pyvenv.cfg",
        good="$ git rm -r --cached -- .venv && git commit -m 'Stop tracking the venv'",
    ),
    Rule(
        "VG103",
        "venv-pattern-missing",
        "error",
        True,
        "the committed ignore files do not ignore the usual venv names",
        "A fresh clone only has the committed `.gitignore` files: `.git/info/exclude` and a "
        "global excludes file do not travel. Unless the committed files ignore the configured "
        "venv names (`venv-names`, default `.venv` and `venv`), the next contributor's venv is "
        "one `git add -A` away from a commit. `--fix` appends the names to the root "
        "`.gitignore`.",
        bad="# .gitignore\n__pycache__/",
        good="# .gitignore\n__pycache__/\n.venv/\nvenv/",
        fixable=True,
    ),
    Rule(
        "VG104",
        "venv-stale",
        "warning",
        True,
        "a virtual environment that was moved, or whose base interpreter is gone",
        "A venv records its base interpreter in `pyvenv.cfg` and its own location in its "
        "activation scripts. If the venv was moved or copied, or the base Python was "
        "uninstalled, its scripts and interpreter no longer work. Recreate it.",
        bad="$ mv .venv venv-old   # activate still points at .venv",
        good="$ rm -rf venv-old && python -m venv .venv",
    ),
    Rule(
        "VG105",
        "venv-python-mismatch",
        "warning",
        True,
        "the venv's Python does not satisfy `requires-python` or `.python-version`",
        "The project declares the Python it supports; a venv built on another version tests "
        "something else than what users run.",
        bad="requires-python = '>=3.11'   # .venv/pyvenv.cfg: version = 3.10.13",
        good="$ python3.11 -m venv --clear .venv",
    ),
    Rule(
        "VG106",
        "dotenv-not-ignored",
        "warning",
        True,
        "a `.env` secrets file that is tracked or not ignored",
        "`.env` files conventionally hold secrets for local runs. Keep them out of git; "
        "commit a `.env.example` instead. `--fix` adds `.env` to the root `.gitignore` "
        "(a tracked `.env` must also be untracked with `git rm --cached`).",
        bad="$ git ls-files .env\n.env",
        good="# .gitignore\n.env",
        fixable=True,
    ),
    Rule(
        "VG201",
        "requirement-unpinned",
        "error",
        True,
        "a requirement not pinned to one version",
        "A lock file pins every requirement to exactly one version with `==` (no wildcard), "
        "`===`, or a direct `name @ url` reference.",
        bad="requests>=2.31",
        good="requests==2.32.3",
        fixable=True,
    ),
    Rule(
        "VG202",
        "requirement-missing",
        "error",
        True,
        "installed (or resolved) but not listed",
        "The environment holds a distribution the file does not list, usually a transitive "
        "dependency. A fresh install from the file would not reproduce the environment.",
        bad="requests==2.32.3   # but urllib3, idna, certifi... are not listed",
        good="requests==2.32.3\nurllib3==2.2.2\nidna==3.7\ncertifi==2024.7.4\n...",
        fixable=True,
    ),
    Rule(
        "VG203",
        "requirement-extraneous",
        "error",
        True,
        "listed but not installed (or not in the fresh resolution)",
        "The file pins a distribution that the environment does not have: it was removed, "
        "or never installed, so the lock describes another environment.",
        bad="six==1.16.0   # not installed in .venv",
        good="# the line removed, or the package installed",
        fixable=True,
    ),
    Rule(
        "VG204",
        "requirement-version-mismatch",
        "error",
        True,
        "listed version differs from the installed or resolved one",
        "The pin and the environment disagree: one of them was upgraded without the other.",
        bad="requests==2.31.0   # .venv has 2.32.3",
        good="requests==2.32.3",
        fixable=True,
    ),
    Rule(
        "VG205",
        "requirement-duplicate",
        "error",
        True,
        "the same package listed twice",
        "Two lines name the same distribution (names compare normalized: `Foo_Bar` is "
        "`foo-bar`) for the same environment. Lines whose markers never apply together are "
        "not duplicates.",
        bad="requests==2.32.3\nRequests==2.32.3",
        good="requests==2.32.3",
    ),
    Rule(
        "VG206",
        "requirements-invalid",
        "error",
        True,
        "a line pip would reject",
        "pip refuses to install from a file with this line: an unknown option, a malformed "
        "requirement, an include that does not exist or includes itself.",
        bad="requests=2.32.3",
        good="requests==2.32.3",
    ),
    Rule(
        "VG207",
        "requirement-hash-mismatch",
        "error",
        True,
        "`--hash` values that match no file of the pinned version (fresh mode)",
        "With hashes, pip refuses any file whose digest is not listed. Hashes left from an "
        "older pin make the install fail.",
        bad="requests==2.32.3 --hash=sha256:<hash of 2.31.0>",
        good="requests==2.32.3 --hash=sha256:<hash of a 2.32.3 file>",
    ),
    Rule(
        "VG208",
        "requirements-unresolvable",
        "error",
        True,
        "the pins cannot be installed together (fresh mode)",
        "The resolver finds no set of distributions that satisfies every pin together with "
        "their own dependencies, for the target Python and platform.",
        bad="requests==2.32.3\nurllib3==1.20",
        good="requests==2.32.3\nurllib3==2.2.2",
    ),
    Rule(
        "VG301",
        "sudo-install",
        "error",
        True,
        "a package install run as root via `sudo`, `doas` or `su -c`",
        "Installing as root writes into the system Python that the operating system's own "
        "tools depend on, and leaves root-owned files behind. On Windows the same holds for "
        "an elevated install (`Start-Process ... -Verb RunAs`, `runas /user:Administrator`), "
        "and for one run on another machine or container (`ssh host sudo pip ...`). "
        "Install into a virtual environment instead.",
        bad="sudo pip install -r requirements.txt",
        good="python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt",
    ),
    Rule(
        "VG302",
        "user-install",
        "error",
        True,
        "`pip install --user` (or `PIP_USER`): the user site is shared by every project",
        "Packages in the user site are seen by every Python of that version for that user, "
        "so projects break each other. Use a venv; for tools, `pipx`.",
        bad="pip install --user black",
        good="pipx install black",
    ),
    Rule(
        "VG303",
        "break-system-packages",
        "error",
        True,
        "`--break-system-packages` (or its environment and config forms)",
        "The flag overrides PEP 668's protection of an externally managed Python: what it "
        "installs can break the operating system's own packages. `PIP_BREAK_SYSTEM_PACKAGES`, "
        "`pip config set global.break-system-packages true` and removing the interpreter's "
        "`EXTERNALLY-MANAGED` file do the same, and installs after them are reported.",
        bad="pip install --break-system-packages httpx",
        good="python3 -m venv .venv && .venv/bin/pip install httpx",
    ),
    Rule(
        "VG304",
        "system-install",
        "error",
        True,
        "an install aimed at the system interpreter or a system path",
        "`uv pip install --system`, `UV_SYSTEM_PYTHON`, or `--prefix`/`--target`/`--root` "
        "into a system location install outside any virtual environment.",
        bad="uv pip install --system ruff",
        good="uv venv && uv pip install ruff",
    ),
    Rule(
        "VG305",
        "install-outside-venv",
        "error",
        True,
        "an install that runs with no virtual environment in effect",
        "Nothing before this install creates or activates a virtual environment, and the "
        "installer is not one inside a venv, so it goes to whatever Python is first on PATH. "
        "An install run on another machine or container (`ssh`, `docker run`/`exec`, "
        "`kubectl exec`) is not held to this rule: its environment is not known here. "
        "On by default in shell scripts, Makefiles, batch and PowerShell files; off in "
        "Dockerfiles, CI files (GitHub, GitLab, CircleCI, Travis, Azure Pipelines, AppVeyor, "
        "Bitbucket), tox configuration, docs and notebooks (configure "
        "`[tool.venvguard.install-outside-venv]`).",
        bad="pip install -r requirements.txt",
        good="python3 -m venv .venv\n. .venv/bin/activate\npip install -r requirements.txt",
    ),
    Rule(
        "VG306",
        "bare-pip",
        "warning",
        False,
        "`pip ...` where `python -m pip ...` is meant",
        "A bare `pip` may belong to another interpreter than the `python` you think of. "
        "`python -m pip` always installs for that `python`.",
        bad="pip install requests",
        good="python -m pip install requests",
    ),
    Rule(
        "VG307",
        "pip-in-conda",
        "warning",
        False,
        "`pip install` into an active conda environment",
        "pip and conda keep separate records; mixing them in one environment leads to "
        "inconsistent, hard to reproduce environments. Prefer `conda install`, or list pip "
        "packages in `environment.yml`.",
        bad="conda activate app && pip install numpy",
        good="conda install numpy",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in _RULES}
ALL_CODES: tuple[str, ...] = tuple(RULES)
