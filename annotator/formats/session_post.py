"""Jekyll session posts (docs/formats.md section 1): text -> Session with readings and their spans.

Layout: front matter, then the readings part, then the blog part (see `blog`). The readings
part is made of `##` sections; a section whose heading reads as a list of readings
(`Required Readings:`, `More readings`, `Even  More`, `Model Serve Readings:` ...) holds
readings. A reading is a `###`..`######` heading inside such a section, with the lines up to
the next heading as its block; a heading that is a label (`Even More:`, `more readings`,
`2025 HIGH-IMPACT PAPERS on this topic`, anything ending in `:`, an empty `#### `) only ends
the block above it.

Decision on the 2020f course (qiyanjun/2020f-UVA-CS-MachineLearningDeep): its posts are lecture
sessions, not reading sessions. Slides, notebooks and videos are front-matter values (`lecture`,
`notes`, `video` holding raw HTML links) and the few bodies list video modules
(`- Module1: ... https://youtu.be/...`) or an outline. They have no readings section, so they
parse with no readings; every value stays in front_matter and the text is kept for export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from annotator.formats.blog import (
    HEADING,
    attach_blog_notes,
    clean_heading,
    is_excerpt_marker,
    scan,
)
from annotator.formats.frontmatter import FrontMatterBlock, front_matter_in_lines, load_front_matter
from annotator.formats.line_values import is_video_link
from annotator.formats.model import SESSION_POST, Paper, Reading, Session
from annotator.formats.textlines import split_lines

DEFAULT_BULLET = "  + "

_READINGS_SECTION = re.compile(
    r"\breadings?\b|^(?:even\s+)?(?:more|extra|further|additional|optional|required|background)"
    r"(?:\s+(?:papers?|resources|materials))?$",
    re.IGNORECASE,
)
# A label heading's name starts like _LABEL (used with .match) or holds _LABEL_ANYWHERE.
_LABEL = re.compile(r"(?:even\s+)?more(?:\s+\w+)?$|\d{4}\b.*\bpapers\b|here (?:are|is)\b", re.IGNORECASE)
_LABEL_ANYWHERE = re.compile(r"high-impact papers", re.IGNORECASE)
_READINGS_WORD = re.compile(r"\breadings?\b", re.IGNORECASE)
_LIST_MARK = re.compile(r"^[-+*][ \t]+")
_TITLE_PREFIX = re.compile(r"^(?:related|paper|reading)\s*:\s*", re.IGNORECASE)
# A bullet: `+`/`-` (also glued to `[`, as in `+[Submitted on ...]`), `*`, or `1.`/`1)`.
_BULLET = re.compile(r"([ \t]*)(?:([+-])(?=[ \t\[]|\Z)|(\*)(?=[ \t]|\Z)|\d{1,3}[.)](?=[ \t]|\Z))[ \t]*")
_ANNOTATION = re.compile(r"(team|videos?)[ \t]*:[ \t]*", re.IGNORECASE)
# One regex finds, in order: images (skipped), Markdown links, bare URLs.
_URL = re.compile(
    r"!\[[^\]]*\]\([^)]*\)"
    r"|\[[^\]]*\]\(\s*<?(https?://[^\s)>]+)"
    r"|(https?://[^\s<>\"'()\[\]]+)"
)
_URL_TRAIL = ".,;:!?"
_HEADING_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)")
_WORD = re.compile(r"\w+")
_URL_LABEL_WORDS = re.compile(
    r"\b(?:url|paper|link|arxiv|code|github|pdf|html|tutorial|blog|website|project|page|site)\b",
    re.IGNORECASE,
)
_METADATA = re.compile(
    r"\[?\s*(?:submitted\b|subjects?\s*:|doi\s*:|comments?\s*:|keywords?\s*:|cite as\s*:"
    r"|journal[- ]ref\s*:|published\s*:|accepted\s*:|submission received|\(this article|arxiv\s*:)",
    re.IGNORECASE,
)
# What a _METADATA match starts with, lowercased (besides whitespace): `[`, `(` and each keyword's
# first letter. (Case ignored, `ſ` is an `s`, and the Kelvin sign lowercases to `k`.)
_METADATA_FIRST = frozenset("[(sdckjpaſ")
_MANY_AUTHORS = re.compile(r"authors? not shown|\bet al\b", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|∙|·|\band\b)\s*")
_NAME_WORD = re.compile(r"[A-Z][a-z'’\-]+\Z|[A-Z]\.\Z")
_ABSTRACT_PREFIX = re.compile(r"^abstract\s*[:.]\s*", re.IGNORECASE)
_QUOTES = '"“”'
_FILLER = re.compile(r"(?:\s|<br\s*/?>|&nbsp;)*\Z", re.IGNORECASE)
_MIN_ABSTRACT_WORDS = 8
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_POST_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-")
_POST_NAME_ANYWHERE = re.compile(r"\d{4}-\d{2}-\d{2}-")


def parse_session_post(text: str, path: str = "") -> Session:
    """Parse a Jekyll session post (TEXT as read from PATH) into a Session of kind SESSION_POST.

    Raises AnnotatorError (with PATH and line) when the front matter is not valid YAML.
    """
    lines = split_lines(text, keepends=True)
    return parse_session_block(text, lines, front_matter_in_lines(lines, path), path)


def parse_session_block(text: str, lines: list[str], block: FrontMatterBlock | None, path: str = "") -> Session:
    """parse_session_post for TEXT split into LINES (split_lines(keepends=True)) whose front matter
    BLOCK (front_matter_in_lines) the caller found."""
    front_matter = load_front_matter(block.yaml_text, path, block.open_line + 2) if block else {}
    body_start = block.close_line + 1 if block else 0
    readings, blog_start = _readings_part(lines, body_start, len(lines))
    if blog_start is not None:
        attach_blog_notes(lines, readings, blog_start)
    return Session(
        kind=SESSION_POST,
        title=_title(front_matter, path),
        date=_date(front_matter, path),
        front_matter=front_matter,
        readings=readings,
        text=text,
    )


def is_readings_section(heading: str) -> bool:
    """True when a `##` heading's text (cleaned) announces a list of readings."""
    return bool(_READINGS_SECTION.search(section_name(heading)))


