"""Lecture pages (docs/formats.md section 2): a Jekyll post of slides whose paper links are readings.

A reading is a paper link found in one of these places, outside fenced code:
  - after a `Paper:` marker: `**Paper:** [t](u)`, `**Paper**: [t](u)`, `#### Paper: [t](u)`,
    `* Paper: [t](u)`, every link on that line; a `**Papers:**` marker also takes the list
    lines right below it. Any URL counts except GitHub, a blog, a video or an image, because the
    author said "paper"; a marker link without a usable URL is still a paper, without URL;
  - a heading that is itself an arXiv link (`#### [Pixtral](https://arxiv.org/abs/2410.07073)`);
  - a line that starts with an arXiv link (`[t](arxiv)<br>`, `- [FCN](arxiv)`); a line that
    starts with any other link is not a paper.
A link whose text is a URL gets the placeholder title `arXiv:<id>` (or the URL): the page never
names the paper. The same paper twice in one page is one reading, at its first place.

The text is never rewritten here: spans let the exporter add `+ Team:` / `+ Video:` lines after a
paper line, and those lines are read back into the reading. The helpers that slide outlines share
are public.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from annotator.formats.blog import attach_blog_notes, is_excerpt_marker, scan
from annotator.formats.frontmatter import find_front_matter, load_front_matter
from annotator.formats.line_values import is_video_link
from annotator.formats.model import LECTURE_PAGE, Paper, Reading, Session
from annotator.formats.papers import arxiv_id_from_url, title_key
from annotator.formats.textfile import BOM
from annotator.formats.textlines import split_lines

BULLET = "+ "

# A regex on file content must take linear time, whatever the line. Two quantifiers that can
# share a run of blanks (`(.*?)[ \t]*$`, `[ \t]*\**[ \t]*`) try every split of it on a line
# they do not match: a 50 KB line of blanks took 10 s. So blanks are taken possessively (`*+`,
# never given back), and text is "up to its last non-blank character" (_TRIMMED).
_TRIMMED = r"((?:[ \t]*+[^ \t\n])*+)"
HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]++" + _TRIMMED + r")?+[ \t]*+$")
# Link text may hold one level of brackets (`[[Edit] copy]`) and newlines (a title wrapped
# onto two lines); the target may be empty or not a URL at all (`(#)`, `(FastNeRF: …)`).
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^()]*)\)")
_BROKEN_LINK = re.compile(r"\[([^\[\]]+?)\((https?://[^\s()]+)\)")  # `[title(url)`: `]` forgotten
_MARKER = re.compile(
    r"^[ \t]*+(?:#{1,6}[ \t]++|[-*+][ \t]++)?+\**+[ \t]*+(papers?+)[ \t]*+\**+[ \t]*+:[ \t]*+\**", re.IGNORECASE
)
# What may precede a link at the start of a line: indentation, a list bullet, `&emsp;`, bold.
_LINE_PREFIX = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)?(?:&[a-z]+;)*[ \t]*\**")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+|^[ \t]*\[")
_SEPARATOR = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")
_ANNOTATION = re.compile(r"^[ \t]*+\+[ \t]++(team|video)[ \t]*+:[ \t]*+" + _TRIMMED + r"[ \t]*+$", re.IGNORECASE)
_NOT_PAPER = re.compile(
    r"^[a-z]+://(?:[^/?#]*\.)?(?:github\.com|gitlab\.com|githubusercontent\.com|youtube\.com"
    r"|youtu\.be|medium\.com|kaggle\.com)(?:[/?#]|$)"
    r"|^[a-z]+://[^/?#]*\bblog\b|/blog/"
    r"|\.(?:png|jpe?g|gif|svg|webp|mp4)(?:[?#].*)?$",
    re.IGNORECASE,
)
_EMBEDDED_URL = re.compile(r"https?://\S+")
_URLISH = re.compile(r"(?:https?://|www\.)\S*$|[\w.-]+\.[a-z]{2,}/\S*$", re.IGNORECASE)  # a URL as link text
_LEADING_DATE = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}[ \t]+")  # `[2023/11/21 GAIA: …](…)`
_MARKUP = re.compile(r"<[^<>]*>|\*\*|__|`")  # HTML tags and comments (`<br>`, `<!--notes-->`) as session posts drop them
_SPACES = re.compile(r"\s+")
_POST_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_lecture_page(text: str, path: str = "") -> Session:
    """Parse a lecture page: front matter, title, date, and one Reading per paper link.

    Raises AnnotatorError (with the file line) for broken front matter.
    """
    lines = split_lines(text)  # as the writer splits it: spans index the same lines
    front: dict[str, Any] = {}
    body = 0
    block = find_front_matter(text, path)
    if block is not None:
        front = load_front_matter(block.yaml_text, path, block.open_line + 2)
        body = block.close_line + 1
    elif lines:
        lines[0] = lines[0].removeprefix(BOM)
    blog = blog_start(lines, body)
    end = len(lines) if blog is None else blog
    readings = _LectureScanner(lines, end).scan(body)
    if blog is not None:
        attach_blog_notes(lines, readings, blog)
    return Session(
        kind=LECTURE_PAGE,
        title=_title(front, lines, body, end, path),
        date=_date(front, path),
        front_matter=front,
        readings=readings,
        text=text,
    )


# How much a title is worth when one paper is linked twice: a `Paper:` marker names the paper,
# a heading or list link often names the model ("Qwen3-Omni"), a bare URL names nothing.
MARKED, LINKED, UNNAMED = 2, 1, 0


class ReadingCollector:
    """Readings in file order, one per paper (arXiv id, else URL, else normalised title)."""

    def __init__(self) -> None:
        self.readings: list[Reading] = []
        self._by_key: dict[str, tuple[Reading, int]] = {}

    def add(self, title: str, url: str, section: str, weight: int) -> Reading | None:
        """Add a paper; None when it has no identity or is already a reading of this file.

        A repeated paper keeps its first place, but takes the title of a weightier mention.
        """
        if not title:
            title, weight = placeholder_title(url), UNNAMED
        key = arxiv_id_from_url(url) or url or title_key(title)
        if not key:
            return None
        known = self._by_key.get(key)
        if known is not None:
            if weight > known[1]:
                known[0].paper.title = title
                self._by_key[key] = (known[0], weight)
            return None
        reading = Reading(paper=Paper(title=title, url=url), section=section, bullet=BULLET)
        self.readings.append(reading)
        self._by_key[key] = (reading, weight)
        return reading


class _LectureScanner:
    """One pass over the body; `section` is the nearest heading above the current line."""

    def __init__(self, lines: list[str], end: int) -> None:
        self.lines = lines
        self.end = end  # where the body stops (the blog part, or the end of the file)
        self.found = ReadingCollector()
        self.section = ""

    def scan(self, start: int) -> list[Reading]:
        """The readings of the lines from START on, outside fenced code (fences as blog.scan, kramdown's, reads them)."""
        in_code = [code for _, _, code in scan(self.lines, start, self.end)]
        index = start
        while index < self.end:
            index = index + 1 if in_code[index - start] else self._line(index)
        return self.found.readings

    def _line(self, index: int) -> int:
        """Handle the line at INDEX; return the index of the next line to look at."""
        line = self.lines[index]
        marker = _MARKER.match(line)
        if marker:
            return self._marker(index, marker.end(), marker.group(1).lower() == "papers")
        heading = HEADING.match(line)
        if heading:
            content = heading.group(1) or ""
            link = _whole_link(content)
            section = self.section
            self.section = clean_heading(content)
            if link and arxiv_id_from_url(link[1]):
                return self._add([link], section, index, index + 1, LINKED)
            return index + 1
        link = leading_link(line)
        if link and arxiv_id_from_url(link[1]):
            return self._add([link], self.section, index, index + 1, LINKED)
        return index + 1

    def _marker(self, index: int, offset: int, plural: bool) -> int:
        links, after = marker_links(self.lines, index, self.end, offset)
        papers = [(title, url) for title, url in links if not _NOT_PAPER.search(url)]
        following = self._add(papers, self.section, index, after, MARKED) if papers else after
        if not plural:
            return following
        # `**Papers:**` heads a list: each item right below it is one paper.
        item = following
        while item < self.end and _LIST_ITEM.match(self.lines[item]) and not _MARKER.match(self.lines[item]):
            found = links_in(self.lines[item])
            if found and not _NOT_PAPER.search(found[0][1]):
                item = self._add(found[:1], self.section, item, item + 1, MARKED)
            else:
                item += 1
        return item

    def _add(self, links: Iterable[tuple[str, str]], section: str, first: int, after: int, weight: int) -> int:
        """Make readings of LINKS found on lines [FIRST, AFTER); read their annotations."""
        added = [r for title, url in links if (r := self.found.add(title, url, section, weight)) is not None]
        stop = read_annotations(self.lines, after, self.end, added)
        for reading in added:
            reading.span = (first, stop)
        return stop


def marker_links(lines: list[str], index: int, end: int, offset: int) -> tuple[list[tuple[str, str]], int]:
    """Links after a `Paper:` marker at LINES[INDEX][OFFSET:], and the index after their last line.

    A link missing its `]` (`[title(https://…)`) is still read; a title or URL wrapped onto the
    next line or two is joined back.
    """
    rest = lines[index][offset:]
    links = links_in(rest)
    if links or "[" not in rest:
        return links, index + 1
    broken = _BROKEN_LINK.search(rest)
    if broken:
        return [(clean_title(broken.group(1)), clean_url(broken.group(2)))], index + 1
    joined = rest
    for extra in range(index + 1, min(index + 3, end)):
        line = lines[extra]
        if not line.strip() or HEADING.match(line) or _SEPARATOR.match(line) or _MARKER.match(line):
            break
        joined += "\n" + line
        first = LINK.search(joined)
        if first and first.start() < len(rest) and not first.group(1):
            return links_in(joined), extra + 1
    return [], index + 1


def links_in(text: str) -> list[tuple[str, str]]:
    """The (title, url) of each non-image link in TEXT, cleaned; url is '' when it is no URL."""
    return [(clean_title(m.group(2)), clean_url(m.group(3))) for m in LINK.finditer(text) if not m.group(1)]


def leading_link(line: str) -> tuple[str, str] | None:
    """The link a line starts with (after a bullet, `&emsp;` or `**`), or None."""
    start = _LINE_PREFIX.match(line)
    match = LINK.match(line, start.end() if start else 0)
    if match is None or match.group(1):
        return None
    return clean_title(match.group(2)), clean_url(match.group(3))


def _whole_link(content: str) -> tuple[str, str] | None:
    """The link a heading consists of (`[Pixtral](url)`, perhaps with `<br>`), or None."""
    match = LINK.match(content)
    if match is None or match.group(1) or _MARKUP.sub("", content[match.end() :]).strip():
        return None
    return clean_title(match.group(2)), clean_url(match.group(3))


def read_annotations(lines: list[str], index: int, end: int, readings: list[Reading]) -> int:
    """Read `+ Team:` / `+ Video:` lines from INDEX into READINGS; return the index after them."""
    while index < end:
        match = _ANNOTATION.match(lines[index])
        if match is None:
            break
        value = match.group(2).strip()  # as session posts read it: `Team:<NBSP>x` is team `x`
        for reading in readings:
            if match.group(1).lower() == "team":
                reading.team = value
            elif is_video_link(value):  # any other value stays on the page, but is not offered as a link
                reading.videos.append(value)
        index += 1
    return index


def blog_start(lines: list[str], start: int = 0) -> int | None:
    """Index of the `<!--excerpt.start-->` line that opens the blog part, or None."""
    for index in range(start, len(lines)):
        if is_excerpt_marker(lines[index]):
            return index
    return None


def clean_heading(text: str) -> str:
    """A heading's text without `#`s, link syntax or emphasis markers."""
    text = LINK.sub(lambda m: m.group(2), text.strip().rstrip("#"))
    return _SPACES.sub(" ", _MARKUP.sub("", text)).strip()


def clean_title(text: str) -> str:
    """A link text as a title: one line, no markup, no leading `2023/11/21` date, and no `:` or `/`
    at its end, which a session post's reading heading cannot keep (session_post drops them): a
    title ending so would change when the session is exported as a post and read back."""
    text = _SPACES.sub(" ", _MARKUP.sub("", text)).strip().strip("*_").strip()
    if _URLISH.match(text):
        return ""
    return _LEADING_DATE.sub("", text).rstrip(" :/")


def clean_url(target: str) -> str:
    """A link target as a URL: whitespace from a wrapped line removed; '' when it is none."""
    url = "".join(target.split()).strip("<>")
    if url.lower().startswith(("http://", "https://")):
        return url
    # `chrome-extension://…/https://host/paper.pdf`: a PDF viewer's URL around the real one.
    embedded = _EMBEDDED_URL.search(url)
    return embedded.group(0) if embedded else ""


def placeholder_title(url: str) -> str:
    """The title given to a paper known only by URL: `arXiv:<id>`, else the URL itself."""
    arxiv_id = arxiv_id_from_url(url)
    return f"arXiv:{arxiv_id}" if arxiv_id else url


def _title(front: dict[str, Any], lines: list[str], body: int, end: int, path: str) -> str:
    value = front.get("title")
    if value is not None and str(value).strip():
        return str(value).strip()
    for index in range(body, end):
        heading = HEADING.match(lines[index])
        if heading and heading.group(1):
            return clean_heading(heading.group(1))
    return PurePath(path).stem if path else ""


def _date(front: dict[str, Any], path: str) -> str:
    """`YYYY-MM-DD` from the `date` key, else from a `_posts` name `YYYY-MM-DD-slug.md`."""
    for candidate in (str(front.get("date") or "").strip(), PurePath(path).name if path else ""):
        match = _POST_DATE.match(candidate)
        if match:
            year, month, day = match.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return ""
