"""The blog part of a post: the write-up below the readings, and the reading notes it holds.

The blog part starts at the line that is `<!--excerpt.start-->` (the course layouts split the
post there: what comes before is the session's listing) or, in posts without the marker, at the
first bare `# heading`. Inside it, a `## <title>` section whose title matches a reading's title
(compared with `title_key`) is that reading's notes: its body, blank edge lines stripped.
A section ends at the next `#` or `##` heading. Lines inside fenced code blocks are never headings.

Notes that would not come back that way (they hold a `#`/`##` heading, leave a code fence open,
or start like a notes region) are written as a notes region: `<!--notes-->` ... `<!--/notes-->`
right below the section heading, read back verbatim whatever it holds. Its end line is made
unique (`<!--notes 2-->` ... `<!--/notes 2-->`) when the notes hold the plain one, and a code
block the notes leave open is closed inside the region, so that kramdown (the site's renderer)
does not run it into the next section; the end line then says so, and import drops that fence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from annotator.formats.model import Reading
from annotator.formats.papers import title_key
from annotator.formats.textfile import BOM
from annotator.formats.textlines import LINE_BREAKS, line_text, split_lines

EXCERPT_MARKER = "<!--excerpt.start-->"
BLOG_HEADING = "# Blog:"

# A code fence as kramdown (the site's renderer) reads one: 3+ backticks or tildes, then at most
# one word (an opening fence's language); a closing fence has nothing after it but spaces.
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_FENCE_SPACE = " \t\v\f"  # what kramdown's `\s` matches within a line
_NOTES_OPEN = re.compile(r"[ \t]*<!--notes( [0-9]{1,9})?-->[ \t]*\Z")
_NOTES_CLOSE = "<!--/notes"  # what every region's end line starts with
_FENCE_ADDED = ": fence added to close the code block"
# `### Title  ` -> ("###", "Title"); the title is "" for `### ` and None for `###`. (Written greedy:
# the same matches as `(?:[ \t]+(.*?))?[ \t]*\Z`, and faster on a long heading.)
HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+((?:[^\n]*[^ \t\n])?))?[ \t]*\Z")
_TAG = re.compile(r"<[^<>]*>")  # (not `[^>]*`: from every `<` of a line without `>` it read to the end)
# What a line that HEADING matches with a single `#` starts with (BOM included, on the first line).
_MAY_BE_TOP_HEADING = re.compile(r"\ufeff? {0,3}#(?!#)")


@dataclass(frozen=True)
class NotesRegion:
    """A `<!--notes-->` region: [start, end) in line indexes, end line included; FENCE_ADDED when
    its last line of content is a fence the writer added."""

    start: int
    end: int
    fence_added: bool


@dataclass(frozen=True)
class BlogSection:
    """A `## title` section of the blog part: [heading, end) in line indexes; REGION when its
    body starts with a notes region."""

    heading: int
    end: int
    title: str
    region: NotesRegion | None = None


def is_excerpt_marker(text: str) -> bool:
    """True for a line (without its line break) that is the excerpt marker: the blog part starts there."""
    return text.strip() == EXCERPT_MARKER


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
        if "`" in text or "~" in text:  # `in`: the fast test
            was, fence = fence, next_fence(fence, text)
            yield index, text, bool(was or fence)
        else:
            yield index, text, bool(fence)


def next_fence(fence: str, text: str) -> str:
    """The open code fence ('' for none) after line TEXT, FENCE being open before it."""
    match = _FENCE.match(text)
    if match is None:
        return fence
    run, rest = match.group(1), text[match.end() :].strip(_FENCE_SPACE)
    if fence:
        closes = run[0] == fence[0] and len(run) >= len(fence) and not rest
        return "" if closes else fence
    return "" if any(c in rest for c in _FENCE_SPACE) else run  # `~~~ a b` opens nothing in kramdown


def open_fence(lines: Sequence[str]) -> str:
    """The code fence LINES leave open ('' for none)."""
    fence = ""
    for line in lines:
        if "`" in line or "~" in line:
            fence = next_fence(fence, line_text(line))
    return fence


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
        if "<" in text and is_excerpt_marker(text):
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
    regions = _Regions(lines, start)
    heading: tuple[int, str, NotesRegion | None] | None = None  # the open section
    skip_to = start  # lines before this one are inside a notes region: never headings
    for index, text, code in scan(lines, start, len(lines)):
        # (fences are still tracked inside a region: kramdown knows nothing of regions)
        match = None if code or index < skip_to or "#" not in text else HEADING.match(text)  # `in`: the fast test
        if not match or len(match.group(1)) > 2:
            continue
        if heading is not None:
            sections.append(BlogSection(heading[0], index, *heading[1:]))
            heading = None
        if len(match.group(1)) == 2:
            region = regions.at(index + 1)
            heading = (index, clean_heading(match.group(2) or ""), region)
            skip_to = region.end if region else skip_to
    if heading is not None:
        sections.append(BlogSection(heading[0], len(lines), *heading[1:]))
    return sections


class _Regions:
    """Finds notes regions; their end lines are looked up once, so that many regions without
    an end cost one pass over the lines, not one each."""

    def __init__(self, lines: list[str], start: int):
        self.lines = lines
        self.start = start
        self._ends: dict[str, list[int]] | None = None  # end line text -> its indexes, ascending

    def at(self, index: int) -> NotesRegion | None:
        """The region whose start line is the first non-blank line from INDEX on, if any."""
        lines = self.lines
        while index < len(lines) and is_blank(lines[index]):
            index += 1
        match = _NOTES_OPEN.match(line_text(lines[index])) if index < len(lines) and "<!--n" in lines[index] else None
        if match is None:
            return None
        key = match.group(1) or ""
        found = [(at, added) for added in (False, True) if (at := self._next_end(_notes_end(key, added), index))]
        if not found:
            return None  # never closed: an ordinary line
        end, added = min(found)
        return NotesRegion(index, end + 1, added)

    def _next_end(self, text: str, after: int) -> int:
        """The index of the first line after AFTER that is TEXT (0: none)."""
        if self._ends is None:
            self._ends = {}
            for index in range(self.start, len(self.lines)):
                if _NOTES_CLOSE in self.lines[index]:
                    self._ends.setdefault(line_text(self.lines[index]).strip(" \t"), []).append(index)
        indexes = self._ends.get(text, [])
        at = bisect_right(indexes, after)
        return indexes[at] if at < len(indexes) else 0


def _notes_end(key: str, fence_added: bool) -> str:
    """The end line of a notes region opened with `<!--notes{KEY}-->`."""
    return f"{_NOTES_CLOSE}{key}{_FENCE_ADDED if fence_added else ''}-->"


def section_content(lines: list[str], section: BlogSection) -> tuple[int, int]:
    """[first, last) of the section's notes lines: the section body (or its region's content)
    without leading and trailing blank lines, and without a fence the writer added."""
    region = section.region
    first, last = (region.start + 1, region.end - 1) if region else (section.heading + 1, section.end)
    while first < last and is_blank(lines[first]):
        first += 1
    while last > first and is_blank(lines[last - 1]):
        last -= 1
    if region and region.fence_added and last > first and _is_bare_fence(line_text(lines[last - 1])):
        last -= 1
    return first, last


def _notes_span(lines: list[str], section: BlogSection) -> tuple[int, int]:
    """[first, last) of the lines that new notes replace: the region, or the notes lines."""
    region = section.region
    return (region.start, region.end) if region else section_content(lines, section)


def _is_bare_fence(text: str) -> bool:
    match = _FENCE.match(text)
    return match is not None and not text[match.end() :].strip(_FENCE_SPACE)


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
    """NOTES as the lines that come back from the file: split at line breaks, blank lines at
    both ends dropped."""
    rows = split_lines(notes)
    first, last = 0, len(rows)
    while first < last and is_blank(rows[first]):
        first += 1
    while last > first and is_blank(rows[last - 1]):
        last -= 1
    return rows[first:last]


def notes_rows(notes: str, nl: str) -> list[str]:
    """The lines (ending in NL) that hold NOTES below their `## title`: as they are, or in a
    notes region when they would not come back as they are."""
    rows = notes_lines(notes)
    if not rows or _reads_back(rows):
        return [row + nl for row in rows]
    fence = open_fence(rows)
    ends = {row.strip(" \t") for row in rows if _NOTES_CLOSE in row}
    number = 1
    while _notes_end(_key(number), False) in ends or _notes_end(_key(number), True) in ends:
        number += 1
    body = [*rows, fence] if fence else rows
    opening, closing = f"<!--notes{_key(number)}-->", _notes_end(_key(number), bool(fence))
    return [opening + nl, nl, *(row + nl for row in body), nl, closing + nl]


def _key(number: int) -> str:
    return "" if number == 1 else f" {number}"


def _reads_back(rows: list[str]) -> bool:
    """True when ROWS, the body of a `## title` section, are read back as they are: no `#`/`##`
    heading ends the section, no fence is left open, and they do not start a notes region."""
    if _NOTES_OPEN.match(rows[0]):
        return False
    fence = ""
    for text in rows:  # (as `scan` reads them in the file, where the first is not the file's first line)
        code = bool(fence)
        if "`" in text or "~" in text:
            fence = next_fence(fence, text)
            code = code or bool(fence)
        match = None if code or "#" not in text else HEADING.match(text)
        if match and len(match.group(1)) <= 2:
            return False
    return not fence


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
    all_sections = list(blog_sections(lines, start))
    matched = match_sections(all_sections, titles)
    sections = {_exact_title(titles[i]): section for i, section in sorted(matched.items(), reverse=True)}
    replace: dict[int, tuple[int, list[str]]] = {}  # first line -> (end, new lines)
    appended: list[str] = []
    for title, text in notes:
        rows = notes_rows(text, nl)
        found = sections.get(_exact_title(title))
        if found is None:
            if rows:
                appended += [nl, f"## {one_line(title)}{nl}", nl, *rows]
        elif not rows:  # removed with any later section of the same title, which import would read next
            for section in all_sections:
                if section is found or (section.heading > found.heading
                                        and _exact_title(section.title) == _exact_title(found.title)):
                    replace[section.heading] = (section.end, [])
        else:
            first, last = _notes_span(lines, found)
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
    if not appended:
        return out
    fence = open_fence(out)
    if fence:  # a code block the blog leaves open would hide the new sections: close it first
        out.append(fence + nl)
    elif out and is_blank(out[-1]):
        appended = appended[1:]  # the blog already ends with a blank line
    return out + appended
