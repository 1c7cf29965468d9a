"""What post_merge works on: a post cut into keyed items, readings matched across versions,
and git merge-file's line-level three-way merge (diff3).

A post is a sequence of items, each a run of whole lines up to the next item:
- `("fm",)` the opening `---` and any lines before the first key; `("key", name, n)` a top-level
  front-matter key (n counts duplicates); `("fm-end",)` the closing `---`;
- `("head",)` the body's first lines; `("heading", text, n)` a heading of the readings part that
  is not a reading; `("reading", identity)` a reading's block and the lines after it;
- `("blog",)` the blog part's first lines; `("section", title, n)` a `##` section of the blog.
A key's or reading's own lines (its *unit*) come first; the lines after them (blank lines,
comments, labels) are its *tail*. A file that is not a session post is its front matter and
one `("body",)` item.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import accumulate
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats import blog
from annotator.formats.blog import HEADING, is_blank, line_text
from annotator.formats.detect import detect_kind
from annotator.formats.frontmatter import FrontMatterBlock, front_matter_in_lines, key_spans, load_front_matter
from annotator.formats.line_values import is_video_link
from annotator.formats.model import SESSION_POST, Reading
from annotator.formats.papers import arxiv_id_from_url, title_key
from annotator.formats.session_post import annotation, parse_session_block
from annotator.formats.textlines import line_ending, split_lines

ItemKey = tuple[Any, ...]


@dataclass(slots=True)
class Item:
    """A run of lines of one version: START is its first line there (0-based). Its own lines (a
    key's or reading's) come after LEAD blank lines, the rest is its tail."""

    key: ItemKey
    start: int
    lines: list[str]
    unit: int = 0  # how many lines are the key's or reading's own lines
    reading: Reading | None = None
    number: int = 0  # a reading's 1-based place among the version's readings
    notes_of: str = ""  # a blog section: the identity of the reading whose notes it holds
    lead: int = 0  # the blank lines before it: a block added after the last one brings its own

    @property
    def at(self) -> int:
        """Where its own lines start in its version."""
        return self.start + self.lead

    @property
    def head(self) -> list[str]:
        return self.lines[: self.lead]

    @property
    def own(self) -> list[str]:
        return self.lines[self.lead : self.lead + self.unit]

    @property
    def tail(self) -> list[str]:
        return self.lines[self.lead + self.unit :]


@dataclass(slots=True)
class Version:
    """One of the three texts, cut into items."""

    lines: list[str]
    items: dict[ItemKey, Item]  # in file order
    nl: str
    values: dict[str, Any] = field(default_factory=dict)  # the front matter as loaded
    final_newline: bool = True  # (its last line is given one while merging: see cut)


# --- reading identity -----------------------------------------------------------------------


def _paper_keys(reading: Reading) -> tuple[str, str, str]:
    """(arXiv id, URL, title key): what tells one paper from another, strongest first, as the
    store matches a re-imported post's readings (store/import_writer._PreviousReadings)."""
    paper = reading.paper
    return arxiv_id_from_url(paper.url), paper.url.strip(), title_key(paper.title)


class Identities:
    """Gives each reading of each version an identity; a reading that continues one seen in an
    earlier version (same arXiv id, else URL, else title) gets that one's identity."""

    def __init__(self) -> None:
        self._by: tuple[dict[str, list[str]], ...] = ({}, {}, {})
        self._names: set[str] = set()

    def assign(self, readings: list[Reading]) -> list[str]:
        taken: set[str] = set()  # each identity once per version
        out = []
        for reading in readings:
            keys = _paper_keys(reading)
            found = next((name for kind, key in enumerate(keys) if key
                          for name in self._by[kind].get(key, ()) if name not in taken), None)
            if found is None:
                found = self._new(keys)
            taken.add(found)
            out.append(found)
        return out

    def _new(self, keys: tuple[str, str, str]) -> str:
        arxiv, url, title = keys
        base = f"arxiv:{arxiv}" if arxiv else f"url:{url}" if url else f"title:{title}"
        name, count = base, 1
        while name in self._names:
            count += 1
            name = f"{base}#{count}"
        self._names.add(name)
        for kind, key in enumerate(keys):
            if key:
                self._by[kind].setdefault(key, []).append(name)
        return name


# --- cutting a post into items ----------------------------------------------------------------


@dataclass(slots=True)
class Parsed:
    """A version's text split and parsed, before its readings have identities."""

    lines: list[str]
    block: FrontMatterBlock | None
    values: dict[str, Any]
    readings: list[Reading]
    session_post: bool


