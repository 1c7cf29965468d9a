"""Write a session back as a Jekyll post (docs/formats.md section 6): lossless, minimal diffs.

`render_session(original, current)` patches original.text line by line and never re-dumps it:
the lines of changed front-matter keys, `Team:`/`Video:` bullets inside reading blocks, reading
blocks moved, removed or added, and `## <title>` notes sections in the blog part. It relies
only on what every parser provides (front matter at the top, Reading.span and Reading.bullet,
the blog part at the end), so it serves session posts and lecture pages alike.
Nothing changed -> original.text, byte for byte (BOM, CRLF, missing final newline included).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import yaml

from annotator.formats import blog
from annotator.formats.blog import HEADING, LINE_BREAKS, is_blank, line_text, notes_lines, one_line
from annotator.formats.frontmatter import front_matter_in_lines, key_spans
from annotator.formats.line_values import is_video_link
from annotator.formats.model import LECTURE_PAGE, Reading, Session
from annotator.formats.session_post import DEFAULT_BULLET, annotation, is_list_item, is_readings_section, reads_as_link
from annotator.formats.textfile import BOM
from annotator.formats.textlines import line_ending, split_lines

LECTURE_BULLET = "+ "  # annotation lines under a lecture page's paper line

NEW_SESSION_KEYS = ("layout", "title", "lecture", "lectureVersion", "extraContent", "notes", "video", "tags")
AFTER_SESSION_KEYS = ("desc", "term", "categories")
READINGS_INTRO = "In this session, our readings cover: "
READINGS_SECTION = "## Required Readings:"

# --- YAML scalars -------------------------------------------------------------------------

_RESOLVER = yaml.resolver.Resolver()  # the implicit types PyYAML's safe loader (and Jekyll) apply
_STR_TAG = "tag:yaml.org,2002:str"
_PRINTABLE = re.compile("[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*\\Z")
_INDICATORS = "[]{}#&*!|>'\"%@`,"
_FLOW_SPECIAL = re.compile(r"[,\[\]{}:?#]")  # PyYAML ends a flow plain scalar at these
_DOUBLE_ONLY = re.compile("[\n\r\x85\u2028\u2029\ufeff]")
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L",
    "\u2029": "\\P", "\ufeff": "\\uFEFF",
}  # fmt: skip


def yaml_scalar(value: Any, flow: bool = False) -> str:
    """VALUE as a YAML scalar that loads back to the same value, quoted only when YAML needs it.

    Single quotes are preferred; double quotes when the text holds line breaks or control
    characters. None and '' give '' (written `key: `, loaded as null, as the corpus does);
    FLOW=True quotes for use inside `[a, b]`.
    """
    if value is None:
        return "null" if flow else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return yaml.safe_dump(value).split("\n", 1)[0]  # PyYAML's own form: `1.0e+16`, not `1e+16`
    text = str(value)
    if not text:
        return "''" if flow else ""
    if not _needs_quotes(text, flow):
        return text
    if _DOUBLE_ONLY.search(text) or not _PRINTABLE.match(text):
        return '"' + "".join(_escape(c) for c in text) + '"'
    return "'" + text.replace("'", "''") + "'"


def _needs_quotes(text: str, flow: bool) -> bool:
    return (
        text != text.strip()
        or "\t" in text
        or text[0] in _INDICATORS
        or (text[0] in "-?:" and (len(text) == 1 or text[1] == " "))
        or text.startswith(("---", "..."))
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or (flow and bool(_FLOW_SPECIAL.search(text)))
        or bool(_DOUBLE_ONLY.search(text))
        or not _PRINTABLE.match(text)
        or _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != _STR_TAG
    )


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if _PRINTABLE.match(char):
        return char
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def same_value(old: Any, new: Any) -> bool:
    """True when NEW is the value OLD as loaded (types matter: 1, '1', 1.0 and True differ)."""
    if old in (None, "") and new in (None, ""):
        return True  # `key: ` loads as null; the app may hold ''
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        return len(old) == len(new) and all(same_value(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(same_value(old[k], new[k]) for k in old)
    return type(old) is type(new) and old == new


# --- front matter -------------------------------------------------------------------------

_COLON = re.compile(r"[ \t]*:")
_COMMENT = re.compile(r"[ \t]+#.*\Z")
_ITEM = re.compile(r"([ \t]*)-(?:[ \t]|\Z)")
_FLOW_LIST = re.compile(r"(?:[&!][^ \t\r\n]*[ \t]+)*\[")  # `[a, b]`, after any `&anchor` or `!tag`


@dataclass
class _Entry:
    """A top-level key's lines [first, end) and how it is written."""

    key: str
    first: int
    end: int
    key_text: str  # as written, quotes and all ('' for a `? key` written over lines)
    sep: str  # between `:` and the value
    comment: str  # ` # comment` after the value (or after `key:` when the value starts below)
    flow: bool  # the value is written `[a, b]`
    anchors: tuple[str, ...]  # `&name`s in its lines
    aliases: tuple[str, ...]  # `*name`s in its lines


