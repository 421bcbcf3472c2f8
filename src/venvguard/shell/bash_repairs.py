"""Rewrites of shell code that tree-sitter-bash would misread, each keeping every length.

tree-sitter-bash loses the rest of a file at a few constructs bash reads without trouble.
Each rewrite here replaces such a construct with one the parser reads the same way bash
does, byte for byte as long, so every position found in the rewritten code is true of the
original.
"""

from __future__ import annotations

import re

_EXPANSION_WITH_SEMICOLON = re.compile(rb"\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=+?][^{}\n;]*;[^{}\n]*\}")


def _semicolons_out(match: re.Match[bytes]) -> bytes:
    return match.group(0).replace(b";", b",")


# [[ $x = *" "* ]]: tree-sitter-bash cannot parse a quoted blank in a pattern after "="
# (it can after "=="), and loses the rest of the file.
_QUOTED_BLANK_PATTERN = re.compile(rb'(\[\[[^\]\n]*?\s!?=\s+[^\s\]]*")([ \t]+)(")')


# test a == b, echo x =~ y: in a { } or ( ) group, tree-sitter-bash reads the rest of the
# group as a regex. Outside [ ] and [[ ]], where the parser needs it, and outside quotes,
# "=" reads the same.
_DOUBLE_EQUALS = re.compile(rb"(?m)^([^\n\[]*?[ \t])(?:==|=~)(?=[ \t])")


def _single_equals(match: re.Match[bytes]) -> bytes:
    before = match.group(1)
    if before.count(b"'") % 2 or before.count(b'"') % 2:
        return match.group(0)  # in a string: python -c 'sys.prefix == sys.base_prefix'
    return before + b"= "


# {{ expression }} and {% statement %} of a template (Jinja, Go): a placeholder word and
# nothing, of the same lengths; not GitHub's ${{ }}, read as an unknown value elsewhere.
_TEMPLATE_TAG = re.compile(rb"(?<!\$)\{\{[^\n]*?\}\}|\{%[^\n]*?%\}")


def _template_tag_out(match: re.Match[bytes]) -> bytes:
    tag = match.group(0)
    return (b"_" if tag.startswith(b"{{") else b" ") * len(tag)


def _blanks_out(match: re.Match[bytes]) -> bytes:
    return match.group(1) + b"_" * len(match.group(2)) + match.group(3)


# cat <<EOF|sh, cat <<A; cmd: tree-sitter-bash reads "EOF|sh" as the delimiter and the rest
# of the file as the heredoc's body. The shell ends the word at the metacharacter; the blank
# before "<<" moved after the word says the same in as many bytes.
_HEREDOC_WORD_AT_METACHARACTER = re.compile(rb"([ \t])(<<-?[A-Za-z0-9_]+)(?=[;|&<>()])")


def _heredoc_word_ended(match: re.Match[bytes]) -> bytes:
    return match.group(2) + match.group(1)


# \sudo (a command word escaped against aliases) at the very start of a line: tree-sitter-bash
# joins the line to the one before (not when it is indented). The backslash only stops alias
# expansion: a blank.
_ESCAPED_COMMAND_WORD = re.compile(rb"(?m)^\\(?=[A-Za-z_])")


def repaired(source: bytes) -> bytes:
    """``source`` with every construct tree-sitter-bash misreads rewritten; lengths kept."""
    if b"${" in source and b";" in source:
        # tree-sitter-bash loses the rest of the file at a ";" inside ${name:-a;b}, which
        # bash reads as text; a "," of the same length keeps every position.
        source = _EXPANSION_WITH_SEMICOLON.sub(_semicolons_out, source)
    if b"{{" in source or b"{%" in source:
        source = _TEMPLATE_TAG.sub(_template_tag_out, source)
    if b"==" in source or b"=~" in source:
        source = _DOUBLE_EQUALS.sub(_single_equals, source)
    if b"[[" in source and b'" "' in source:
        source = _QUOTED_BLANK_PATTERN.sub(_blanks_out, source)
    if b"<<" in source:
        source = _HEREDOC_WORD_AT_METACHARACTER.sub(_heredoc_word_ended, source)
    if b"\n\\" in source or source[:1] == b"\\":
        source = _ESCAPED_COMMAND_WORD.sub(b" ", source)
    return source
