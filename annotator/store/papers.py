"""One paper once: a paper's row, and a file's papers matched to the library by arXiv id or normalised title."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.formats.papers import arxiv_id_from_url, title_key
from annotator.store.operations import Changes, NewRows

PAPER_COLUMNS = ("id", "title", "title_key", "url", "arxiv_id", "authors", "abstract")
_KEYS_PER_QUERY = 400  # SQLite allows 32,766 parameters; a few hundred keep each IN list quick to build
_GAINABLE = ("url", "arxiv_id", "authors", "abstract")  # what a later mention may fill in


@dataclass(slots=True)
class PaperRow:
    """A paper as the library stores it: its row in PAPER_COLUMNS order, without the id."""

    title: str
    title_key: str
    url: str
    arxiv_id: str | None
    authors: str
    abstract: str

    def values(self, paper_id: int) -> tuple[object, ...]:
        """The row to insert, id first."""
        return (paper_id, self.title, self.title_key, self.url, self.arxiv_id, self.authors, self.abstract)


def paper_row(paper: Paper) -> PaperRow:
    """PAPER as the library stores it: whitespace folded, and a paper without a title named by its URL."""
    title = " ".join(paper.title.split())
    url = paper.url.strip()
    return PaperRow(title or url, title_key(title or url), url, paper.arxiv_id or None,
                    paper.authors.strip(), paper.abstract.strip())


def is_placeholder_title(title: str) -> bool:
    """True for titles that only stand in for one: `arXiv:2303.08774` or a bare URL."""
    return title.startswith(("arXiv:", "http://", "https://"))


def store_papers(conn: sqlite3.Connection, papers: Sequence[Paper], changes: Changes) -> list[tuple[int, bool]]:
    """(paper id, created) for each of PAPERS, in order: one paper once, merging what each mention adds.

    The library's rows that can match (same arXiv id or same normalised title) are read in one
    query per few hundred keys, and matching happens in memory, paper after paper, so that a
    paper listed twice in the file is matched to its first mention. New papers go in with one
    executemany; known ones that gained a field are updated.
    """
    rows = [paper_row(paper) for paper in papers]
    titled = [bool(paper.title.strip()) for paper in papers]  # else named by its URL, matched by arXiv id alone
    new_rows = NewRows(conn)
    library = _LibraryPapers(conn, rows, titled, new_rows.first_id("papers"))
    resolved = [library.match(row, has_title) for row, has_title in zip(rows, titled, strict=True)]
    new_rows.insert("papers", PAPER_COLUMNS, [library.rows[paper_id].values(paper_id) for paper_id in library.new])
    for paper_id, columns in library.gained.items():
        row = library.rows[paper_id]
        assignments = ", ".join(f"{column} = ?" for column in sorted(columns))
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?",
                     (*(getattr(row, column) for column in sorted(columns)), paper_id))
    changes.papers.update(library.new, library.gained)
    return resolved


class _LibraryPapers:
    """The stored papers that a file's papers may be, by arXiv id and by title key, and what the file adds."""

    def __init__(self, conn: sqlite3.Connection, wanted: list[PaperRow], titled: list[bool], next_id: int):
        self.rows: dict[int, PaperRow] = {}
        self.new: list[int] = []  # ids of the papers this file adds, in order
        self.gained: dict[int, set[str]] = {}  # stored paper id -> the columns this file fills in
        self._by_arxiv: dict[str, int] = {}
        self._by_key: dict[str, list[int]] = {}
        self._next_id = self._first_new = next_id
        arxiv_ids = sorted({row.arxiv_id for row in wanted if row.arxiv_id})
        title_keys = sorted({row.title_key for row, has_title in zip(wanted, titled, strict=True) if has_title} - {""})
        for start in range(0, max(len(arxiv_ids), len(title_keys)), _KEYS_PER_QUERY):
            some_ids, some_keys = arxiv_ids[start:start + _KEYS_PER_QUERY], title_keys[start:start + _KEYS_PER_QUERY]
            wanted_sql = [f"{column} IN ({', '.join('?' * len(values))})"  # (an empty IN would make SQLite scan the table)
                          for column, values in (("arxiv_id", some_ids), ("title_key", some_keys)) if values]
            for paper_id, *values in conn.execute(
                    f"SELECT {', '.join(PAPER_COLUMNS)} FROM papers WHERE {' OR '.join(wanted_sql)}", some_ids + some_keys):
                self.rows[paper_id] = PaperRow(*values)
        for paper_id in sorted(self.rows):  # the oldest paper with a title key is the one it finds
            self._index(paper_id)

    def _index(self, paper_id: int) -> None:
        row = self.rows[paper_id]
        if row.arxiv_id:
            self._by_arxiv[row.arxiv_id] = paper_id
        self._by_key.setdefault(row.title_key, []).append(paper_id)

    def _find(self, arxiv_id: str | None, key: str) -> int | None:
        """The paper with ARXIV_ID, else the first with the title key KEY and no other arXiv id."""
        if arxiv_id and arxiv_id in self._by_arxiv:
            return self._by_arxiv[arxiv_id]
        for paper_id in self._by_key.get(key, ()) if key else ():
            stored = self.rows[paper_id].arxiv_id
            if stored is None or not arxiv_id or stored == arxiv_id:
                return paper_id
        return None

    def match(self, row: PaperRow, titled: bool) -> tuple[int, bool]:
        """(paper id, created) for ROW, matched by its arXiv id or (if TITLED) its title; a known paper gains what it lacked."""
        paper_id = self._find(row.arxiv_id, row.title_key if titled else "")
        if paper_id is None:
            paper_id = self._next_id
            self._next_id += 1
            self.rows[paper_id] = row
            self.new.append(paper_id)
            self._index(paper_id)
            return paper_id, True
        stored = self.rows[paper_id]
        gained = {column: getattr(row, column) for column in _GAINABLE
                  if getattr(row, column) and not getattr(stored, column)}
        if titled and is_placeholder_title(stored.title) and not is_placeholder_title(row.title):
            gained |= {"title": row.title, "title_key": row.title_key}  # a real title beats `arXiv:ID` or a URL
        if gained:
            self._gain(paper_id, gained)
        return paper_id, False

    def _gain(self, paper_id: int, gained: dict[str, str | None]) -> None:
        stored = self.rows[paper_id]
        if "title_key" in gained:
            self._by_key[stored.title_key].remove(paper_id)
            same_key = self._by_key.setdefault(str(gained["title_key"]), [])
            same_key.append(paper_id)
            same_key.sort()
        for column, value in gained.items():
            setattr(stored, column, value)
        if stored.arxiv_id:
            self._by_arxiv[stored.arxiv_id] = paper_id
        if paper_id < self._first_new:  # a stored paper; a new one is inserted as it now is
            self.gained.setdefault(paper_id, set()).update(gained)