def _scalar_like(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _key_entries(rows: list[str]) -> tuple[list[_Entry], bool]:
    """(each top-level key of the front-matter lines ROWS, in file order; block style or not).

    A key's lines run from the key to the last line of its value as YAML reads it, however many
    lines a quoted or flow value spans and however they are indented.
    """
    text = "".join(rows)
    spans, block = key_spans(text)
    starts = list(accumulate(map(len, rows), initial=0))  # where each row starts in TEXT
    entries = []
    for span in spans:
        first = bisect_right(starts, span.start) - 1
        last = bisect_right(starts, max(span.end - 1, span.start)) - 1
        end = last + 1
        while end > first + 1 and is_blank(rows[end - 1]):  # a block scalar's trailing blank lines
            end -= 1
        row_end = starts[first] + len(line_text(rows[first]))
        last_end = starts[last] + len(line_text(rows[last]))
        colon = _COLON.match(text, span.key_end)
        colon_end = colon.end() if colon and colon.end() <= row_end else -1
        if span.value_start >= row_end:  # the value starts below: `key:  # comment`
            tail = text[colon_end:row_end] if colon_end >= 0 else ""
        else:  # after the value's last character: `title: "two\nlines"  # comment`
            tail = text[span.end : last_end] if span.end <= last_end else ""
        sep = text[colon_end : span.value_start] if colon_end >= 0 and span.value_start < row_end else ""
        entries.append(_Entry(
            span.key, first, end, text[span.start : span.key_end] if colon_end >= 0 else "", sep or " ",
            tail if _COMMENT.match(tail) else "", bool(_FLOW_LIST.match(text, span.value_start)), span.anchors, span.aliases,
        ))
    return entries, block


def _key_lines(key: str, value: Any, entry: _Entry | None, old_rows: list[str], nl: str) -> list[str]:
    """The lines for KEY: VALUE, in the style of ENTRY (the key as written, on OLD_ROWS) if any."""
    key_text = (entry.key_text if entry else "") or yaml_scalar(key) or "''"
    sep, comment = (entry.sep, entry.comment) if entry else (" ", "")
    if isinstance(value, (list, tuple)) and all(_scalar_like(v) for v in value):
        if (entry and entry.flow) or not value:  # keep flow style (`tags: [jekyll, ai]`)
            items = ", ".join(yaml_scalar(v, flow=True) for v in value)
            return [f"{key_text}:{sep}[{items}]{comment}{nl}"]
        item = next((m for m in map(_ITEM.match, map(line_text, old_rows[1:])) if m), None)
        indent = item.group(1) if item else ""
        # (an empty text is `- ''`: a bare `-` item loads as null)
        return [f"{key_text}:{comment}{nl}"] + [f"{indent}- {yaml_scalar(v) if v != '' else repr('')}".rstrip(" ") + nl
                                                for v in value]
    if _scalar_like(value):
        return [f"{key_text}:{sep}{yaml_scalar(value)}{comment}{nl}"]
    if not value:
        return [f"{key_text}:{sep}{{}}{comment}{nl}"]
    dumped = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1 << 30)
    if yaml.safe_load(dumped) != value:  # (a raw U+0085 in a quoted value reads back as a line break): escape it
        dumped = yaml.safe_dump(value, allow_unicode=False, sort_keys=False, width=1 << 30)
    return [f"{key_text}:{comment}{nl}"] + [f"  {row}{nl}" for row in dumped[:-1].split("\n")]  # (PyYAML ends lines with \n)


