"""Slide outlines (docs/formats.md section 4): slides exported to Markdown, without front matter.

`# <session title>`, then the course, the instructor and a date written `20240125`, then one `#`
heading per slide. The export reduced most links to `[text](#)`, so readings are kept conservative:
  - a link to a paper URL (arXiv, a proceedings or DOI site, or a PDF), titled by its text;
  - a bare paper URL (`<https://arxiv.org/pdf/2307.06435.pdf>`), titled by the slide heading when
    the URL is the first thing on that slide (slides put the paper's title there), else by its
    arXiv id (`arXiv:2307.06435`) or the URL;
  - a placeholder link `[title](#)` followed, on its line or the next, by a venue or authors
    (`CVPR'22 Rombach et al.`): a paper without URL. Bold titles and placeholder links without
    such a citation are not readings: they are as often products, blogs and figure captions.
Spans, `+ Team:` / `+ Video:` lines and blog notes work as on lecture pages.
"""

from __future__ import annotations

import re
from datetime import date

from annotator.errors import AnnotatorError
from annotator.formats.blog import attach_blog_notes, scan
from annotator.formats.lecture_page import (
    HEADING,
    LINK,
    LINKED,
    MARKED,
    ReadingCollector,
    blog_start,
    clean_heading,
    clean_title,
    clean_url,
    read_annotations,
)
from annotator.formats.model import SLIDE_OUTLINE, Reading, Session
from annotator.formats.textfile import BOM
from annotator.formats.textlines import split_lines

HEADER_LINES = 15  # the course, instructor and date sit right under the title
# Linear on any line (see lecture_page.HEADING): the title runs to its last character that is
# not a blank or `#`; trailing blanks and `#`s are taken possessively.
_TITLE = re.compile(r"^ {0,3}#[ \t]+(.(?:[ \t#]*+[^ \t#\n])*+)[ \t#]*+$")
_DATE = re.compile(r"^[ \t]*(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})[ \t]*$")
_INSTRUCTOR = re.compile(r"^(?:Dr\.?|Prof\.?|Professor)[ \t]|Ph\.?D\b", re.IGNORECASE)
_BARE_URL = re.compile(r"<(https?://[^\s<>]+)>|^[ \t]*(https?://\S+)[ \t]*$")
_PAPER_URL = re.compile(
    r"^https?://(?:[^/?#]*\.)?(?:arxiv\.org|openreview\.net|aclanthology\.org|doi\.org|papers\.nips\.cc"
    r"|proceedings\.neurips\.cc|proceedings\.mlr\.press|openaccess\.thecvf\.com|dl\.acm\.org"
    r"|ieeexplore\.ieee\.org|jmlr\.org)(?:[/?#]|$)"
    r"|\.pdf(?:[?#].*)?$",
    re.IGNORECASE,
)
_CITATION = re.compile(
    r"\bet al\b|\b(?:CVPR|ICCV|ECCV|NeurIPS|NIPS|ICML|ICLR|ACL|EMNLP|NAACL|AAAI|IJCAI|KDD|TPAMI|JMLR"
    r"|TACL|COLING|SIGGRAPH)\b[ \t]*+['’]?[ \t]*+\d{2,4}\b",
)


def parse_slide_outline(text: str, path: str = "") -> Session:
    """Parse a slide outline: title, course, instructor, date and the papers its slides cite.

    Raises AnnotatorError when the first non-blank line is not a `# ` heading.
    """
    lines = split_lines(text)
    if lines:
        lines[0] = lines[0].removeprefix(BOM)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    title = _TITLE.match(lines[first]) if first is not None else None
    if first is None or title is None:
        raise AnnotatorError("a slide outline starts with a '# ' title heading", path, (first or 0) + 1)
    course, instructor, when = _header(lines, first + 1)
    blog = blog_start(lines, first + 1)
    readings = _OutlineScanner(lines).scan(first + 1, len(lines) if blog is None else blog)
    if blog is not None:
        attach_blog_notes(lines, readings, blog)
    return Session(
        kind=SLIDE_OUTLINE,
        title=clean_heading(title.group(1)),
        date=when,
        readings=readings,
        text=text,
        course=course,
        instructor=instructor,
    )


