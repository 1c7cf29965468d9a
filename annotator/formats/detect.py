"""Which kind of file a text is, told from its content (the seeds are all `.txt`), and its parse.

In order:
  1. front matter and a readings section (`## Required Readings:` …) → session post;
  2. front matter and `Paper:` lines or `---` slide separators in the body → lecture page;
  3. front matter otherwise → session post (a Jekyll post with no readings yet is still a session);
  4. no front matter, a `# ` heading first and a date line (`20240125`) near the top → slide outline;
  5. Hugging Face page chrome, or title lines alternating with abstract lines → paper list.
Only the part before a blog (`<!--excerpt.start-->`) is looked at: a blog may hold anything.
"""

from __future__ import annotations

import re

from annotator.errors import AnnotatorError
from annotator.formats.blog import EXCERPT_MARKER
from annotator.formats.frontmatter import FrontMatterBlock, front_matter_in_lines
from annotator.formats.hf_list import CHROME_HINT, content_lines, looks_like_abstract, parse_paper_list
from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.model import LECTURE_PAGE, PAPER_LIST, SESSION_POST, SLIDE_OUTLINE, PaperList, Session
from annotator.formats.slide_outline import HEADER_LINES, outline_date, parse_slide_outline
from annotator.formats.textfile import BOM
from annotator.formats.textlines import split_lines

NOT_IMPORTABLE = "not a file annotator can import (no front matter, slide outline or paper list found)"

# `## Readings:`, `## Required Readings:`, `## More readings`, `## Require Readings:` [sic]…
_READINGS_HEADING = re.compile(r"^ {0,3}##[ \t]++.*\breadings?\b", re.IGNORECASE | re.MULTILINE)
_PAPER_LINE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+)?\*\*[ \t]*+papers?[ \t]*+\**+[ \t]*+:|^ {0,3}#{1,6}[ \t]+papers?[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
_TOP_HEADING = re.compile(r"^ {0,3}#[ \t]+\S")
_SAMPLE_LINES = 40  # enough lines of a paper list to see its rhythm
_MIN_PAIRS = 2


def detect_kind(text: str) -> str:
    """SESSION_POST, LECTURE_PAGE, SLIDE_OUTLINE or PAPER_LIST, judged from TEXT's content.

    Raises AnnotatorError when it is none of them, or when its front matter is never closed.
    """
    return _detect(text)[0]


def _detect(text: str) -> tuple[str, list[str], FrontMatterBlock | None]:
    """(detect_kind(TEXT), TEXT's lines with their line breaks when it has front matter, else [],
    and the front matter's block)."""
    opens = text.startswith(("---", BOM + "---"))  # front matter's first line is `---`
    lines = split_lines(text, keepends=True) if opens else []  # (a paper list can be long)
    block = front_matter_in_lines(lines)
    if block is not None:
        body = _before_blog(lines[block.close_line + 1 :])
        if _READINGS_HEADING.search(body):
            return SESSION_POST, lines, block
        if _PAPER_LINE.search(body) or _SEPARATOR.search(body):
            return LECTURE_PAGE, lines, block
        return SESSION_POST, lines, block
    rows = _first_lines(text.removeprefix(BOM))
    if _is_slide_outline(rows):
        return SLIDE_OUTLINE, [], None
    if _is_paper_list(rows):
        return PAPER_LIST, [], None
    raise AnnotatorError(NOT_IMPORTABLE, None, 1)


def parse_text(text: str, path: str, name: str) -> Session | PaperList:
    """Detect TEXT's kind and parse it; NAME names a paper list. Errors carry PATH."""
    try:
        kind, lines, block = _detect(text)
    except AnnotatorError as exc:
        raise exc.located(path) from None
    if kind == SESSION_POST:
        from annotator.formats.session_post import parse_session_block  # its own module, its own owner

        return parse_session_block(text, lines, block, path)  # (detection split the text, found the block)
    if kind == LECTURE_PAGE:
        return parse_lecture_page(text, path)
    if kind == SLIDE_OUTLINE:
        return parse_slide_outline(text, path)
    return parse_paper_list(text, name, path)


def _before_blog(lines: list[str]) -> str:
    """The LINES before the blog part, joined with `\\n` line breaks (what the `^`/`$` of the
    MULTILINE regexes above stand next to: a CR-only file's lines would all be one to them)."""
    text = "".join(lines)
    if "<" in text and EXCERPT_MARKER in text:  # most files: no need to look at each line
        end = next((i for i, line in enumerate(lines) if line.strip() == EXCERPT_MARKER), len(lines))
        text = "".join(lines[:end])
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _first_lines(text: str) -> list[str]:
    """TEXT's lines as far as detection looks at them: the first 80, and 15 past the first non-blank one.

    (A paper list can be megabytes long: splitting all of it only to look at its top took longer
    than the rest of detection.)
    """
    size = 16_384
    while size < len(text):
        rows = split_lines(text[:size])
        rows.pop()  # perhaps cut short
        first = next((i for i, line in enumerate(rows) if line.strip()), None)
        if first is not None and len(rows) >= max(first + 1 + HEADER_LINES, 2 * _SAMPLE_LINES):
            return rows
        size *= 4
    return split_lines(text)


def _is_slide_outline(lines: list[str]) -> bool:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not _TOP_HEADING.match(lines[first]):
        return False
    return any(outline_date(line) for line in lines[first + 1 : first + 1 + HEADER_LINES])


def _is_paper_list(lines: list[str]) -> bool:
    if any(CHROME_HINT.search(line) for line in lines[:_SAMPLE_LINES]):
        return True
    # Without chrome: short title lines and long abstract lines taking turns, and no Markdown.
    sample = content_lines("\n".join(lines[: _SAMPLE_LINES * 2]))[:_SAMPLE_LINES]
    if len(sample) < 2 * _MIN_PAIRS or any(line.startswith(("#", "[", "<", "|", "- ", "* ")) for line in sample):
        return False
    shapes = [looks_like_abstract(line) for line in sample]
    if len(sample) % 2:
        shapes.pop()  # a last title may have lost its abstract
    return all(shapes[i] != shapes[i + 1] and not shapes[i] for i in range(0, len(shapes), 2))
