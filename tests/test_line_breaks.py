"""A line ends at \\n, \\r\\n or \\r, in every parser: the other characters str.splitlines() breaks at
(U+2028, U+2029, \\x0b, \\x0c, \\x85, \\x1c-\\x1e) are text. Long lines parse in linear time."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.detect import detect_kind, parse_text
from annotator.formats.hf_list import parse_paper_list
from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.model import LECTURE_PAGE
from annotator.formats.session_post import parse_session_post
from annotator.formats.textfile import decode_text
from annotator.formats.textlines import line_ending, split_lines

OTHER_BREAKS = ["\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1d", "\x1e"]
ids = [f"U+{ord(c):04X}" for c in OTHER_BREAKS]


@pytest.mark.parametrize("text", ["", "a", "a\n", "a\r\nb\rc\nd", "\n\n", "\r", "a\r\r\nb", "x\u2028y\nz\x0c\r", "\x85\x85"])
def test_split_lines_splits_at_newline_return_and_both_only(text):
    lines = split_lines(text, keepends=True)
    assert "".join(lines) == text
    assert all(line[:-1].find("\n") < 0 and "\r" not in line.rstrip("\r\n") for line in lines)
    assert split_lines(text) == [line.rstrip("\r\n") if line.endswith(("\n", "\r")) else line for line in lines]
    if not any(c in text for c in OTHER_BREAKS):
        assert lines == text.splitlines(keepends=True)


def test_line_ending_is_the_files_own():
    assert [line_ending(split_lines(t, keepends=True)) for t in ("a\rb\n", "a\r\nb", "a\nb\r", "a")] == ["\r", "\r\n", "\n", "\n"]


POST = """---
title: Separators
---

## Required Readings:

### Paper One{c}with a separator
  + https://arxiv.org/abs/1706.03762
  + An abstract that runs on{c}past the separator and is long enough to be read as one.
  + Team: team-2

### Paper Two
  + https://arxiv.org/abs/1810.04805
"""


@pytest.mark.parametrize("char", OTHER_BREAKS, ids=ids)
def test_separators_in_a_post_are_text(char):
    post = parse_session_post(POST.format(c=char), "S1.md")
    # (a title's whitespace is folded to single spaces, and these characters are whitespace)
    assert [r.paper.title for r in post.readings] == ["Paper One with a separator", "Paper Two"]
    first = post.readings[0]
    assert first.paper.abstract == f"An abstract that runs on{char}past the separator and is long enough to be read as one."
    assert first.team == "team-2"


@pytest.mark.parametrize("char", OTHER_BREAKS, ids=ids)
def test_separators_in_a_lecture_page_keep_its_lines_where_the_writer_sees_them(char):
    text = f"---\ntitle: L\n---\nIntro{char}more\n**Paper:** [Attention](https://arxiv.org/abs/1706.03762)<br>\n+ Team: team-1\n"
    page = parse_lecture_page(text, "L1.md")
    assert page.readings[0].span == (4, 6) and page.readings[0].team == "team-1"


@pytest.mark.parametrize("char", OTHER_BREAKS, ids=ids)
def test_separators_in_a_paper_list_do_not_split_an_abstract(char):
    abstract = f"We study{char}how models learn, and we show that they learn well in every case we tried."
    text = f"Paper Title One\n{abstract}\nPaper Title Two\n{abstract}\n"
    assert [(p.title, p.abstract) for p in parse_paper_list(text, "list").papers] == [
        ("Paper Title One", abstract), ("Paper Title Two", abstract)]


def test_cr_only_lecture_page_is_detected_as_one():
    text = "---\rtitle: Lecture\r---\r### Topic\r**Paper:** [Attention](https://arxiv.org/abs/1706.03762)<br>\r"
    assert detect_kind(text) == LECTURE_PAGE
    assert [r.paper.title for r in parse_text(text, "L.md", "L").readings] == ["Attention"]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_bad_byte_is_reported_on_its_own_line_whatever_the_line_endings(ending):
    data = ending.join(["---", "title: x", "---", "fine"]).encode() + ending.encode() + b"caf\xe9\x00"
    with pytest.raises(AnnotatorError) as error:
        decode_text(data, "p.md")
    assert error.value.line == 5
    with pytest.raises(AnnotatorError) as error:
        decode_text(data.replace(b"\x00", b""), "p.md")
    assert error.value.line == 5


MB = 1_000_000
LONG_LINES = {
    "notes start line": "<!--notes" + " " * MB + "x",
    "notes start then spaces": "<!--notes-->" + " " * MB + "x",
    "backtick run, two words": "`" * MB + " a b",
    "tilde run": "~" * MB,
    "fence and spaces": "```" + " \t" * MB + "x",
    "end lines": "<!--/notes" * (MB // 10),
    "separators": "\u2028" * MB,
    "marker-like": "<!--excerpt.start" * (MB // 17),
}


@pytest.mark.parametrize("name", sorted(LONG_LINES))
def test_one_megabyte_lines_in_a_blog_parse_and_write_quickly(name):
    """Each long line sits in a notes section, a notes region and a reading block; the post is
    parsed and written again in a child process that must finish within 30 s (a quadratic scan
    would take hours)."""
    code = textwrap.dedent(f"""
        import sys
        from annotator.formats.post_writer import render_session
        from annotator.formats.session_post import parse_session_post
        from tests.test_line_breaks import LONG_LINES
        line = LONG_LINES[{name!r}]
        text = ("---\\ntitle: T\\n---\\n\\n## Readings\\n\\n### Paper One\\n+ " + line + "\\n\\n"
                "<!--excerpt.start-->\\n\\n## Paper One\\n\\n" + line + "\\n\\n## x\\n\\n<!--notes-->\\n" + line + "\\n"
                + "## y\\n\\n<!--notes-->\\n" * 20000)
        post = parse_session_post(text, "S.md")
        post.readings[0].source_index = 0
        post.readings[0].notes = line + "\\n# h"
        render_session(parse_session_post(text, "S.md"), post)
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
