"""Three-way merge of a session post (issue 15): base = the text last read from or written to the
site, ours = the library's export, theirs = the file on disk. Pure text in, text out.

The post is cut into keyed items (post_merge_parts): front-matter keys, readings, headings of the
readings part, blog sections, and the lines around them. The rules (docs/formats.md section 7):
- Items are matched by key: a front-matter key by name, a reading by its paper (arXiv id, else
  URL, else title, as the store matches a re-imported post), a blog section by its title.
- An item added on one side is kept, after the item it follows on that side. An item removed on
  one side goes, unless the other side changed it: then it is a conflict (a reading removed on
  the site whose block or notes the library changed is never lost silently).
- A front-matter key is one value: changed on one side, that side wins; changed on both to the
  same value (as YAML loads it), no conflict; to different values, a conflict.
- A reading's block: its `Team:` line is one value, its `Video:` links merge one by one (added
  or removed on either side), its other lines merge as text. Its notes section is one value.
- Readings reordered on one side keep that order; on both sides differently: a conflict.
- Any other lines merge as `git merge-file` merges them; lines both sides changed differently
  are a text conflict, named by its lines in theirs.
A conflict leaves MergeResult.text None until it is resolved (mine, theirs or an edited value):
conflict markers are never written. Each side's lines keep their own line breaks; whether the
post ends in one is merged as one more value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from annotator.errors import AnnotatorError
from annotator.formats.blog import notes_rows
from annotator.formats.frontmatter import load_front_matter
from annotator.formats.line_values import one_line_problem, text_problem
from annotator.formats.papers import title_key
from annotator.formats.post_merge_parts import (
    Block,
    Clash,
    Identities,
    Item,
    ItemKey,
    Version,
    cut,
    merge_lines,
    merge_links,
    parse_version,
    set_annotations,
    shown,
    split_block,
)
from annotator.formats.post_writer import same_value
from annotator.formats.textlines import line_text, split_lines

MINE, THEIRS, EDITED = "mine", "theirs", "edited"
KEY, READING, ORDER, TEXT = "key", "reading", "order", "text"  # what a conflict is about
TEAM, NOTES, REMOVED, LINES = "team", "notes", "removed", "text"  # which part of a reading
LABELS = ("the sync base", "the library's export", "the site's file")


@dataclass(frozen=True, slots=True)
class ConflictKey:
    """What a conflict is about, stable across runs on the same texts: (KEY, front-matter key),
    (READING, reading identity, TEAM/NOTES/REMOVED/LINES), (ORDER, 'readings') or (TEXT, `L12`)."""

    kind: str
    name: str
    field: str = ""


@dataclass(frozen=True, slots=True)
class Resolution:
    """Take MINE (the library's), THEIRS (the site's) or an EDITED value."""

    choice: str
    value: str = ""

    def __post_init__(self) -> None:
        if self.choice not in (MINE, THEIRS, EDITED):
            raise ValueError(f"a resolution is {MINE}, {THEIRS} or {EDITED}, not {self.choice!r}")


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed one thing differently; values as plain text (None: not there)."""

    key: ConflictKey
    what: str  # for people: `front-matter key title`, `reading 3 “Title”: team`, `lines 40-42`
    base: str | None
    mine: str | None
    theirs: str | None
    reading: int | None = None  # the reading's 1-based number in the library's export (else the site's)
    title: str = ""  # the reading's title
    lines: tuple[int, int] | None = None  # a text conflict's first and last line in theirs (1-based)
    resolution: Resolution | None = None


@dataclass(slots=True)
class MergeResult:
    """The merged text (None while a conflict is unresolved) and every conflict found."""

    text: str | None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def unresolved(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.resolution is None]