def section_name(heading: str) -> str:
    """A `##` heading's text as a section name: `Required  Readings :` -> `Required Readings`."""
    return _strip_tail(clean_heading(heading)).rstrip(" :")


def annotation(text: str) -> tuple[str, str, int] | None:
    """For a `+ Team: x` / `+ Video: url` bullet line: (kind, value, where the value starts)."""
    return _annotation(text, _BULLET.match(text))


def _bullet_prefix(bullet: re.Match[str] | None) -> str | None:
    """`  + ` for the line `  +  https://...` (indent, bullet character and one space), given its
    _BULLET match BULLET; None for `1.` items and plain lines."""
    if bullet is None:
        return None
    mark = bullet.group(2) or bullet.group(3)
    return None if mark is None else bullet.group(1) + mark + " "


def _annotation(text: str, bullet: re.Match[str] | None) -> tuple[str, str, int] | None:
    """annotation(TEXT), given TEXT's _BULLET match."""
    if not bullet or (bullet.group(2) is None and bullet.group(3) is None):  # `1.` items are prose
        return None
    match = _ANNOTATION.match(text, bullet.end()) if ":" in text else None  # `in`: the fast test
    if not match:
        return None
    kind = "team" if match.group(1).lower() == "team" else "video"
    return kind, text[match.end() :].strip(), match.end()


def _readings_part(lines: list[str], start: int, stop: int) -> tuple[list[Reading], int | None]:
    """The readings of the post's part from lines[start], and where its blog part starts: the line
    find_blog_start(lines, START) returns, found in the same pass (None: no blog, the part ends at STOP)."""
    readings: list[Reading | None] = []
    section: str | None = None
    block: list[tuple[int, str, bool]] = []  # heading line first, then the block's lines
    block_name = ""  # clean_heading of the block's heading
    blog_start = None
    for line in scan(lines, start, stop):
        index, text, code = line
        if not code and "<" in text and is_excerpt_marker(text):
            blog_start = index
            break
        heading = None if code or "#" not in text else HEADING.match(text)
        if heading is None:
            if block:
                block.append(line)
            continue
        level, heading_text = len(heading.group(1)), heading.group(2) or ""
        if level == 1:
            blog_start = index
            break
        if block:
            readings.append(_reading(block, section or "", block_name))
            block = []
        if level <= 2:
            section = section_name(heading_text) if level == 2 and is_readings_section(heading_text) else None
        elif section is not None:
            name = clean_heading(heading_text)
            if not _is_label(name):
                block, block_name = [(index, heading_text, False)], name
    if block:
        readings.append(_reading(block, section or "", block_name))
    return [r for r in readings if r is not None], blog_start


def _is_label(name: str) -> bool:
    """True for a heading (NAME: its clean_heading) that only labels what follows (a `:` label
    is decided by _reading)."""
    if not name:
        return True
    if _LABEL.match(name) or ("-" in name and _LABEL_ANYWHERE.search(name)):
        return True
    return name.count(" ") < 5 and bool(_READINGS_WORD.search(name))  # (one space between words: at most 5 words)


