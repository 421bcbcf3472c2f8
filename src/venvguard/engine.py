"""The pipeline: project -> checks -> filter -> result. Nothing here prints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from venvguard.checks import FAMILIES
from venvguard.config import Config
from venvguard.context import Context
from venvguard.findings import FileEdit, Finding, Notice
from venvguard.project import Project
from venvguard.records import Record
from venvguard.rules import RULES
from venvguard.selection import GlobMatcher, Suppressions


class InternalError(Exception):
    """A bug or an environment problem inside venvguard itself (exit status 2)."""


class Result(Record):
    """What one check of one project found."""

    __slots__ = ("project", "findings", "notices", "files_checked", "edits")

    def __init__(
        self,
        project: Project,
        findings: list[Finding],
        notices: list[Notice],
        files_checked: int,
        edits: list[FileEdit] | None = None,
    ) -> None:
        self.project = project
        self.findings = findings
        self.notices = notices
        self.files_checked = files_checked
        self.edits: list[FileEdit] = [] if edits is None else edits

    @property
    def errors(self) -> int:
        return sum(RULES[f.code].severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(RULES[f.code].severity == "warning" for f in self.findings)

    def failed(self, strict: bool) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


def _collect(ctx: Context) -> tuple[list[Finding], list[Notice]]:
    findings: list[Finding] = []
    notices: list[Notice] = []
    if not ctx.project.is_git:
        from venvguard.project import plain_folder_notice

        why = plain_folder_notice(ctx.project.root)
        if why is not None:
            notices.append(why)
    for family in FAMILIES:
        if not any(code.startswith(family.prefix) for code in ctx.selected):
            continue
        try:
            for item in family.load().run(ctx):
                if isinstance(item, Notice):
                    notices.append(item)
                elif item.code in ctx.selected:
                    findings.append(item)
        except Exception as error:  # a bug of ours: say where, never a traceback
            raise InternalError(
                f"{family.prefix} checks failed on {ctx.project.root}: "
                f"{type(error).__name__}: {error}"
            ) from error
    excluded = GlobMatcher(ctx.config.exclude) if ctx.config.exclude else None
    if excluded is not None:
        findings = [f for f in findings if not excluded(f.path)]
        notices = [n for n in notices if not excluded(n.path)]
    findings = Suppressions(ctx.project, ctx.config.per_file_ignores).filter(findings)
    # Whole-file findings (line None) sort before line findings of the same file.
    return (
        sorted(
            set(findings),
            key=lambda f: (f.path, f.line or 0, f.column or 0, f.code, f.package or ""),
        ),
        sorted(set(notices), key=lambda n: (n.path, n.line or 0, n.message)),
    )


def _proposed_edits(ctx: Context, findings: Sequence[Finding]) -> list[FileEdit]:
    edits: list[FileEdit] = []
    for family in FAMILIES:
        mine = [f for f in findings if f.code.startswith(family.prefix) and f.fix]
        if not mine:
            continue
        fixer = family.fixer()
        if fixer is not None:
            edits.extend(fixer(ctx, mine))
    return [edit for edit in edits if edit.new != edit.old]


def _writable(root: Path, edits: list[FileEdit]) -> tuple[list[FileEdit], list[Notice]]:
    """Keep the edits that are safe to write: never through a link, never onto a non-file."""
    safe: list[FileEdit] = []
    refused: list[Notice] = []
    for edit in edits:
        target = root / edit.path
        if target.is_symlink():
            refused.append(Notice(edit.path, None, "not fixed: it is a symbolic link"))
        elif target.exists() and not target.is_file():
            refused.append(Notice(edit.path, None, "not fixed: it is not a regular file"))
        else:
            safe.append(edit)
    return safe, refused


def check_project(
    root: Path,
    config: Config,
    selected: frozenset[str],
    paths: tuple[str, ...] | None = None,
    *,
    is_git: bool,
    fix: bool = False,
    diff: bool = False,
) -> Result:
    """Check the project at ``root``; with ``fix`` apply safe fixes and check again."""

    def fresh_context() -> Context:
        project = Project(root=root, is_git=is_git, max_file_size=config.max_file_size)
        return Context(project=project, config=config, selected=selected, paths=paths)

    ctx = fresh_context()
    findings, notices = _collect(ctx)
    if not (fix or diff):
        return Result(ctx.project, findings, notices, len(ctx.files_checked))
    edits, refused = _writable(root, _proposed_edits(ctx, findings))
    notices = sorted({*notices, *refused})
    if diff or not edits:
        return Result(ctx.project, findings, notices, len(ctx.files_checked), edits)
    from venvguard.fileio import write_atomic

    written: list[FileEdit] = []
    for edit in edits:
        # The file must still be what the checks read: another venvguard (pre-commit runs
        # several at once) may have fixed it meanwhile, and its fix must not be applied twice.
        read_earlier = ctx.project.read_hash(edit.path)
        stale = read_earlier is not None and edit.old is not None and hash(edit.old) != read_earlier
        if not stale and write_atomic(root / edit.path, edit.new, expected=edit.old):
            written.append(edit)
        else:
            refused.append(Notice(edit.path, None, "not fixed: the file changed while checking"))
    ctx = fresh_context()
    findings, after = _collect(ctx)
    return Result(
        ctx.project, findings, sorted({*after, *refused}), len(ctx.files_checked), written
    )


__all__ = ["InternalError", "Result", "check_project"]