def parse_version(text: str, path: str, label: str) -> Parsed:
    """TEXT (LABEL: which version) split and parsed; AnnotatorError naming PATH and the line when
    its front matter does not parse."""
    try:
        lines = split_lines(text, keepends=True)
        block = front_matter_in_lines(lines, path)
        if block is None or _kind(text) != SESSION_POST:
            values = load_front_matter(block.yaml_text, path, block.open_line + 2) if block else {}
            return Parsed(lines, block, values, [], False)
        session = parse_session_block(text, lines, block, path)
    except AnnotatorError as exc:
        raise AnnotatorError(f"{exc.reason} (in {label})", exc.path or path, exc.line) from None
    return Parsed(lines, block, session.front_matter, session.readings, True)


def _kind(text: str) -> str:
    try:
        return detect_kind(text)
    except AnnotatorError:
        return ""  # not a post annotator reads: merged as text


def cut(parsed: Parsed, identities: list[str]) -> Version:
    """PARSED cut into items, its readings named by IDENTITIES.

    A last line without a line break gets one, so that a line that stops being the last one
    (a block appended below it) does not count as changed; whether the text ends in a line break
    is merged on its own (Version.final_newline).
    """
    lines = parsed.lines
    nl = line_ending(lines)
    final_newline = not lines or lines[-1][-1] in "\r\n"
    if not final_newline:
        lines[-1] += nl
    items: list[Item] = _front_matter_items(lines, parsed.block) if parsed.block else []
    body = parsed.block.close_line + 1 if parsed.block else 0
    if parsed.session_post:
        items += _body_items(lines, body, parsed.readings, identities)
    else:
        items.append(Item(("body",), body, lines[body:]))
    return Version(lines, {item.key: item for item in items}, nl, parsed.values, final_newline)


def _counted(seen: dict[Any, int], *key: Any) -> ItemKey:
    """KEY with how many times it was seen before: duplicates stay apart."""
    count = seen.get(key, 0)
    seen[key] = count + 1
    return (*key, count)


def _front_matter_items(lines: list[str], block: FrontMatterBlock) -> list[Item]:
    """The `---` lines and one item per top-level key (front matter written `{a: 1}` is one item)."""
    close = block.close_line
    spans, block_style = key_spans(block.yaml_text)
    if not block_style:
        spans = []
    starts = list(accumulate(map(len, lines[1:close]), initial=0))  # where each row starts in the YAML

    def row(offset: int) -> int:  # the line (of the file) holding character OFFSET of the YAML
        return bisect_right(starts, offset)

    firsts = [row(span.start) for span in spans]
    items = [Item(("fm",), 0, lines[0 : firsts[0] if firsts else close])]
    seen: dict[Any, int] = {}
    for index, span in enumerate(spans):
        first = firsts[index]
        end = firsts[index + 1] if index + 1 < len(firsts) else close
        unit = row(max(span.end - 1, span.start)) + 1
        while unit > first + 1 and is_blank(lines[unit - 1]):  # a block scalar's trailing blank lines
            unit -= 1
        items.append(Item(_counted(seen, "key", span.key), first, lines[first:end], unit - first))
    items.append(Item(("fm-end",), close, lines[close : close + 1]))
    return items


def _body_items(lines: list[str], body: int, readings: list[Reading], identities: list[str]) -> list[Item]:
    """Items of a session post's body: see the module docstring."""
    spans = {r.span[0]: (r, ident, n) for n, (r, ident) in enumerate(zip(readings, identities, strict=True), 1) if r.span}
    after = max((r.span[1] for r in readings if r.span), default=body)
    blog_start = blog.find_blog_start(lines, body, after)
    stop = len(lines) if blog_start is None else blog_start
    starts: list[tuple[int, ItemKey, dict[str, Any]]] = [(body, ("head",), {})]
    seen: dict[Any, int] = {}
    for index, text, code in blog.scan(lines, body, stop):
        if index in spans:
            reading, ident, number = spans[index]
            unit = reading.span[1] - index if reading.span else 0
            starts.append((index, ("reading", ident), {"reading": reading, "number": number, "unit": unit}))
        elif not code and "#" in text and HEADING.match(text):
            starts.append((index, _counted(seen, "heading", " ".join(text.split())), {}))
    if blog_start is not None:
        starts.append((blog_start, ("blog",), {}))
        sections = blog.blog_sections(lines, blog_start)
        matched = blog.match_sections(sections, [r.paper.title for r in readings])
        owners = {id(s): identities[i] for i, s in sorted(matched.items(), reverse=True)}  # the first reading wins
        for section in sections:
            name = title_key(section.title) or " ".join(section.title.split())
            starts.append((section.heading, _counted(seen, "section", name), {"notes_of": owners.get(id(section), "")}))
    items: list[Item] = []
    for (start, key, extra), end in zip(starts, [start for start, _, _ in starts[1:]] + [len(lines)], strict=True):
        lead = 0
        if items:  # the blank lines above an item are its own, and the item above it ends before them
            above = items[-1]
            while start - lead - 1 >= above.at + above.unit and is_blank(lines[start - lead - 1]):
                lead += 1
            above.lines = above.lines[: len(above.lines) - lead]
        items.append(Item(key, start - lead, lines[start - lead : end], lead=lead, **extra))
    return items