def outline_date(line: str) -> str:
    """`YYYY-MM-DD` when LINE is just a date such as `20240125` or `2024-01-25`, else ''."""
    match = _DATE.match(line)
    if match is None:
        return ""
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:  # `20241399` is a number, not a date
        return ""


def _header(lines: list[str], start: int) -> tuple[str, str, str]:
    """(course, instructor, date) from the lines between the title and the first slide heading.

    The instructor is the line that reads as one (`Dr. …`, `Prof. …`); without one, the second line.
    """
    info: list[str] = []
    when = ""
    for line in lines[start : start + HEADER_LINES]:
        if HEADING.match(line):
            break
        if not line.strip():
            continue
        if not when and (when := outline_date(line)):
            continue
        info.append(clean_heading(line))
    instructor = next((line for line in info if _INSTRUCTOR.search(line)), "")
    others = [line for line in info if line != instructor]
    if not instructor and len(others) > 1:
        instructor = others.pop(1)
    return (others[0] if others else ""), instructor, when


class _OutlineScanner:
    """One pass over the slides; `section` is the current slide's heading."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.found = ReadingCollector()
        self.section = ""
        self.slide_started = False  # has the current slide shown anything under its heading yet?

    def scan(self, start: int, end: int) -> list[Reading]:
        """The readings cited from line START to END, outside fenced code (fences as blog.scan reads them)."""
        in_code = [code for _, _, code in scan(self.lines, start, end)]
        index = start
        while index < end:
            line = self.lines[index]
            heading = None if in_code[index - start] else HEADING.match(line)
            if heading:
                self.section = clean_heading(heading.group(1) or "")
                self.slide_started = False
            elif not in_code[index - start] and line.strip():
                index = self._line(index, end)
                self.slide_started = True
                continue
            index += 1
        return self.found.readings

    def _line(self, index: int, end: int) -> int:
        """Make readings of the papers cited on the line at INDEX; return the next index."""
        line = self.lines[index]
        papers: list[tuple[str, str, int]] = []
        last = index + 1
        citations = _Citations(self.lines, index, end)
        for match in LINK.finditer(line):
            if match.group(1):
                continue
            title, url = clean_title(match.group(2)), clean_url(match.group(3))
            if url and _PAPER_URL.search(url):
                papers.append((title, url, MARKED))
            elif not url and title:
                cited = citations.after(match.end())
                if cited:
                    papers.append((title, "", MARKED))
                    last = max(last, cited)
        for match in _BARE_URL.finditer(line):
            url = match.group(1) or match.group(2)
            if _PAPER_URL.search(url):
                # Slides put the paper's title in the heading right above its URL.
                papers.append((self.section if not self.slide_started else "", url, LINKED))
        added = [r for t, u, w in papers if (r := self.found.add(t, u, self.section, w)) is not None]
        stop = read_annotations(self.lines, last, end, added)
        for reading in added:
            reading.span = (index, stop)
        return stop


class _Citations:
    """The venue or authors cited after each placeholder link of the line at INDEX, or on the next line.

    Links are asked about left to right. Searching the rest of the line anew for each link was
    quadratic (105 KB of `[x](#)` took 27 s): a citation found answers for every link that ends
    before it, and a search that found none answers for every link after; the next line is
    searched once.
    """

    def __init__(self, lines: list[str], index: int, end: int):
        self.lines, self.index, self.end = lines, index, end
        self._searched = False
        self._found: re.Match[str] | None = None
        self._next_line: bool | None = None

    def after(self, offset: int) -> int:
        """For a link that ends at OFFSET: the index after the line holding its citation, or 0 when there is none."""
        if self._on_line(offset):
            return self.index + 1
        if self._next_line is None:
            following = self.index + 1
            self._next_line = bool(following < self.end and not HEADING.match(self.lines[following])
                                   and _CITATION.search(self.lines[following]))
        return self.index + 2 if self._next_line else 0

    def _on_line(self, offset: int) -> bool:
        # A link ends with `)`, so `\b` at OFFSET reads the same as at the start of the rest of the line.
        if not self._searched or (self._found is not None and self._found.start() < offset):
            self._searched = True
            self._found = _CITATION.search(self.lines[self.index], offset)
        return self._found is not None