def patch_front_matter(rows: list[str], old: dict[str, Any], new: dict[str, Any], nl: str) -> list[str]:
    """The front-matter lines ROWS (between the `---` lines) changed from OLD values to NEW.

    A changed key rewrites its own lines (the last occurrence of a duplicated key, the one YAML
    keeps); a removed key loses all its lines; a new key goes after the last non-blank line.
    Front matter written as one `{a: 1, b: 2}` mapping is written anew, one key a line, when it changed.
    """
    entries, block = _key_entries(rows)
    if not block:
        if same_value(old, new):
            return list(rows)
        return [row for key, value in new.items() for row in _key_lines(key, value, None, [], nl)]
    last = {entry.key: (entry.first, entry.end) for entry in entries}
    replace: dict[int, tuple[int, list[str]]] = {}
    for entry in entries:
        key, first, end = entry.key, entry.first, entry.end
        if key not in new:
            replace[first] = (end, [])
        elif last[key] == (first, end) and not same_value(old.get(key), new[key]):
            replace[first] = (end, _key_lines(key, new[key], entry, rows[first:end], nl))
    # A key rewritten or removed takes its `&anchors` along: keys using them are written out too.
    dropped = {name for entry in entries if entry.first in replace for name in entry.anchors}
    using = [entry for entry in entries if entry.aliases] if dropped else []
    while using:
        hit = [entry for entry in using if dropped.intersection(entry.aliases)]
        for entry in hit:
            if entry.first not in replace:  # (a removed key is in REPLACE already)
                replace[entry.first] = (entry.end, _key_lines(entry.key, new[entry.key], entry,
                                                              rows[entry.first : entry.end], nl))
            dropped.update(entry.anchors)
        using = [entry for entry in using if entry not in hit] if hit else []
    added = [
        row
        for key, value in new.items()
        if key not in last and not (key in old and same_value(old[key], value))
        for row in _key_lines(key, value, None, [], nl)
    ]
    insert_at = next((i + 1 for i in range(len(rows) - 1, -1, -1) if not is_blank(rows[i])), 0)
    out: list[str] = []
    index = 0
    while index <= len(rows):
        if index == insert_at:
            out += added
        if index == len(rows):
            break
        if index in replace:
            end, new_rows = replace[index]
            out += new_rows
            index = end
            continue
        out.append(rows[index])
        index += 1
    return out


# --- reading blocks -----------------------------------------------------------------------


def _team(reading: Reading) -> str:
    """READING's team as a `+ Team:` line writes it (a parser or the store may keep other spaces)."""
    return one_line(reading.team)


def _video_links(reading: Reading) -> list[str]:
    """READING's videos as `+ Video:` lines write them: web links only, as import offers them."""
    return [url for url in map(one_line, reading.videos) if is_video_link(url)]


def _link_added(orig: Reading, cur: Reading, lecture: bool) -> str:
    """The URL CUR's paper gained since ORIG's block was written (filled in from arXiv, or by hand), or ''.

    Only a block that had no link gets one, as a bullet of its own; a lecture page's paper line
    (maybe shared by several papers) is left as it is.
    """
    url = one_line(cur.paper.url)
    if lecture or orig.paper.url.strip() or not reads_as_link(url):
        return ""
    return url