class DuplicatePaper(AnnotatorError):
    """An edit would give a paper the arXiv id another paper has: they are one paper, which may be merged."""

    def __init__(self, other_id: int, other_title: str):
        super().__init__(f"Another paper in the library already has that arXiv URL: “{' '.join(other_title.split())}”")
        self.other_id = other_id


def url_edit_time() -> str:
    """Now, as `papers.url_edited_at` holds it: sessions.imported_at's local time, to the microsecond (db/008)."""
    return dt.datetime.now().isoformat(timespec="microseconds")


def update_paper(conn: sqlite3.Connection, paper_id: int, fields: dict[str, str], changes: Changes) -> None:
    """Set a paper's title, url, authors or abstract (the arXiv id follows the URL)."""
    allowed = {k: v for k, v in fields.items() if k in ("title", "url", "authors", "abstract")}
    if "title" in allowed:
        allowed["title_key"] = title_key(allowed["title"])
    if "url" in allowed:
        allowed["arxiv_id"] = arxiv_id_from_url(allowed["url"]) or None
        allowed["url_edited_at"] = url_edit_time()
    if not allowed:
        return
    assignments = ", ".join(f"{k} = ?" for k in allowed)
    try:
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*allowed.values(), paper_id))
    except sqlite3.IntegrityError:
        other = conn.execute("SELECT id, title FROM papers WHERE arxiv_id = ? AND id != ?",
                             (allowed.get("arxiv_id"), paper_id)).fetchone()
        if other is None:
            raise
        raise DuplicatePaper(other[0], other[1]) from None
    changes.papers.add(paper_id)