def merge_posts(
    base: str, ours: str, theirs: str, path: str, resolutions: Mapping[ConflictKey, Resolution] | None = None
) -> MergeResult:
    """Merge OURS and THEIRS, both changed from BASE (texts of the post at PATH).

    Raises AnnotatorError naming PATH, the line and the version when a front matter does not
    parse, or when an edited resolution is not a value that fits where it goes.
    """
    parsed = [parse_version(text, path, label) for text, label in zip((base, ours, theirs), LABELS, strict=True)]
    names = Identities()
    base_ids = names.assign(parsed[0].readings)
    their_ids = names.assign(parsed[2].readings)  # before ours: a paper added on both sides is one reading
    our_ids = names.assign(parsed[1].readings)
    versions = (cut(parsed[0], base_ids), cut(parsed[1], our_ids), cut(parsed[2], their_ids))
    result = _Merger(versions, resolutions or {}).run()
    if result.text is not None:
        parse_version(result.text, path, "the merged post")  # a merge never writes a post that cannot be read back
    return result


def select_conflicts(conflicts: list[Conflict], reading: str | None = None, key: str | None = None) -> list[Conflict]:
    """The CONFLICTS that `--reading N|TITLE` and `--key KEY` name (all of them when neither is given)."""
    chosen = conflicts
    if key is not None:
        chosen = [c for c in chosen if c.key.kind == KEY and c.key.name == key]
    if reading is not None:
        wanted = title_key(reading)
        chosen = [c for c in chosen if c.key.kind == READING and (
            (reading.strip().isdigit() and c.reading == int(reading)) or (wanted and title_key(c.title) == wanted))]
    return chosen