def _heading_title(heading: str, name: str) -> tuple[str, str]:
    """(title, url) from a reading heading (NAME: its clean_heading): `- Title `, `[Title](url)`,
    `Neo: https://...`."""
    text = stripped = heading.strip()
    if text.startswith(("-", "+", "*")):
        text = _LIST_MARK.sub("", text)
    url = ""
    link = _HEADING_LINK.search(text) if "](" in text else None  # `in`: the fast test
    if link:
        url = link.group(2)
        text = text[: link.start()] + link.group(1) + text[link.end() :]
    else:
        url = _first_url(text)
        if url:
            rest = _strip_tail(text.replace(url, " ")).strip(" :/-")
            text = rest or url
    text = name if text == stripped else clean_heading(text)  # (clean_heading(stripped) is NAME)
    if ":" in text:  # `Paper: Title`
        text = _TITLE_PREFIX.sub("", text)
    return _strip_tail(text), url


def _strip_tail(text: str) -> str:
    """TEXT without the whitespace, `:` and `/` characters it ends with."""
    text = text.rstrip()
    while text.endswith((":", "/")):
        text = text.rstrip(":/").rstrip()
    return text


def _first_url(text: str) -> str:
    # Most lines have no URL; the regex scan is the parser's hot spot. (`:` first: a single
    # character is found much faster than a word.)
    if ":" not in text or "http" not in text:
        return ""
    match = _URL.search(text)
    while match is not None:
        url = match.group(1) or match.group(2)
        if url:  # (images have neither)
            return url.rstrip(_URL_TRAIL)
        match = _URL.search(text, match.end())
    return ""


def is_list_item(text: str) -> bool:
    """True when line TEXT starts a list item (`+ `, `- `, `* ` or `1.`)."""
    return _BULLET.match(text) is not None


def reads_as_link(url: str) -> bool:
    """True when a bullet holding only URL is read back as that very link (a paper's URL a writer may add)."""
    return bool(url) and _first_url(url) == url


def _without_links(text: str, url: str) -> str:
    """TEXT with its images, links and URLs replaced by spaces; URL is its first URL."""
    if not url:
        return text
    if text == url:  # a bare URL, the usual link line: the regex would leave " "
        return " "
    return _URL.sub(" ", text)


def _reading(block: list[tuple[int, str, bool]], section: str, name: str) -> Reading | None:
    """The reading a heading (NAME: its clean_heading) and its block describe; None for a
    `Label:` with nothing under it."""
    head_index, heading, _ = block[0]
    title, heading_url = _heading_title(heading, name)
    end = head_index + 1
    bullet = ""
    team = ""
    videos: list[str] = []
    items: list[_Item] = []
    last: _Item | None = None  # the item a plain line may continue (None: a gap, not continued across)
    for index, text, code in block[1:]:
        if _is_filler(text):
            last = None
            continue
        end = index + 1  # trailing blank and `<br />` lines stay outside the span
        if code:
            continue
        match = _BULLET.match(text)  # matched once: bullet, annotation and item all need it
        if not bullet:
            bullet = _bullet_prefix(match) or ""
        note = _annotation(text, match) if ":" in text else None  # `in`: the fast test
        if note is None:
            last = _add_item(items, last, text, match)
        elif note[0] == "team":
            team = team or note[1]
            last = None
        elif note[1]:
            if is_video_link(note[1]):  # any other value stays in the post, but is not offered as a link
                videos.append(note[1])
            last = None
    if end == head_index + 1 and heading.rstrip().endswith(":"):
        return None
    return Reading(
        paper=_paper(title, heading_url, items),
        section=section,
        team=team,
        videos=videos,
        span=(head_index, end),
        bullet=bullet or DEFAULT_BULLET,
    )


def _is_filler(text: str) -> bool:
    """True for a line of only whitespace, `<br />` and `&nbsp;` (nothing to read)."""
    if "<" not in text and "&" not in text:  # most lines: no tag or entity to look at
        return not text or text.isspace()
    return _FILLER.match(text) is not None


@dataclass(slots=True)
class _Item:
    """A block item: a bullet line's text, or prose with the lines it wraps over joined.

    url, metadata and authors are what _paper asks about the text (see _facts), worked out once.
    """

    text: str
    prose: bool  # a plain line right after it continues it
    url: str  # _first_url(text)
    metadata: bool  # an arXiv-style `Submitted ...` / `Comments: ...` line
    authors: bool  # _is_authors(text); False for metadata lines, which _paper skips
    joined: bool = False  # lines were joined to text since the facts were worked out


def _facts(text: str) -> tuple[str, bool, bool]:
    """(url, metadata, authors) for an item's TEXT: see _Item."""
    url = _first_url(text)
    metadata = _is_metadata(text)
    return url, metadata, not metadata and _is_authors(text, url)


def _is_metadata(text: str) -> bool:
    """True for an arXiv-style `Submitted ...` / `Comments: ...` line."""
    first = text[:1]
    if first.lower() not in _METADATA_FIRST and not first.isspace():  # most lines: no regex needed
        return False
    return _METADATA.match(text) is not None


