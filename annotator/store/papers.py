"""One paper once: find a paper by arXiv id or normalised title, merging what each file adds."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.formats.papers import PaperFields, paper_fields, title_key
from annotator.store.operations import Changes, NewRows


def is_placeholder_title(title: str) -> bool:
    """True for titles that only stand in for one: `arXiv:2303.08774` or a bare URL."""
    return title.startswith(("arXiv:", "http://", "https://"))


PAPER_COLUMNS = ("id", "title", "title_key", "url", "arxiv_id", "authors", "abstract")
_TITLE, _KEY, _ARXIV = 1, 2, 4  # a row's places, in the order of PAPER_COLUMNS
_GAINABLE = ((3, "url"), (4, "arxiv_id"), (5, "authors"), (6, "abstract"))  # what a mention can fill in
_KEYS_PER_QUERY = 400
Row = list[Any]  # a paper's values in the order of PAPER_COLUMNS


@dataclass
class ResolvedPapers:
    """One file's papers matched against the library: what to write for them."""

    ids: list[tuple[int, bool]]  # (paper id, created) for each paper, in order
    new: list[tuple]  # the rows this file adds (consecutive ids), as they stand after this file
    gained: dict[int, dict[str, str]]  # papers stored before this file -> the columns they gain, with values

    def changed(self) -> set[int]:
        """Ids of the papers this file adds or changes."""
        return {row[0] for row in self.new} | set(self.gained)

    def update_stored(self, conn: sqlite3.Connection) -> None:
        """Write what papers stored before this file gained from it."""
        for paper_id, gained in self.gained.items():
            assignments = ", ".join(f"{c} = ?" for c in gained)
            conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*gained.values(), paper_id))


def resolve_files(new_rows: NewRows, files: Sequence[Sequence[PaperFields]]) -> list[ResolvedPapers]:
    """Match the papers of several files (as `paper_fields`), file after file, as storing them one by one would.

    The library's rows that can match (same arXiv id or same normalised title) are read up front,
    in one query per few hundred keys for all the files; matching then happens in memory, in the
    order the papers come, exactly as one lookup per paper would. A paper that an earlier file of
    FILES adds counts as stored for the later ones, so that each file's rows and changes are its own.
    """
    arxiv_ids = {fields[0] for file in files for fields in file} - {""}
    keys = {fields[1] for file in files for fields in file} - {""}
    resolver = _Resolver(new_rows, arxiv_ids, keys)
    return [resolver.resolve_file(file) for file in files]


def resolve_papers(conn: sqlite3.Connection, papers: Sequence[PaperFields], changes: Changes,
                   new_rows: NewRows | None = None) -> list[tuple[int, bool]]:
    """(paper id, created) for each of PAPERS (as `paper_fields`), in order: one paper once, merging what each mention adds.

    The new papers are inserted with one executemany; known ones that gained a field are updated.
    """
    new_rows = new_rows or NewRows(conn)
    resolved = resolve_files(new_rows, [papers])[0]
    new_rows.insert("papers", PAPER_COLUMNS, resolved.new)
    resolved.update_stored(conn)
    changes.papers.update(resolved.changed())
    return resolved.ids


def upsert_paper(conn: sqlite3.Connection, paper: Paper, changes: Changes) -> tuple[int, bool]:
    """Return (paper id, created) for PAPER, filling fields the stored copy lacks."""
    return resolve_papers(conn, [paper_fields(paper)], changes)[0]


