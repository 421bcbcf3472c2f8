"""The GitHub Action's check step: ``python -m venvguard.action`` (see ``action.yml``).

Inputs arrive as ``INPUT_*`` environment variables (``action.yml`` maps them through
``env:``, never into the script). One check, rendered four ways: the text report in a
collapsed log group, annotations (workflow commands), the Markdown report appended to
``$GITHUB_STEP_SUMMARY``, and optionally SARIF. Outputs go to ``$GITHUB_OUTPUT``.

Exit status: 1 when findings reach ``fail-on`` (``error``: failing findings, so warnings
too under ``strict``; ``warning``: any finding; ``never``), 2 for a bad input,
configuration or internal error, else 0.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from venvguard.cli import build_parser
from venvguard.config import ConfigError
from venvguard.engine import InternalError, Result
from venvguard.reporters import RenderOptions, get_reporter
from venvguard.reporters.github import escape_data

FAIL_ON = ("error", "warning", "never")
_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off", "")


class InputError(Exception):
    """An input of the action has a value it cannot use."""


@dataclass(frozen=True)
class Inputs:
    paths: tuple[str, ...]
    select: str
    ignore: str
    fresh: bool
    fail_on: str
    sarif_file: str
    args: tuple[str, ...]


def _split(name: str, value: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(value))
    except ValueError as error:
        raise InputError(f"input {name!r}: {error}") from None


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The action's inputs from ``INPUT_*`` variables, checked."""

    def get(name: str) -> str:
        return env.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip()

    fresh = get("fresh").lower()
    if fresh not in _TRUE + _FALSE:
        raise InputError(f"input 'fresh' must be true or false, not {get('fresh')!r}")
    fail_on = get("fail-on").lower() or "error"
    if fail_on not in FAIL_ON:
        raise InputError(f"input 'fail-on' must be error, warning or never, not {fail_on!r}")
    sarif_file = get("sarif-file")
    if "\n" in sarif_file or "\r" in sarif_file:
        raise InputError("input 'sarif-file' must be one path")
    return Inputs(
        paths=_split("path", get("path")) or (".",),
        select=get("select").replace(" ", ""),
        ignore=get("ignore").replace(" ", ""),
        fresh=fresh in _TRUE,
        fail_on=fail_on,
        sarif_file=sarif_file,
        args=_split("args", get("args")),
    )


def check_argv(inputs: Inputs) -> list[str]:
    """The ``venvguard check`` command line that the inputs stand for."""
    argv = ["check", *inputs.args]
    if inputs.select:
        argv += ["--select", inputs.select]
    if inputs.ignore:
        argv += ["--ignore", inputs.ignore]
    if inputs.fresh:
        argv.append("--fresh")
    return [*argv, *inputs.paths]


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text)


def _fails(results: Sequence[Result], strict: bool, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    if fail_on == "warning":
        return any(r.findings for r in results)
    return any(r.failed(strict) for r in results)


def _error(message: str) -> int:
    print(f"::error title=venvguard::{escape_data(message)}", flush=True)
    print(f"venvguard: error: {message}", file=sys.stderr)
    return 2


def run(env: Mapping[str, str]) -> int:
    try:
        inputs = read_inputs(env)
    except InputError as error:
        return _error(str(error))
    try:
        args = build_parser().parse_args(check_argv(inputs))
    except SystemExit:  # argparse has said what is wrong on stderr
        return _error(f"bad options for venvguard check: {shlex.join(check_argv(inputs))}")
    from venvguard.commands.check import collect

    try:
        results, strict = collect(args)
    except (ConfigError, InternalError) as error:
        return _error(str(error))
    options = RenderOptions(strict=strict)
    text = get_reporter("text").render(results, options)
    print(f"::group::venvguard report\n{text.rstrip()}\n::endgroup::", flush=True)
    sys.stdout.write(get_reporter("github").render(results, options))
    _append(env.get("GITHUB_STEP_SUMMARY"), get_reporter("markdown").render(results, options))
    sarif_path = ""
    if inputs.sarif_file:
        target = Path(inputs.sarif_file).absolute()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(get_reporter("sarif").render(results, options), encoding="utf-8")
        except OSError as error:
            return _error(f"{inputs.sarif_file}: cannot write: {error.strerror}")
        sarif_path = str(target)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    _append(
        env.get("GITHUB_OUTPUT"),
        f"findings={errors + warnings}\nerrors={errors}\nwarnings={warnings}\n"
        f"sarif-file={sarif_path}\n",
    )
    return 1 if _fails(results, strict, inputs.fail_on) else 0


def main() -> int:
    return run(os.environ)


if __name__ == "__main__":
    sys.exit(main())