def _add_item(items: list[_Item], last: _Item | None, text: str, bullet: re.Match[str] | None) -> _Item | None:
    """Add a block line (BULLET: its _BULLET match): a bullet starts an item, a plain line
    continues prose, or a list of authors, in LAST, the item above it (None: a gap). Returns the
    item it went to."""
    body = text[bullet.end() :].strip() if bullet else text.strip()
    if not body:
        return None  # a gap
    url, metadata, authors = _facts(body)
    prose = not (metadata or authors or _is_url_only(body, url))
    if not bullet and last is not None and ((prose and last.prose) or (authors and last.authors)):
        last.text += " " + body  # an abstract, or a list of authors, wrapped over several lines
        last.joined = True
        return last
    item = _Item(body, prose, url, metadata, authors)
    items.append(item)
    return item


def _is_url_only(text: str, url: str) -> bool:
    """True when TEXT (whose first URL is URL) holds little more than links and link labels."""
    if not url:
        return False
    rest = _without_links(text, url)
    if rest.isspace():  # links only (most such lines): no words to count
        return True
    return len(_WORD.findall(_URL_LABEL_WORDS.sub(" ", rest))) <= 3


def _is_authors(text: str, url: str) -> bool:
    """True when TEXT (whose first URL is URL) reads as a list of author names."""
    if url or len(text) > 3000:
        return False
    separators = sum(text.count(c) for c in ",;&∙·" if c in text) + text.count(" and ")  # `in` is the fast test
    most = 6 * (separators + 1)  # names have at most 6 words each: more words are prose
    words = _count_words(text, max(most, 40))
    if words <= 40 and _says_many_authors(text):
        return True
    if words > most:
        return False
    parts = [p for p in _AUTHOR_SPLIT.split(text.strip().rstrip(".")) if p]
    if not parts:
        return False
    words_of = [w for p in parts for w in p.split()]
    if len(parts) == 1:  # a single author: two or three capitalised names, e.g. `Tri Dao`
        return 2 <= len(words_of) <= 3 and all(_NAME_WORD.match(w) for w in words_of)
    if any(not 1 <= len(p.split()) <= 6 for p in parts):
        return False
    # Names start with a capital (or an uncased letter, as CJK names do); digits do not count.
    capitals = sum(1 for w in words_of if w[0].isupper() or (w[0].isalpha() and not w[0].islower()))
    return capitals >= 0.75 * len(words_of)


def _says_many_authors(text: str) -> bool:
    """True when TEXT says `authors not shown` or `et al` (in any case)."""
    # The regex has no literal to skip to (case is ignored) and tries every position: first look
    # for what a match holds. (The letters of ` not ` and `et al` match, case ignored, only
    # their ASCII capitals, which lower() maps back.)
    lower = text.lower()
    return (" not " in lower or "et al" in lower) and _MANY_AUTHORS.search(text) is not None


def _count_words(text: str, most: int) -> int:
    """The number of words in TEXT, counted up to MOST + 1 (long abstracts are not split whole)."""
    return len(text.split(None, most))


def _paper(title: str, heading_url: str, items: list[_Item]) -> Paper:
    """The paper described by a block's items (bullets, with wrapped lines joined)."""
    url = heading_url  # else the first item's URL
    authors = ""
    abstract = ""
    for item in items:
        if item.joined:
            item.url, item.metadata, item.authors = _facts(item.text)
        if not url:
            url = item.url
        if item.metadata:
            continue
        text, text_url = item.text, item.url
        head, slash, tail = text.partition(" / ") if "/" in text else (text, "", "")  # `in`: the fast test
        if slash and not authors and _is_authors(head, _first_url(head)):  # `Authors / abstract...`
            authors, text = head.strip(), tail
            text_url = _first_url(text)
        elif not authors and item.authors:
            authors = text.strip().rstrip(".").strip()
            continue
        if len(text) > len(abstract):
            prose = _without_links(text, text_url)
            if _count_words(prose, _MIN_ABSTRACT_WORDS) >= _MIN_ABSTRACT_WORDS:
                abstract = _ABSTRACT_PREFIX.sub("", text.strip()).strip().strip(_QUOTES).strip()
    return Paper(title=title, url=url, authors=authors, abstract=abstract)


def _title(front_matter: dict[str, Any], path: str) -> str:
    title = front_matter.get("title")
    text = "" if title is None else str(title).strip()
    return text or PurePath(path).stem


def _date(front_matter: dict[str, Any], path: str) -> str:
    value = front_matter.get("date")
    if value is not None and _DATE.match(str(value).strip()):
        return str(value).strip()[:10]
    if not _POST_NAME_ANYWHERE.search(path):  # (a file name is part of its path; PurePath is slow)
        return ""
    match = _POST_NAME.match(PurePath(path).name)
    return match.group(1) if match else ""