class _Resolver:
    """The rows that papers can match, indexed by arXiv id and by normalised title, and the new rows."""

    def __init__(self, new_rows: NewRows, arxiv_ids: set[str], keys: set[str]):
        self._by_arxiv: dict[str, Row] = {}
        self._by_key: dict[str, list[Row]] = {}
        self._new: list[Row] = []
        self._updated: dict[int, tuple[Row, set[str]]] = {}  # stored paper id -> (row, columns it gained)
        rows: dict[int, Row] = {}
        cursor = new_rows.conn.cursor()
        cursor.row_factory = None
        ids, titles = sorted(arxiv_ids), sorted(keys)
        for start in range(0, max(len(ids), len(titles)), _KEYS_PER_QUERY):
            some_ids, some_titles = ids[start : start + _KEYS_PER_QUERY], titles[start : start + _KEYS_PER_QUERY]
            wanted = [f"{column} IN ({', '.join('?' * len(values))})"  # (an empty IN would make SQLite scan the table)
                      for column, values in (("arxiv_id", some_ids), ("title_key", some_titles)) if values]
            query = f"SELECT {', '.join(PAPER_COLUMNS)} FROM papers WHERE {' OR '.join(wanted)}"
            rows.update((row[0], list(row)) for row in cursor.execute(query, some_ids + some_titles))
        for row_id in sorted(rows):
            self._index(rows[row_id])
        self._next_id = self._first_new = new_rows.first_id("papers")

    def _index(self, row: Row) -> None:
        if row[_ARXIV]:
            self._by_arxiv[row[_ARXIV]] = row
        same_key = self._by_key.get(row[_KEY])
        if same_key is None:
            self._by_key[row[_KEY]] = [row]
        else:
            same_key.append(row)

    def _find(self, arxiv_id: str, key: str) -> Row | None:
        """The paper with ARXIV_ID, else the first with the normalised title KEY (and no other id)."""
        if arxiv_id:
            row = self._by_arxiv.get(arxiv_id)
            if row is not None:
                return row
        if not key:
            return None
        for row in self._by_key.get(key, ()):
            if row[_ARXIV] is None or not arxiv_id or row[_ARXIV] == arxiv_id:
                return row
        return None

    def resolve(self, fields: PaperFields) -> tuple[int, bool]:
        """(paper id, created) for a paper's FIELDS; a known paper gains the fields it lacked."""
        row = self._find(fields[0], fields[1])
        if row is None:
            row = [self._next_id, *fields[3:]]
            self._next_id += 1
            self._new.append(row)
            self._index(row)
            return row[0], True
        # fields[3:] is a row without its id: what the mention says of a row's place P is fields[P + 2]
        gained = {column: fields[place + 2] for place, column in _GAINABLE if fields[place + 2] and not row[place]}
        title = fields[2]
        if title and is_placeholder_title(row[_TITLE]) and not is_placeholder_title(title):
            gained |= {"title": title, "title_key": title_key(title)}  # a real title beats `arXiv:ID` or a URL
        if gained:
            self._gain(row, gained)
        return row[0], False

    def resolve_file(self, papers: Sequence[PaperFields]) -> ResolvedPapers:
        """Resolve one file's papers in order; rows added before it count as stored."""
        self._first_new = self._next_id
        self._new, self._updated = [], {}
        ids = [self.resolve(fields) for fields in papers]
        gained = {paper_id: {c: row[PAPER_COLUMNS.index(c)] for c in sorted(columns)}
                  for paper_id, (row, columns) in self._updated.items()}
        return ResolvedPapers(ids, [tuple(row) for row in self._new], gained)

    def _gain(self, row: Row, gained: dict[str, Any]) -> None:
        if "title_key" in gained:
            self._by_key[row[_KEY]].remove(row)
            same_key = self._by_key.setdefault(gained["title_key"], [])
            same_key.append(row)
            same_key.sort(key=itemgetter(0))
        for column, value in gained.items():
            row[PAPER_COLUMNS.index(column)] = value
        if "arxiv_id" in gained:
            self._by_arxiv[row[_ARXIV]] = row
        if row[0] < self._first_new:  # a stored paper; a new one is written as it now is
            self._updated.setdefault(row[0], (row, set()))[1].update(gained)


def update_paper(conn: sqlite3.Connection, paper_id: int, fields: dict[str, str], changes: Changes) -> None:
    """Set a paper's title, url, authors or abstract (the arXiv id follows the URL)."""
    allowed = {k: v for k, v in fields.items() if k in ("title", "url", "authors", "abstract")}
    if "title" in allowed:
        allowed["title_key"] = title_key(allowed["title"])
    if "url" in allowed:
        allowed["arxiv_id"] = Paper("", allowed["url"]).arxiv_id or None
    if not allowed:
        return
    assignments = ", ".join(f"{k} = ?" for k in allowed)
    try:
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*allowed.values(), paper_id))
    except sqlite3.IntegrityError:
        raise AnnotatorError("another paper in the library already has that arXiv URL") from None
    changes.papers.add(paper_id)