# --- diff3 -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Clash:
    """Lines both sides changed differently; AT is where they start in theirs."""

    base: list[str]
    ours: list[str]
    theirs: list[str]
    at: int


def _matches(base: list[str], side: list[str]) -> dict[int, int]:
    """Base line -> side line, for the lines a diff keeps."""
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    return {a + n: b + n for a, b, size in matcher.get_matching_blocks() for n in range(size)}


def merge_lines(base: list[str], ours: list[str], theirs: list[str]) -> list[list[str] | Clash]:
    """Three-way merge of lines as `git merge-file` does it: runs of merged lines, and a Clash
    wherever both sides changed the same (or adjacent) lines differently."""
    if ours in (base, theirs):
        return [theirs]
    if theirs == base:
        return [ours]
    to_ours, to_theirs = _matches(base, ours), _matches(base, theirs)
    out: list[list[str] | Clash] = []
    i = j = k = 0
    while True:
        n = 0
        while i + n < len(base) and to_ours.get(i + n) == j + n and to_theirs.get(i + n) == k + n:
            n += 1
        if n:
            out.append(base[i : i + n])
            i, j, k = i + n, j + n, k + n
            continue
        x = i  # the next base line both sides kept
        while x < len(base) and not (x in to_ours and x in to_theirs):
            x += 1
        jx, kx = (to_ours[x], to_theirs[x]) if x < len(base) else (len(ours), len(theirs))
        b, o, t = base[i:x], ours[j:jx], theirs[k:kx]
        if o in (b, t):
            out.append(t)
        elif t == b:
            out.append(o)
        else:
            out.append(Clash(b, o, t, k))
        if x == len(base):
            return out
        i, j, k = x, jx, kx


def shown(lines: list[str] | None) -> str | None:
    """LINES as plain text for display: without their line breaks, one a line."""
    return None if lines is None else "\n".join(line_text(line) for line in lines)


# --- a reading's block ------------------------------------------------------------------------


@dataclass(slots=True)
class Block:
    """A reading's own lines, told apart: TEXT (all but the Team/Video lines), the team, the
    video links, and the Team/Video lines as written (NOTES)."""

    text: list[str]
    team: str
    videos: list[str]
    notes: list[str] = field(default_factory=list)


def split_block(lines: list[str], item: Item) -> Block:
    """ITEM's block (a reading of the version whose LINES they are) as a Block."""
    block = Block(lines[item.at : item.at + 1], item.reading.team if item.reading else "",
                  list(item.reading.videos) if item.reading else [])
    for index, text, code in blog.scan(lines, item.at + 1, item.at + item.unit):
        (block.notes if not code and _is_annotation(text) else block.text).append(lines[index])
    return block


def _is_annotation(text: str) -> bool:
    """True for a `+ Team:` line, or a `+ Video:` line holding a link (other values are text)."""
    note = annotation(text) if ":" in text else None
    return note is not None and (note[0] == "team" or is_video_link(note[1]))


def merge_links(base: list[str], ours: list[str], theirs: list[str]) -> list[str]:
    """Video links merged one by one: a link either side removed goes, one either side added comes."""
    gone = {url for url in base if url not in ours or url not in theirs}
    return list(dict.fromkeys(url for url in [*theirs, *ours] if url not in gone))


def set_annotations(rows: list[str], team: str, videos: list[str], bullet: str, nl: str) -> list[str]:
    """A block's lines ROWS (heading first) with TEAM and VIDEOS: the first Team line takes the
    team (all go when it is empty), Video lines of other links go, missing lines are added at the
    block's end in its bullet style, as the post writer adds them."""
    out = rows[:1]
    has_team = False
    kept: list[str] = []
    for index, text, code in blog.scan(rows, 1, len(rows)):
        note = None if code or not _is_annotation(text) else annotation(text)
        line = rows[index]
        if note is None:
            out.append(line)
        elif note[0] == "team":
            if team and not has_team and note[1] != team:
                line = text[: note[2]] + team + line[len(text) :]
            if team:
                out.append(line)
            has_team = True
        elif note[1] in videos and note[1] not in kept:
            kept.append(note[1])
            out.append(line)
    added = [f"{bullet}Team: {team}{nl}"] if team and not has_team else []
    added += [f"{bullet}Video: {url}{nl}" for url in videos if url not in kept]
    at = next((i + 1 for i in range(len(out) - 1, -1, -1) if not is_blank(out[i])), len(out))
    if added and at and out[at - 1][-1:] not in ("\n", "\r"):
        out[at - 1] += nl  # the block was the file's last line
    return out[:at] + added + out[at:]
