"""The code blocks of a plain Markdown document, found without a Markdown parser.

Importing markdown-it costs a cold check more than everything else it does on a small
repository, and most documents need none of it: their fences open at the left margin, and
nothing around them changes what a line means. ``plain_blocks`` reads those documents line
by line and gives what markdown-it would give; for anything else (a fence in a list or a
blockquote, an HTML block, a possible indented code block, a multi-line link definition,
tabs in indentation) it answers ``None`` and the caller asks markdown-it.

Why a fence at the left margin needs no parser: it cannot be the continuation of a list
item or a blockquote (it is not indented, and only paragraph text continues lazily), it
interrupts a paragraph, and an indented code block cannot hold it. What remains able to
swallow it, an HTML block or a link title over several lines, sends the document to the
parser.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Block(NamedTuple):
    """A code block as markdown-it gives it: its kind, first line (0-based), text, info."""

    kind: str  # "fence" or "code_block"
    line: int
    content: str
    info: str


_OPENER = re.compile(r"(`{3,}|~{3,})(.*)")
# Container markers (blockquote, bullet, ordered) in front of a line's own content.
_CONTAINERS = re.compile(r"[ ]*(?:(?:>|(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$))[ \t]*)*")
# A marker followed by five spaces opens an indented code block inside its container.
_MARKER_THEN_CODE = re.compile(r"(?:>|[-+*]|[0-9][.)]) {5,}\S")
_HEADING_OR_BREAK = re.compile(
    r"#{1,6}(?:[ \t]|$)|(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$"
)
_LABEL_OPEN = re.compile(r"[ ]{0,3}\[[^\]]*$")
_DEFINITION = re.compile(
    r"""[ ]{0,3}\[[^\[\]]+\]:[ \t]*(?:<[^<>\n]*>|[^\s<]+)[ \t]*"""
    r"""(?:(?<=[ \t])(?:"[^"]*"|'[^']*'|\([^()]*\))[ \t]*)?$"""
)
_TITLE_START = re.compile(r"[ \t]*[\"'(]")
# HTML blocks that end at a marker rather than at a blank line (CommonMark types 1 to 5).
_HTML_UNTIL_MARKER = (
    (
        re.compile(r"<(?:script|pre|style|textarea)(?=\s|>|$)", re.IGNORECASE | re.ASCII),
        re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE | re.ASCII),
    ),
    (re.compile(r"<!--"), re.compile(r"-->")),
    (re.compile(r"<\?"), re.compile(r"\?>")),
    (re.compile(r"<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
)


def plain_blocks(text: str) -> list[Block] | None:
    """The code blocks of ``text``, or None when only a Markdown parser can tell them."""
    if "\0" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    # As markdown-it counts lines: a last line of only blanks without its line break is none.
    if not lines[-1].strip(" \t"):
        lines.pop()
        text += "\n"
    blocks: list[Block] = []
    # Whether the line before could start an indented code block after it: a blank line, a
    # heading, a thematic break, a fence's end or a link definition, not paragraph text.
    opens_code = True
    after_definition = False
    # Inside an HTML block or a paragraph that began with a tag: until a blank line a fence
    # may be HTML or may interrupt the paragraph.
    in_tag_block = False
    in_quote = False  # in a blockquote, or its paragraph's lazy continuation
    index = 0
    while index < len(lines):
        line = lines[index]
        opener = _OPENER.match(line)
        if opener is not None:
            if in_tag_block:
                return None
            marker, info = opener.group(1), opener.group(2)
            if marker[0] == "`" and "`" in info:
                return None  # not a fence but a code span: the parser decides
            end = _closing_line(lines, index + 1, marker)
            body = "".join(f"{content}\n" for content in lines[index + 1 : end])
            if end == len(lines) and not text.endswith("\n"):
                body = body[:-1]  # the document's last line, without a line break
            blocks.append(Block("fence", index, body, info))
            index = end + 1
            opens_code, after_definition = True, False
            continue
        if line.startswith("<"):
            html_end = _html_end(lines, index)
            if html_end is not None:
                if in_tag_block:
                    return None  # HTML of the block before, or a block of its own
                index = html_end + 1  # a comment, script or the like: HTML to its end marker
                opens_code, after_definition = True, False
                continue
            in_tag_block = True
        elif not line.strip():
            in_tag_block = False
        if not _plain(line, opens_code, after_definition):
            return None
        prefix = _container_prefix(line)
        own = line[prefix:].strip()
        defines = "]:" in line
        if ">" in line[:prefix]:
            in_quote = True
        elif not own:
            in_quote = False
        opens_code = (
            not own
            or defines
            or in_quote  # markdown-it may end a quote's paragraph before an indented line
            or own.startswith("<")  # where an HTML block may end
            or _HEADING_OR_BREAK.match(own) is not None
        )
        after_definition = defines
        index += 1
    return blocks


def _closing_line(lines: list[str], start: int, marker: str) -> int:
    """The index of the line that closes a fence opened with ``marker`` (or the end)."""
    closer = re.compile(rf"[ ]{{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
    for index in range(start, len(lines)):
        if closer.match(lines[index]):
            return index
    return len(lines)


def _html_end(lines: list[str], start: int) -> int | None:
    """The last line of the HTML block of a type that ends at a marker, opened at ``start``."""
    for opening, closing in _HTML_UNTIL_MARKER:
        if opening.match(lines[start]):
            for index in range(start, len(lines)):
                if closing.search(lines[index]):
                    return index
            return len(lines) - 1
    return None


def _container_prefix(line: str) -> int:
    """How many characters of ``line`` are blockquote and list markers."""
    match = _CONTAINERS.match(line)
    return match.end() if match is not None else 0


def _plain(line: str, opens_code: bool, after_definition: bool) -> bool:
    """Whether a line outside any fence means the same with or without a parser."""
    if "```" in line or "~~~" in line:
        return False  # a fence in a container or indented, or code spans: the parser decides
    prefix = line[: _container_prefix(line)]
    rest = line[len(prefix) :]
    if "\t" in prefix or "\t" in rest[: len(rest) - len(rest.lstrip())]:
        return False  # tabs count to the next multiple of four: the parser decides
    indent = len(line) - len(line.lstrip(" "))
    if rest.strip() and indent >= 4 and opens_code:
        return False  # a possible indented code block
    if _MARKER_THEN_CODE.search(prefix + rest[:1]):
        return False  # a list item or quote that starts with indented code
    if 1 <= indent <= 3 and line[indent:].startswith("<"):
        return False  # HTML in a list item or at the top level: the parser decides
    if _LABEL_OPEN.match(line):
        return False  # a link label going on to the next line
    if "]:" in line and not _DEFINITION.match(line):
        return False  # a link definition whose title may go on for lines
    # A link title may also start on the line after its definition.
    return not (after_definition and _TITLE_START.match(line))