def _block_rows(lines: list[str], orig: Reading, cur: Reading, nl: str, lecture: bool) -> list[str]:
    """The lines of ORIG's block with CUR's team and video bullets, and CUR's link if the block had none."""
    first, end = orig.span or (0, 0)
    rows = lines[first:end]
    team_changed = _team(cur) != _team(orig)
    wanted, had = _video_links(cur), _video_links(orig)
    link = _link_added(orig, cur, lecture)
    if not team_changed and wanted == had and not link:
        return rows
    bullet = orig.bullet or DEFAULT_BULLET
    shift = 0  # rows added above the scanned ones
    if link:  # the block's first bullet, where posts list a paper's link
        at = next((row for row in range(1, len(rows)) if not is_blank(rows[row])), len(rows))
        if at == len(rows):  # a heading alone, maybe the file's last line without a line break: it stays without one
            heading = line_text(rows[0])
            ends = rows[0][len(heading):]
            rows = [heading + (ends or nl), f"{bullet}{link}{ends}"]
        elif is_list_item(line_text(rows[at])):
            rows = [*rows[:at], f"{bullet}{link}{nl}", *rows[at:]]
        elif at > 1:  # above the blank line: a line right under a bullet would be read as part of it (lazy continuation)
            rows = [rows[0], f"{bullet}{link}{nl}", *rows[1:]]
        else:  # text right under the heading: the blank line that keeps it out of the bullet is needed too
            rows = [rows[0], f"{bullet}{link}{nl}", nl, *rows[1:]]
        shift = len(rows) - (end - first)
    teams: list[tuple[int, int]] = []
    videos: list[tuple[int, str]] = []
    for index, text, code in blog.scan(lines, first + 1, end):
        note = None if code else annotation(text)
        if note and note[0] == "team":
            teams.append((index - first + shift, note[2]))
        elif note and is_video_link(note[1]):  # other `+ Video:` lines are not videos: they stay
            videos.append((index - first + shift, note[1]))
    replace: dict[int, str] = {}
    before: dict[int, list[str]] = {}
    appended: list[str] = []
    if team_changed:
        team = _team(cur)
        if team and teams:
            row, value_at = teams[0]
            replace[row] = line_text(rows[row])[:value_at] + team + rows[row][len(line_text(rows[row])) :]
        elif team:
            appended.append(f"{bullet}Team: {team}{nl}")
        else:
            replace.update((row, "") for row, _ in teams)
    if wanted != had:
        # Keep the video lines that stay in order, drop the others, add the new ones where they go.
        kept: dict[int, int] = {}  # position in WANTED -> row
        position = 0
        for row, value in videos:
            if value in wanted[position:]:
                position = wanted.index(value, position)
                kept[position] = row
                position += 1
            else:
                replace[row] = ""
        for position, value in enumerate(wanted):
            if position not in kept:
                later = [kept[p] for p in range(position + 1, len(wanted)) if p in kept]
                line = f"{bullet}Video: {value}{nl}"
                if later:
                    before.setdefault(later[0], []).append(line)
                else:
                    appended.append(line)
    out: list[str] = []
    for row, line in enumerate(rows):
        out += before.get(row, [])
        line = replace.get(row, line)
        if line:
            out.append(line)
    return out + appended


def _new_block(cur: Reading, hashes: str, bullet: str, nl: str, lecture: bool = False) -> list[str]:
    """A block for a reading added in the app: `### title`, url, abstract, team, videos.

    On a lecture page (LECTURE) it is the page's own `**Paper:** [title](url)<br>` line instead,
    so that the page still reads as a lecture page and the reading comes back on import.
    """
    title, url = one_line(cur.paper.title), one_line(cur.paper.url)
    if lecture:
        link = f"[{title.replace(']', ')')}]({url})" if url else title
        rows = [f"**Paper:** {link}<br>{nl}"]
        values = []
        bullet = LECTURE_BULLET
    else:
        rows = [f"{hashes} {title}{nl}"]
        values = [cur.paper.url, cur.paper.abstract]
    values += [f"Team: {cur.team}"] if cur.team.strip() else []
    values += [f"Video: {v}" for v in _video_links(cur)]
    return rows + [f"{bullet}{one_line(v)}{nl}" for v in values if v.strip()]


def _style(lines: list[str], reading: Reading | None) -> tuple[str, str]:
    """(heading hashes, bullet) of READING's block, for new blocks placed next to it."""
    if reading is None or reading.span is None:
        return "###", DEFAULT_BULLET
    heading = HEADING.match(line_text(lines[reading.span[0]]).removeprefix(BOM))
    hashes = heading.group(1) if heading and len(heading.group(1)) >= 3 else "###"
    return hashes, reading.bullet or DEFAULT_BULLET


Span = tuple[int, int]


