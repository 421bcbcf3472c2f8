"""``venvguard rules [CODE]``: list every rule, or explain one with an example."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from venvguard.config import ConfigError
from venvguard.rules import RULES, RULES_BY_NAME, Rule


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list the rules, or explain one",
        description="List every rule, or explain one.",
    )
    parser.add_argument(
        "code", nargs="?", metavar="CODE", help="a rule code (VG301) or name (sudo-install)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(run=run)


def _as_dict(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity,
        "default": "on" if rule.default_enabled else "off",
        "fixable": rule.fixable,
        "summary": rule.summary,
        "explanation": rule.explanation,
        "bad": rule.bad,
        "good": rule.good,
    }


def _explain(rule: Rule) -> str:
    state = "on by default" if rule.default_enabled else "off by default (select it to use it)"
    parts = [
        f"{rule.code} ({rule.name}): {rule.summary}",
        f"Severity: {rule.severity}; {state}" + ("; fixable with --fix" if rule.fixable else ""),
        "",
        textwrap.fill(rule.explanation, width=88),
    ]
    if rule.bad:
        parts += ["", "Flagged:", textwrap.indent(rule.bad, "    ")]
    if rule.good:
        parts += ["", "Instead:", textwrap.indent(rule.good, "    ")]
    return "\n".join(parts) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.code:
        rule = RULES.get(args.code.upper()) or RULES_BY_NAME.get(args.code.lower())
        if rule is None:
            raise ConfigError(f"unknown rule {args.code!r}; `venvguard rules` lists them")
        if args.format == "json":
            sys.stdout.write(json.dumps(_as_dict(rule), indent=2) + "\n")
        else:
            sys.stdout.write(_explain(rule))
        return 0
    if args.format == "json":
        sys.stdout.write(json.dumps([_as_dict(r) for r in RULES.values()], indent=2) + "\n")
        return 0
    for rule in RULES.values():
        flags = ("" if rule.default_enabled else " (off)") + (" [*]" if rule.fixable else "")
        sys.stdout.write(f"{rule.code}  {rule.name:<30} {rule.severity:<8} {rule.summary}{flags}\n")
    sys.stdout.write("\n[*] fixable with --fix; (off) not selected by default.\n")
    return 0
