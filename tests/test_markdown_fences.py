"""The parser-free reading of plain Markdown gives exactly what markdown-it gives.

``fences.plain_blocks`` either answers with the code blocks of a document or declines; when
it answers, the answer must equal markdown-it's, block for block (kind, first line, text,
info string). Generated documents mix every construct that could change what a fence
means: lists, blockquotes, HTML blocks, link definitions, indented code, tabs, code spans.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from venvguard.sources.fences import Block, plain_blocks

from .conftest import Repo, imported_modules, run_cli
from .fuzzing import profile

PROFILE = profile("fences", default=300, thorough=20000)

LINES = [
    *["", "   ", "text", "sudo pip install x", "# Title", "## h", " # h", "#nohash"],
    *["---", "***", "* * *", "===", "- - -", "___"],
    *["- item", "* item", "+ item", "1. item", "2) item", "-", "10. x", "- # h", "> # h"],
    *["> quote", ">", "> ```", "- ```bash", "1. ```", "  ```", "   ```", "    ```"],
    *["```", "```bash", "````", "`````sh", "~~~", "~~~ sh", "~~~~", "``` x`y", "~~~ a`b"],
    *["```{.bash}", "``` ", "```   ", "```\t", "  ~~~", "text ``` more", "``code``"],
    *["    code", "     code", "\tcode", "  \tcode", "-     code", ">     code", ">\tcode"],
    *["- a", "  - b", "    - c", "      deep", "  more", "1.  x", "- \tx"],
    *["<div>", "</div>", "<!-- c", "-->", "<!-- c -->", "<script>", "</script>", "<pre>"],
    *["<?php", "?>", "<!DOCTYPE html>", "<![CDATA[", "]]>", "  <div>", "<span>", "<img src=x>"],
    *['<p align="center">', "</p>", "<details>", "<", "<x", "<!-->", "<a href='x'>y</a>"],
    *["[a]: /u", "[a]: /u 'title", "'", '"t"', "[a", "b]: /u", "[a]: <x y>", "(t)"],
    *["[a]:", "  /u", "[![b](x)](y)", "[x] y", "see [1]: z", "\\```", "&amp;", "\x00"],
]

md = MarkdownIt("commonmark").disable("inline")


def reference(text: str) -> list[Block]:
    return [
        Block(token.type, token.map[0], token.content, token.info)
        for token in md.parse(text)
        if token.type in {"fence", "code_block"} and token.map is not None
    ]


@settings.get_profile(PROFILE)
@given(
    st.lists(st.sampled_from(LINES) | st.text("`~<>-*# \t[]:'\"x!", max_size=8), max_size=25),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_an_answer_is_always_markdown_its_answer(lines: list[str], eol: str, end: bool) -> None:
    text = eol.join(lines) + (eol if end else "")
    fast = plain_blocks(text)
    if fast is not None:
        assert fast == reference(text)


README = """\
<p align="center"><img src="logo.png"></p>

<!--
```bash
sudo pip install hidden-in-a-comment
```
-->

# demo [![ci](https://x/badge.svg)](https://x)

A tool.

- fast
- small
  and plain

1. Make a venv:

```console
$ python -m venv .venv
$ . .venv/bin/activate
```

> Note: the quote ends before the fence.
```sh
sudo pip install demo
```

[docs]: https://example.org "Docs"
~~~
unclosed
"""


def test_a_common_readme_is_read_without_the_parser_and_as_the_parser_reads_it() -> None:
    fast = plain_blocks(README)
    assert fast is not None
    assert fast == reference(README)
    assert [(block.line, block.info) for block in fast] == [(18, "console"), (24, "sh"), (29, "")]


def test_documents_that_need_the_parser_are_declined() -> None:
    nested = "- step:\n\n  ```sh\n  sudo pip install x\n  ```\n"
    tagged = "<div>\n```sh\nsudo pip install x\n```\n</div>\n"
    indented = "# Install\n\n    sudo pip install x\n"
    titled = "[a]: /u '\n```sh\n'\n"
    for text in (nested, tagged, indented, titled):
        assert plain_blocks(text) is None, text


def test_a_check_of_a_plain_readme_finds_its_install_without_importing_markdown_it(
    repo: Repo,
) -> None:
    repo.write("README.md", README)
    repo.commit()
    modules = imported_modules(repo, "check", "--select", "VG3", "--no-cache")
    assert "venvguard.sources.fences" in modules  # the document was read
    assert not any(m == "markdown_it" or m.startswith("markdown_it.") for m in modules)
    out = run_cli("check", "--select", "VG3", "--no-cache", cwd=repo.path).out
    assert "README.md:26:1: VG301" in out
    assert "hidden-in-a-comment" not in out


def test_a_readme_with_a_fence_in_a_list_is_still_read_whole(repo: Repo) -> None:
    repo.write("README.md", "- step:\n\n  ```sh\n  sudo pip install x\n  ```\n")
    repo.commit()
    out = run_cli("check", "--select", "VG3", "--no-cache", cwd=repo.path).out
    assert "README.md:4:3: VG301" in out


def test_a_comment_inside_an_html_block_does_not_hide_the_fence_after_the_block() -> None:
    text = "<div>\n<!--\n\n```sh\nsudo pip install x\n```\n-->\n"
    assert plain_blocks(text) in (None, reference(text))
    assert [block.line for block in reference(text)] == [3]