def _body_rows(lines: list[str], start: int, end: int, original: Session, current: Session, nl: str) -> list[str]:
    """Lines [START, END) (the readings part) with blocks edited, moved, removed and added.

    A block is one span; readings sharing a span (several links on one line of a lecture page)
    move together, and their block goes only when all of them are removed.
    """
    orig = original.readings
    lecture = original.kind == LECTURE_PAGE
    placed = _placed(orig, current.readings)  # id(current reading) -> (its source, the source's span)
    editors: dict[Span, tuple[Reading, Reading] | None] = {}  # kept spans, in the app's order
    for cur in current.readings:
        if id(cur) in placed:
            source, span = placed[id(cur)]
            edited = (_team(cur) != _team(source) or _video_links(cur) != _video_links(source)
                      or bool(_link_added(source, cur, lecture)))
            if editors.get(span) is None:
                editors[span] = (source, cur) if edited else None
    # Slots are the places of the kept blocks; the blocks fill them in the app's order.
    slot_of = dict(zip(editors, sorted(editors), strict=True))
    at_slot = {slot[0]: (span, slot[1]) for span, slot in slot_of.items()}
    gone = {r.span[0]: r.span[1] for r in orig if r.span is not None and r.span not in editors}
    inserts: dict[int, list[str]] = {}
    trailing: list[Reading] = []
    following: Span | None = None  # slot of the next kept reading, scanning backwards
    for cur in reversed(current.readings):
        if id(cur) in placed:
            following = slot_of[placed[id(cur)][1]]
        elif following is None:
            trailing.insert(0, cur)
        else:
            owner = next(r for r in orig if r.span == at_slot[following[0]][0])
            hashes, bullet = _style(lines, owner)
            block = _new_block(cur, hashes, bullet, nl, lecture)
            inserts[following[0]] = block + ([] if lecture else [nl]) + inserts.get(following[0], [])
    if trailing:
        at, rows = _trailing_rows(lines, start, end, orig, trailing, nl, lecture)
        inserts[at] = inserts.get(at, []) + rows
    out: list[str] = []
    index = start
    skip_blank = False
    while index < end:
        if index in inserts:
            out += inserts[index]
            skip_blank = False
        if index in at_slot:
            (first, last), slot_end = at_slot[index]
            editor = editors[(first, last)]
            out += _block_rows(lines, editor[0], editor[1], nl, lecture) if editor else lines[first:last]
            index, skip_blank = slot_end, False
            continue
        if index in gone:
            index, skip_blank = gone[index], True  # the blank lines after a removed block go with it
            continue
        if not (skip_blank and is_blank(lines[index])):
            skip_blank = False
            out.append(lines[index])
        index += 1
    return out + inserts.get(end, [])


def _placed(orig: list[Reading], readings: list[Reading]) -> dict[int, tuple[Reading, Span]]:
    """id(reading) -> (source, span) for the READINGS that come from a block of the original."""
    placed: dict[int, tuple[Reading, Span]] = {}
    seen: set[int] = set()
    for cur in readings:
        index = cur.source_index
        if index is None:
            continue
        if not 0 <= index < len(orig):
            raise ValueError(f"source_index {index} is not a reading of the original ({len(orig)} readings)")
        if index in seen:
            raise ValueError(f"two readings have source_index {index}")
        seen.add(index)
        span = orig[index].span
        if span is not None:  # a reading the original parser could not place is written as new
            placed[id(cur)] = (orig[index], span)
    return placed


def _trailing_rows(
    lines: list[str], start: int, end: int, orig: list[Reading], new: list[Reading], nl: str, lecture: bool = False
) -> tuple[int, list[str]]:
    """(where, lines) for readings added at the end: after the last reading of the last readings
    section, or in a new `## Required Readings:` section at the end of the readings part (on a
    lecture page: after its last paper line, or at the end of the page)."""
    if lecture:
        rows = [row for cur in new for row in _new_block(cur, "", "", nl, lecture=True)]
        last_end = max((r.span[1] for r in orig if r.span), default=None)
        if last_end is not None:
            return last_end, rows
        at = next((i + 1 for i in range(end - 1, start - 1, -1) if not is_blank(lines[i])), start)
        return at, [nl, *rows]
    section = None
    for index, text, code in blog.scan(lines, start, end):
        heading = None if code else HEADING.match(text)
        if heading and len(heading.group(1)) == 2 and is_readings_section(heading.group(2) or ""):
            section = index
    in_section = [(r.span[1], r) for r in orig if r.span and section is not None and r.span[0] > section]
    last_end, last = max(in_section, key=lambda pair: pair[0], default=(0, None))
    hashes, bullet = _style(lines, last or (orig[-1] if orig else None))
    blocks: list[str] = []
    for cur in new:
        blocks += [nl] + _new_block(cur, hashes, bullet, nl)
    if section is not None:
        return (last_end if last else section + 1), blocks
    at = next((i + 1 for i in range(end - 1, start - 1, -1) if not is_blank(lines[i])), start)
    rows = ([nl] if at > 0 else []) + [READINGS_SECTION + nl] + blocks
    return at, rows + ([nl] if at < len(lines) and not is_blank(lines[at]) else [])


# --- whole post ---------------------------------------------------------------------------


