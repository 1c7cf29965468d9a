"""The blog part of a post: the write-up below the readings, and the reading notes it holds.

The blog part starts at the line holding `<!--excerpt.start-->` (the course layouts split the
post there: what comes before is the session's listing) or, in posts without the marker, at the
first bare `# heading`. Inside it, a `## <title>` section whose title matches a reading's title
(compared with `title_key`) is that reading's notes: its body, blank edge lines stripped.
A section ends at the next `#` or `##` heading, so notes cannot hold level-1/2 headings.
Lines inside fenced code blocks are never headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from annotator.formats.model import Reading
from annotator.formats.papers import title_key
from annotator.formats.textfile import BOM

EXCERPT_MARKER = "<!--excerpt.start-->"
BLOG_HEADING = "# Blog:"
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits on

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# `### Title  ` -> ("###", "Title"); the title is "" for `### ` and None for `###`. (Written greedy:
# the same matches as `(?:[ \t]+(.*?))?[ \t]*\Z`, 3-5x faster on a long heading.)
HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+((?:[^\n]*[^ \t\n])?))?[ \t]*\Z")
_SECTION_HEADING = re.compile(r" {0,3}(#{1,2})(?:[ \t]|\Z)")
_TAG = re.compile(r"<[^>]*>")
# What a line that HEADING matches with a single `#` starts with (BOM included, on the first line).
_MAY_BE_TOP_HEADING = re.compile(r"\ufeff? {0,3}#(?!#)")


@dataclass(frozen=True)
class BlogSection:
    """A `## title` section of the blog part: [heading, end) in line indexes."""

    heading: int
    end: int
    title: str


def line_text(line: str) -> str:
    """LINE without its line break."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line and line[-1] in LINE_BREAKS:
        return line[:-1]
    return line


def is_blank(text: str) -> bool:
    """True for an empty or whitespace-only line."""
    return not text.strip()


def scan(lines: list[str], start: int, stop: int) -> Iterator[tuple[int, str, bool]]:
    """Yield (index, text, in_code) for lines[start:stop]; fence lines count as code.

    Fences are tracked from START, so callers start at the body (after the front matter).
    """
    fence = ""
    for index in range(start, stop):
        line = lines[index]
        # line_text(line), written out for the usual `\n` ending: this loop sees every line
        text = line[:-1] if line[-1:] == "\n" and line[-2:-1] != "\r" else line_text(line)
        if index == 0:
            text = text.removeprefix(BOM)
        match = _FENCE.match(text) if "`" in text or "~" in text else None  # `in`: the fast test
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            yield index, text, True
        elif match:
            fence = match.group(1)
            yield index, text, True
        else:
            yield index, text, False


def clean_heading(text: str) -> str:
    """Heading text without HTML tags, `&nbsp;`, bold markers and repeated whitespace."""
    if "<" in text:
        text = _TAG.sub("", text)
    text = text.replace("&nbsp;", " ").replace("**", "")
    return " ".join(text.split())


def find_blog_start(lines: list[str], start: int, after: int | None = None) -> int | None:
    """Index of the first excerpt marker or bare `# heading` at or after AFTER (default START).

    START is where the body begins (code fences are tracked from there).
    """
    after = start if after is None else after
    if not any(_may_start_blog(line) for line in lines[max(start, after) :] if "#" in line or "<" in line):
        return None  # most posts have no blog part: no need to track code fences
    for index, text, code in scan(lines, start, len(lines)):
        if index < after or code:
            continue
        if EXCERPT_MARKER in text:
            return index
        match = HEADING.match(text)
        if match and len(match.group(1)) == 1:
            return index
    return None


def _may_start_blog(line: str) -> bool:
    """False for a line that can be neither an excerpt marker nor a `# heading`, in or out of code."""
    return EXCERPT_MARKER in line or _MAY_BE_TOP_HEADING.match(line) is not None


def blog_sections(lines: list[str], start: int) -> list[BlogSection]:
    """The `## title` sections of the blog part that begins at line START."""
    sections: list[BlogSection] = []
    open_heading: tuple[int, str] | None = None
    for index, text, code in scan(lines, start, len(lines)):
        match = None if code or "#" not in text else HEADING.match(text)  # `in`: the fast test
        if not match or len(match.group(1)) > 2:
            continue
        if open_heading is not None:
            sections.append(BlogSection(open_heading[0], index, open_heading[1]))
            open_heading = None
        if len(match.group(1)) == 2:
            open_heading = (index, clean_heading(match.group(2) or ""))
    if open_heading is not None:
        sections.append(BlogSection(open_heading[0], len(lines), open_heading[1]))
    return sections