class _Merger:
    """One merge: decides each item, then their order, and records conflicts on the way."""

    def __init__(self, versions: tuple[Version, Version, Version], resolutions: Mapping[ConflictKey, Resolution]):
        self.base, self.ours, self.theirs = versions
        self.resolutions = resolutions
        self.conflicts: list[Conflict] = []
        self.nl = self.theirs.nl
        self.fate: dict[str, str] = {}  # reading identity -> MINE/THEIRS, for readings removed on one side in conflict

    def run(self) -> MergeResult:
        keys = list(dict.fromkeys([*self.base.items, *self.theirs.items, *self.ours.items]))
        keys.sort(key=lambda k: k[0] != READING)  # readings first: their notes sections follow their fate
        kept: dict[ItemKey, list[str]] = {}
        for key in keys:
            lines = self._item(key)
            if lines is not None:
                kept[key] = lines
        text = "".join(line for key in self._order(kept) for line in kept[key])
        finals = (self.base.final_newline, self.ours.final_newline, self.theirs.final_newline)
        if not (finals[2] if finals[1] == finals[0] else finals[1]):
            text = line_text(text)  # its last line break (every line of the merge ends in one)
        unresolved = any(c.resolution is None for c in self.conflicts)
        return MergeResult(None if unresolved else text, self.conflicts)

    # --- conflicts ---------------------------------------------------------------------------

    def _conflict(self, key: ConflictKey, what: str, values: tuple[str | None, str | None, str | None],
                  **where: object) -> Resolution | None:
        """Record a conflict; its resolution, if the caller gave one."""
        resolution = self.resolutions.get(key)
        self.conflicts.append(Conflict(key, what, *values, resolution=resolution, **where))  # type: ignore[arg-type]
        return resolution

    @staticmethod
    def _pick(resolution: Resolution | None, mine: list[str] | None, theirs: list[str] | None,
              edited: Callable[[str], list[str] | None]) -> list[str] | None:
        """MINE, THEIRS or the EDITED value, as RESOLUTION says (theirs, unresolved: no text is written)."""
        if resolution is None or resolution.choice == THEIRS:
            return theirs
        if resolution.choice == MINE:
            return mine
        return edited(resolution.value)

    def _reading_where(self, ident: str) -> dict[str, object]:
        """The number and title a reading's conflict shows (the library's numbering first)."""
        for version in (self.ours, self.theirs, self.base):
            item = version.items.get((READING, ident))
            if item is not None and item.reading is not None:
                number = item.number if version is not self.base else None
                return {"reading": number, "title": item.reading.paper.title}
        return {}

    def _reading_what(self, ident: str, part: str) -> str:
        where = self._reading_where(ident)
        number = f" {where['reading']}" if where.get("reading") else ""
        return f"reading{number} “{where.get('title', ident)}”: {part}"

    def _text_conflict(self, clash: Clash, start: int) -> Resolution | None:
        first = start + clash.at + 1
        last = first + max(len(clash.theirs), 1) - 1
        name, count = f"L{first}", 1
        while any(c.key == ConflictKey(TEXT, name) for c in self.conflicts):
            count += 1
            name = f"L{first}.{count}"
        what = f"line {first}" if first == last else f"lines {first}-{last}"
        values = (shown(clash.base), shown(clash.ours), shown(clash.theirs))
        return self._conflict(ConflictKey(TEXT, name), what, values, lines=(first, last))

    def _edited_lines(self, value: str) -> list[str]:
        problem = text_problem(value)
        if problem:
            raise AnnotatorError(f"the edited text {problem}")
        return [row + self.nl for row in split_lines(value)]

    # --- items -------------------------------------------------------------------------------

    def _item(self, key: ItemKey) -> list[str] | None:
        """KEY's merged lines; None when it is not in the merged post."""
        base, ours, theirs = (v.items.get(key) for v in (self.base, self.ours, self.theirs))
        owner = next((i.notes_of for i in (ours, theirs, base) if i is not None and i.notes_of), "")
        if owner in self.fate:  # the notes of a reading removed on one side go where the reading goes
            side = ours if self.fate[owner] == MINE else theirs
            return side.lines if side is not None else None
        if ours is not None and theirs is not None:
            return self._both(key, base, ours, theirs)
        kept = ours or theirs
        if kept is None:
            return None
        if base is None:
            return self._retitled(kept) if kept is ours else kept.lines  # added on one side
        if not self._changed(base, kept):
            return None  # removed on one side, unchanged on the other
        return self._removed(key, base, ours, theirs)

    def _retitled(self, section: Item) -> list[str]:
        """A notes section the library added, under the title the site now gives its reading, so
        that the notes stay that reading's when the post is read again."""
        reading = self.theirs.items.get((READING, section.notes_of)) if section.notes_of else None
        if reading is None or reading.reading is None:
            return section.lines
        title = reading.reading.paper.title
        heading = section.lines[section.lead]
        if title_key(title) == title_key(heading.lstrip(" #")):
            return section.lines
        heading = f"## {' '.join(title.split())}{heading[len(line_text(heading)) :]}"  # (its own line break)
        return [*section.head, heading, *section.lines[section.lead + 1 :]]

    @staticmethod
    def _changed(base: Item, item: Item) -> bool:
        """True when ITEM (kept on one side) differs from BASE; a reading's notes count too."""
        if item.reading is None:
            return item.lines != base.lines
        return item.own != base.own or _notes(item) != _notes(base)

    def _removed(self, key: ItemKey, base: Item, ours: Item | None, theirs: Item | None) -> list[str] | None:
        """An item removed on one side and changed on the other: a conflict."""
        mine, their = (ours.lines if ours else None), (theirs.lines if theirs else None)
        if key[0] == READING:
            ident = key[1]
            values = (_reading_text(self.base, base), _reading_text(self.ours, ours), _reading_text(self.theirs, theirs))
            side = "removed on the site" if theirs is None else "removed in the library"
            resolution = self._conflict(ConflictKey(READING, ident, REMOVED), self._reading_what(ident, side),
                                        values, **self._reading_where(ident))
            if resolution is not None and resolution.choice not in (MINE, THEIRS):
                raise AnnotatorError("a reading removed on one side is kept (mine/theirs) or dropped, not edited")
            self.fate[ident] = THEIRS if resolution is not None and resolution.choice == THEIRS else MINE
            return mine if self.fate[ident] == MINE else their
        if key[0] == "key":
            values = (shown(base.own), shown(ours.own if ours else None), shown(theirs.own if theirs else None))
            resolution = self._conflict(self._key_name(key), f"front-matter key {key[1]}", values)
            return self._pick(resolution, mine, their, lambda value: self._key_lines(key[1], value))
        owner = base.notes_of
        if owner:
            notes = (_section_notes(v, i) for v, i in zip((self.base, self.ours, self.theirs), (base, ours, theirs), strict=True))
            resolution = self._conflict(ConflictKey(READING, owner, NOTES), self._reading_what(owner, "notes"),
                                        tuple(notes), **self._reading_where(owner))  # type: ignore[arg-type]
            return self._pick(resolution, mine, their, lambda value: self._notes_lines(base, ours, theirs, value))
        at = theirs.start if theirs else self._theirs_line_after(key)
        resolution = self._text_conflict(Clash(base.lines, mine or [], their or [], 0), at)
        return self._pick(resolution, mine, their, self._edited_lines)

    def _theirs_line_after(self, key: ItemKey) -> int:
        """Where an item theirs removed stood in theirs: the start of the next item theirs kept."""
        keys = list(self.base.items)
        for later in keys[keys.index(key) + 1 :]:
            if later in self.theirs.items:
                return self.theirs.items[later].start
        return len(self.theirs.lines)

    def _both(self, key: ItemKey, base: Item | None, ours: Item, theirs: Item) -> list[str]:
        """An item both sides have: merged by its kind."""
        if ours.lines == theirs.lines or (base is not None and ours.lines == base.lines):
            return theirs.lines
        if base is not None and theirs.lines == base.lines:
            return ours.lines
        if key[0] == "key":
            own = self._key_unit(key, base, ours, theirs)
        elif key[0] == READING:
            own = self._block(key[1], base, ours, theirs)
        elif ours.notes_of or theirs.notes_of:
            return self._notes_section(base, ours, theirs)
        else:
            return self._text(base.lines if base else [], ours.lines, theirs.lines, theirs.start)
        head = self._text(base.head if base else [], ours.head, theirs.head, theirs.start)
        tail = self._text(base.tail if base else [], ours.tail, theirs.tail, theirs.at + theirs.unit)
        return head + own + tail

    def _text(self, base: list[str], ours: list[str], theirs: list[str], start: int) -> list[str]:
        """Lines merged as text; START is where THEIRS starts in theirs."""
        out: list[str] = []
        for piece in merge_lines(base, ours, theirs):
            if isinstance(piece, Clash):
                out += self._pick(self._text_conflict(piece, start), piece.ours, piece.theirs, self._edited_lines) or []
            else:
                out += piece
        return out

    # --- front-matter keys -------------------------------------------------------------------

    @staticmethod
    def _key_name(key: ItemKey) -> ConflictKey:
        """`title`, or `title#2` for the second `title:` of a post."""
        return ConflictKey(KEY, key[1] if key[2] == 0 else f"{key[1]}#{key[2] + 1}")

    def _key_unit(self, key: ItemKey, base: Item | None, ours: Item, theirs: Item) -> list[str]:
        old = base.own if base else None
        if ours.own in (old, theirs.own):
            return theirs.own
        if theirs.own == old:
            return ours.own
        name = key[1]
        if self._once(name) and same_value(self.ours.values.get(name), self.theirs.values.get(name)):
            return theirs.own  # the same value written two ways: the site's way
        resolution = self._conflict(self._key_name(key), f"front-matter key {name}",
                                    (shown(old), shown(ours.own), shown(theirs.own)))
        return self._pick(resolution, ours.own, theirs.own, lambda value: self._key_lines(name, value)) or []

    def _once(self, name: str) -> bool:
        """True when front-matter key NAME is written once in ours and in theirs."""
        return all(sum(1 for k in v.items if k[:2] == ("key", name)) == 1 for v in (self.ours, self.theirs))

    def _key_lines(self, name: str, value: str) -> list[str] | None:
        """An edited key, written as its YAML lines (`title: New`); empty text removes the key."""
        if not value.strip():
            return None
        loaded = load_front_matter(value, "", 1)
        if list(loaded) != [name]:
            raise AnnotatorError(f"the edited front matter must be the key {name} and its value, as YAML (`{name}: value`)")
        return self._edited_lines(value)

    # --- readings ----------------------------------------------------------------------------

    def _block(self, ident: str, base: Item | None, ours: Item, theirs: Item) -> list[str]:
        """A reading's own lines, both sides changed: team, each video and the other lines apart."""
        old = base.own if base else []
        if ours.own in (old, theirs.own):
            return theirs.own
        if theirs.own == old:
            return ours.own
        b, o, t = (split_block(v.lines, i) if i else Block([], "", []) for v, i in
                   ((self.base, base), (self.ours, ours), (self.theirs, theirs)))
        text = self._block_text(ident, b, o, t)
        team = self._team(ident, b.team, o.team, t.team)
        layout = theirs.own if text == t.text else ours.own if text == o.text else text + t.notes
        bullet = (theirs.reading or ours.reading).bullet  # type: ignore[union-attr]
        return set_annotations(layout, team, merge_links(b.videos, o.videos, t.videos), bullet, self.nl)

    def _block_text(self, ident: str, b: Block, o: Block, t: Block) -> list[str]:
        """The block's lines other than Team/Video lines: merged as text; a clash is one conflict
        for the reading."""
        pieces = merge_lines(b.text, o.text, t.text)
        if not any(isinstance(piece, Clash) for piece in pieces):
            return [line for piece in pieces for line in piece]  # type: ignore[union-attr]
        resolution = self._conflict(ConflictKey(READING, ident, LINES), self._reading_what(ident, "its lines"),
                                    (shown(b.text), shown(o.text), shown(t.text)), **self._reading_where(ident))
        return self._pick(resolution, o.text, t.text, self._edited_lines) or []

    def _team(self, ident: str, base: str, ours: str, theirs: str) -> str:
        if ours in (base, theirs):
            return theirs
        if theirs == base:
            return ours
        resolution = self._conflict(ConflictKey(READING, ident, TEAM), self._reading_what(ident, "team"),
                                    (base, ours, theirs), **self._reading_where(ident))
        picked = self._pick(resolution, [ours], [theirs], lambda value: [_team_value(value)])
        return picked[0] if picked else ""

    def _notes_section(self, base: Item | None, ours: Item, theirs: Item) -> list[str]:
        """A reading's notes section that both sides changed: one value."""
        notes = [_section_notes(v, i) for v, i in zip((self.base, self.ours, self.theirs), (base, ours, theirs), strict=True)]
        if notes[1] == notes[2]:
            return theirs.lines
        owner = ours.notes_of or theirs.notes_of
        resolution = self._conflict(ConflictKey(READING, owner, NOTES), self._reading_what(owner, "notes"),
                                    tuple(notes), **self._reading_where(owner))  # type: ignore[arg-type]
        return self._pick(resolution, ours.lines, theirs.lines,
                          lambda value: self._notes_lines(base, ours, theirs, value)) or []

    def _notes_lines(self, base: Item | None, ours: Item | None, theirs: Item | None, value: str) -> list[str] | None:
        """An edited notes section: the section's heading, then the notes (None: empty notes, no section)."""
        problem = text_problem(value)
        if problem:
            raise AnnotatorError(f"the edited notes {problem}")
        rows = notes_rows(value, self.nl)
        section = next(i for i in (theirs, ours, base) if i is not None)
        heading = section.lines[section.lead].rstrip("\r\n") + self.nl
        return [*section.head, heading, self.nl, *rows, self.nl] if rows else None

    # --- order -------------------------------------------------------------------------------

    def _order(self, kept: dict[ItemKey, list[str]]) -> list[ItemKey]:
        """The kept items in order: the common ones as the side that reordered them has them,
        then each item of one side only after the item it follows there."""
        in_ours, in_theirs = set(self.ours.items), set(self.theirs.items)
        mine = [k for k in self.ours.items if k in kept and k in in_theirs]
        their = [k for k in self.theirs.items if k in kept and k in in_ours]
        order = their
        if mine != their:
            common = set(mine)
            old = [k for k in self.base.items if k in common]
            if [k for k in mine if k in self.base.items] == old:
                order = their
            elif [k for k in their if k in self.base.items] == old:
                order = mine
            else:
                order = self._reordered(mine, their, old)
        order = list(order)
        for side in (self.theirs, self.ours):
            at = 0
            for key in side.items:
                if key not in kept:
                    continue
                if key in order:
                    at = order.index(key) + 1
                else:
                    order.insert(at, key)
                    at += 1
        return order

    def _reordered(self, mine: list[ItemKey], their: list[ItemKey], old: list[ItemKey]) -> list[ItemKey]:
        """Both sides reordered items: theirs' order, with the readings in the order that wins."""
        readings = [[k for k in keys if k[0] == READING] for keys in (mine, their, old)]
        ours_r, theirs_r, base_r = readings
        if ours_r in (theirs_r, base_r):
            return their
        if theirs_r == base_r:
            return _fill(their, ours_r)
        titles = [self._titles(keys) for keys in readings]
        resolution = self._conflict(ConflictKey(ORDER, "readings"), "the order of the readings",
                                    (titles[2], titles[0], titles[1]))
        if resolution is not None and resolution.choice == MINE:
            return mine
        if resolution is not None and resolution.choice == EDITED:
            return _fill(their, self._edited_order(theirs_r, resolution.value))
        return their

    def _titles(self, keys: list[ItemKey]) -> str:
        return "\n".join(str(self._reading_where(k[1]).get("title", k[1])) for k in keys)

    def _edited_order(self, readings: list[ItemKey], value: str) -> list[ItemKey]:
        """READINGS in the order VALUE gives: their titles, one a line."""
        by_title = {title_key(str(self._reading_where(k[1]).get("title", ""))): k for k in readings}
        order = [by_title.get(title_key(row)) for row in split_lines(value) if row.strip()]
        if sorted(map(str, order)) != sorted(map(str, readings)):
            raise AnnotatorError("the edited order must name each reading once, by its title, one a line")
        return order  # type: ignore[return-value]


def _fill(order: list[ItemKey], readings: list[ItemKey]) -> list[ItemKey]:
    """ORDER with its readings' places filled by READINGS, in turn (headings stay where they are)."""
    turn = iter(readings)
    return [next(turn) if key[0] == READING else key for key in order]


def _notes(item: Item) -> str:
    return item.reading.notes if item.reading is not None else ""


def _section_notes(version: Version, item: Item | None) -> str:
    """The notes a section holds, as its reading reads them (its lines when it has no reading here)."""
    if item is None:
        return ""
    reading = version.items.get((READING, item.notes_of))
    if reading is not None and reading.reading is not None and reading.reading.notes:
        return reading.reading.notes
    return (shown(item.lines[item.lead + 1 :]) or "").strip("\n")


def _reading_text(version: Version, item: Item | None) -> str | None:
    """A reading as a conflict shows it: its block, then its notes."""
    if item is None:
        return None
    notes = _notes(item)
    return (shown(item.own) or "") + (f"\n\nNotes:\n{notes}" if notes else "")


def _team_value(value: str) -> str:
    problem = one_line_problem(value)
    if problem:
        raise AnnotatorError(f"the edited team {problem}")
    return value.strip()