def render_session(original: Session | None, current: Session) -> str:
    """The post text for CURRENT, patched into ORIGINAL.text (a new post when ORIGINAL is None).

    CURRENT.readings refer to ORIGINAL.readings by source_index (None: added in the app).
    Raises ValueError when a source_index is out of range or used twice.
    """
    if original is None or original.text is None:
        return _render_new(current)
    lines = split_lines(original.text, keepends=True)
    nl = line_ending(lines)  # every line written keeps the file's own line breaks
    block = front_matter_in_lines(lines)
    front_matter = _effective_front_matter(original, current)
    out: list[str] = []
    if block is not None:
        rows = patch_front_matter(lines[1 : block.close_line], original.front_matter, front_matter, nl)
        out = [lines[0], *rows, lines[block.close_line]]
    elif front_matter:
        bom = BOM if original.text.startswith(BOM) else ""
        lines[:1] = [line.removeprefix(BOM) for line in lines[:1]]
        out = [bom + "---" + nl, *patch_front_matter([], {}, front_matter, nl), "---" + nl]
    body_start = block.close_line + 1 if block else 0
    after = max((r.span[1] for r in original.readings if r.span), default=body_start)
    blog_start = blog.find_blog_start(lines, body_start, after)
    body_end = len(lines) if blog_start is None else blog_start
    body_from = len(out)
    out += _body_rows(lines, body_start, body_end, original, current, nl)
    notes = _changed_notes(original, current)
    if blog_start is not None:
        out += blog.rewrite_blog(lines, blog_start, notes, nl, [r.paper.title for r in original.readings])
    elif any(notes_lines(text) for _, text in notes):
        out += _blog_header(out, body_from, nl) + blog.rewrite_blog([], 0, notes, nl)
    return _join(out, nl)


def _effective_front_matter(original: Session, current: Session) -> dict[str, Any]:
    """CURRENT's front matter; a title edited as Session.title (not in the dict) is written too."""
    front_matter = dict(current.front_matter)
    title_kept = same_value(front_matter.get("title"), original.front_matter.get("title"))
    if current.title.strip() not in ("", original.title.strip()) and title_kept:
        front_matter["title"] = current.title
    return front_matter


def _changed_notes(original: Session, current: Session) -> list[tuple[str, str]]:
    """(section title, notes) for each reading whose notes changed; sections keep the title
    the post gives the reading, so that import finds them again."""
    changed = []
    for cur in current.readings:
        source = original.readings[cur.source_index] if cur.source_index is not None else None
        if source is None:
            if notes_lines(cur.notes):
                changed.append((cur.paper.title, cur.notes))
        elif notes_lines(cur.notes) != notes_lines(source.notes):
            changed.append((source.paper.title, cur.notes))
    return changed


def _blog_header(out: list[str], body_from: int, nl: str) -> list[str]:
    """The blog part started once, for a post that has none: marker and `# Blog:` heading.

    A code block the body leaves open (from line BODY_FROM of OUT) is closed first: inside it, the
    blog part would be code, and import would not find the notes.
    """
    fence = blog.open_fence(out[body_from:])
    close = [fence + nl] if fence else []
    gap = [nl] if close or (out and not is_blank(out[-1])) else []
    return close + gap + [blog.EXCERPT_MARKER + nl, nl, blog.BLOG_HEADING + nl]


def _render_new(current: Session) -> str:
    """A new post in the layout of seed 000."""
    nl = "\n"
    front_matter = dict(current.front_matter)
    front_matter.setdefault("layout", "post")
    if front_matter.get("title") in (None, ""):
        front_matter["title"] = current.title
    if current.date and front_matter.get("date") in (None, ""):  # a slide outline's date is in its text only
        front_matter["date"] = current.date
    keys = list(NEW_SESSION_KEYS) + [k for k in AFTER_SESSION_KEYS if k in front_matter]
    keys += [k for k in front_matter if k not in keys]
    out = ["---" + nl]
    for key in keys:
        out += _key_lines(key, front_matter.get(key), None, [], nl)
    out += ["---" + nl]
    body_from = len(out)
    out += [nl, READINGS_INTRO + nl, nl, READINGS_SECTION + nl]
    for reading in current.readings:
        out += [nl] + _new_block(reading, "###", DEFAULT_BULLET, nl)
    notes = [(r.paper.title, r.notes) for r in current.readings if notes_lines(r.notes)]
    if notes:
        out += _blog_header(out, body_from, nl) + blog.rewrite_blog([], 0, notes, nl)
    return _join(out, nl)


def _join(out: list[str], nl: str) -> str:
    """Join lines, giving a line break to any line that lost its place as the last one."""
    for index in range(len(out) - 1):
        if not out[index] or out[index][-1] not in LINE_BREAKS:
            out[index] += nl
    return "".join(out)