def merge_papers(conn: sqlite3.Connection, keep_id: int, merged_id: int, changes: Changes) -> None:
    """Make MERGED_ID one with KEEP_ID: its readings and list places go to KEEP_ID, which takes the fields it
    lacks; then MERGED_ID is deleted. A session or list that had both keeps one, with the annotations of both."""
    keep = conn.execute("SELECT * FROM papers WHERE id = ?", (keep_id,)).fetchone()
    merged = conn.execute("SELECT * FROM papers WHERE id = ?", (merged_id,)).fetchone()
    if keep is None or merged is None or keep_id == merged_id:
        raise AnnotatorError("those papers are no longer two papers of the library")
    for reading in conn.execute("SELECT * FROM readings WHERE paper_id = ?", (merged_id,)).fetchall():
        changes.sessions.add(reading["session_id"])
        twin = conn.execute("SELECT * FROM readings WHERE session_id = ? AND paper_id = ?",
                            (reading["session_id"], keep_id)).fetchone()
        if twin is None:
            conn.execute("UPDATE readings SET paper_id = ? WHERE id = ?", (keep_id, reading["id"]))
            continue
        conn.execute("UPDATE readings SET team = ?, notes = ? WHERE id = ?", (
            twin["team"] or reading["team"],
            "\n\n".join(text for text in (twin["notes"], reading["notes"]) if text), twin["id"]))
        known = {row[0] for row in conn.execute("SELECT url FROM reading_videos WHERE reading_id = ?", (twin["id"],))}
        last = conn.execute("SELECT coalesce(max(position), 0) FROM reading_videos WHERE reading_id = ?",
                            (twin["id"],)).fetchone()[0]
        for url, in conn.execute("SELECT url FROM reading_videos WHERE reading_id = ? ORDER BY position",
                                 (reading["id"],)).fetchall():
            if url not in known:
                last += 1
                conn.execute("INSERT INTO reading_videos (reading_id, position, url) VALUES (?, ?, ?)",
                             (twin["id"], last, url))
        conn.execute("DELETE FROM readings WHERE id = ?", (reading["id"],))
    for item in conn.execute("SELECT * FROM paper_list_items WHERE paper_id = ?", (merged_id,)).fetchall():
        changes.lists.add(item["list_id"])
        if conn.execute("SELECT 1 FROM paper_list_items WHERE list_id = ? AND paper_id = ?",
                        (item["list_id"], keep_id)).fetchone():
            conn.execute("DELETE FROM paper_list_items WHERE id = ?", (item["id"],))
        else:
            conn.execute("UPDATE paper_list_items SET paper_id = ? WHERE id = ?", (keep_id, item["id"]))
    gained = {column: merged[column] for column in ("url", "authors", "abstract") if merged[column] and not keep[column]}
    conn.execute("DELETE FROM papers WHERE id = ?", (merged_id,))
    if merged["arxiv_id"] and not keep["arxiv_id"]:
        gained["arxiv_id"] = merged["arxiv_id"]  # (only once the merged paper no longer holds it)
    if keep["url"] or gained.get("url"):
        gained["url_edited_at"] = url_edit_time()  # new to the posts of the readings that moved (exporting.py)
    if gained:
        assignments = ", ".join(f"{column} = ?" for column in gained)
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*gained.values(), keep_id))
    changes.papers.update((keep_id, merged_id))