def section_content(lines: list[str], section: BlogSection) -> tuple[int, int]:
    """[first, last) of the section body without its leading and trailing blank lines."""
    first, last = section.heading + 1, section.end
    while first < last and is_blank(lines[first]):
        first += 1
    while last > first and is_blank(lines[last - 1]):
        last -= 1
    return first, last


def attach_blog_notes(lines: list[str], readings: list[Reading], start: int) -> None:
    """Set reading.notes from the blog sections (from line START on) titled like a reading.

    The first section whose title matches wins; readings sharing a title share the notes.
    """
    sections = list(blog_sections(lines, start))
    for index, section in match_sections(sections, [r.paper.title for r in readings]).items():
        first, last = section_content(lines, section)
        readings[index].notes = "\n".join(line_text(lines[i]) for i in range(first, last))


def _exact_title(title: str) -> str:
    return " ".join(title.split()).casefold()


def match_sections(sections: list[BlogSection], titles: list[str]) -> dict[int, BlogSection]:
    """Index into TITLES -> its blog section: the section with the same title, else one whose
    title differs only in punctuation (title_key) and that no other title claims exactly, so that
    `DeepLabv3` never takes the notes of `DeepLabv3+`."""
    exact: dict[str, BlogSection] = {}
    for section in sections:
        exact.setdefault(_exact_title(section.title), section)
    found: dict[int, BlogSection] = {}
    for index, title in enumerate(titles):
        if _exact_title(title) in exact:
            found[index] = exact[_exact_title(title)]
    claimed = {id(section) for section in found.values()}
    loose: dict[str, BlogSection] = {}
    for section in sections:
        if id(section) not in claimed:
            loose.setdefault(title_key(section.title), section)
    loose.pop("", None)
    for index, title in enumerate(titles):
        if index not in found and title_key(title) in loose:
            found[index] = loose[title_key(title)]
    return found


def notes_lines(notes: str) -> list[str]:
    """NOTES as the lines written to the file: newlines normalised, blank edges dropped, and
    `#`/`##` headings demoted to `###`, since they would end the notes section on import."""
    rows = notes.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while rows and is_blank(rows[0]):
        rows.pop(0)
    while rows and is_blank(rows[-1]):
        rows.pop()
    for index, text, code in scan(rows, 0, len(rows)):
        heading = None if code else _SECTION_HEADING.match(text)
        if heading:
            rows[index] = text[: heading.start(1)] + "###" + text[heading.end(1) :]
    return rows


def one_line(text: str) -> str:
    """TEXT on a single line (line breaks become spaces), stripped."""
    return " ".join(text.split()) if any(c in text for c in LINE_BREAKS) else text.strip()


def rewrite_blog(
    lines: list[str], start: int, notes: list[tuple[str, str]], nl: str, titles: list[str] | None = None
) -> list[str]:
    """The blog part lines[START:] with each (title, notes) section set; empty notes remove it.

    TITLES are all the post's reading titles (sections are matched as on import). A changed
    section keeps its heading and blank lines around the body; a new one is appended at the
    end of the blog part.
    """
    titles = [t for t, _ in notes] + list(titles or [])
    matched = match_sections(list(blog_sections(lines, start)), titles)
    sections = {_exact_title(titles[i]): section for i, section in sorted(matched.items(), reverse=True)}
    replace: dict[int, tuple[int, list[str]]] = {}  # first line -> (end, new lines)
    appended: list[str] = []
    for title, text in notes:
        rows = [row + nl for row in notes_lines(text)]
        found = sections.get(_exact_title(title))
        if found is None:
            if rows:
                appended += [nl, f"## {one_line(title)}{nl}", nl, *rows]
        elif not rows:
            replace[found.heading] = (found.end, [])
        else:
            first, last = section_content(lines, found)
            if first == last:  # an empty section: give the notes a blank line after the heading
                replace[found.heading + 1] = (found.heading + 1, [nl, *rows])
            else:
                replace[first] = (last, rows)
    out: list[str] = []
    index = start
    while index < len(lines):
        if index in replace:
            end, rows = replace[index]
            out += rows
            if end > index:
                index = end
                continue
        out.append(lines[index])
        index += 1
    if appended and out and is_blank(out[-1]):
        appended = appended[1:]  # the blog already ends with a blank line
    return out + appended
