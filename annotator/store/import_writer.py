"""What importing parsed files writes: sessions with their readings, and paper lists.

A file's papers are resolved against the library in a few queries (store/papers), and the new
rows go in with one executemany per table: for one file, or for a run of session posts new to
the library (`store_new_sessions`), each file's rows logged for undo as one range of its own
operation (operations.NewRows). Full-text indexing waits for the end of the transaction
(`bulk_inserts`).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from annotator.formats.papers import PaperFields
from annotator.store.editing import ensure_course
from annotator.store.operations import Changes, NewRows, capture_into
from annotator.store.papers import PAPER_COLUMNS, resolve_files, resolve_papers
from annotator.store.parse_pool import ParsedFile, ParsedList, ParsedSession

SITE_COLLECTIONS = ("_contents", "_sessions", "_posts")
_SESSION_COLUMNS = ("id", "title", "date", "source", "kind", "front_matter", "original_text", "imported_at", "course_id", "code")
_READING_COLUMNS = ("id", "session_id", "position", "section", "paper_id", "team", "notes", "source_index")


@dataclass
class FileResult:
    """One line of the import report (the `--json` shape, plus the change summary)."""

    path: str
    kind: str = ""
    course: str = ""
    session: str = ""
    list: str = ""
    papers_new: int = 0
    papers_existing: int = 0
    readings: int = 0
    error: str = ""
    changes: Changes | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("changes")
        return data

    def count_papers(self, resolved: list[tuple[int, bool]]) -> None:
        """Count the file's papers, new and already known, from their (paper id, created)."""
        self.papers_new = sum(created for _, created in resolved)
        self.papers_existing = len(resolved) - self.papers_new

    def failed(self, error: str) -> None:
        """Mark this file as not imported: nothing of it was kept."""
        self.course = self.session = self.list = ""
        self.papers_new = self.papers_existing = self.readings = 0
        self.error, self.changes = error, None


def course_for(path: Path, explicit: str | None) -> tuple[str, str]:
    """(course name, site folder): --course, else the site folder holding _contents/_sessions/_posts, else the parent."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name in SITE_COLLECTIONS:
            site = parent.parent
            return (explicit or site.name, str(site))
    return (explicit or resolved.parent.name or "library", "")


@dataclass
class NewSession:
    """A parsed session that the library does not have yet, in a course it has: ready to be stored with others."""

    file: ParsedFile
    parsed: ParsedSession
    course_id: int
    code: str  # the session's code: its file name's stem
    result: FileResult

    @property
    def path(self) -> Path:
        return self.file.path


class ImportWriter:
    """Writes parsed files into one import transaction, in which `bulk_inserts` dropped the per-row insert triggers.

    What every file would otherwise ask again is remembered for the transaction: the next free
    ids, the ids of courses already in the library, and each folder's course. Session posts new
    to the library can be stored many at once (`new_session`, `store_new_sessions`): one
    statement per table for all of them, each file still its own undo step.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.new_rows = NewRows(conn, triggers_dropped=True)
        self._course_ids: dict[str, int] = {}  # only courses found stored: a rolled-back file's new one is not kept here
        self._folder_courses: dict[tuple[str, str | None], tuple[str, str]] = {}  # (folder, --course) -> course
        self._codes: dict[int, set[str]] = {}  # course id -> the codes its sessions have (see _taken)

    def store(self, changes: Changes, file: ParsedFile, course: str | None, result: FileResult) -> None:
        """Write one parsed file, filling RESULT."""
        parsed, path = file.value, file.path
        if isinstance(parsed, ParsedList):
            result.kind = "hf_list"
            _store_list(self, changes, file, parsed, result)
            return
        assert parsed is not None
        name, site = self._course_for(path, course)
        course_id = self._stored_course(name) or ensure_course(self.conn, name, site, changes)
        code = path.stem
        _describe(result, parsed, name, code)
        existing = self.conn.execute("SELECT * FROM sessions WHERE course_id = ? AND code = ?", (course_id, code)).fetchone()
        if existing is None:
            self._taken(course_id).add(code)
            self.store_new_sessions([NewSession(file, parsed, course_id, code, result)], None, [changes])
        else:
            _update_session(self, changes, file, existing, result)

    def new_session(self, file: ParsedFile, course: str | None, result: FileResult) -> NewSession | None:
        """FILE's session as one new to the library, for store_new_sessions; None when FILE must go through `store`.

        That is: a paper list, a session the library (or an earlier file of this import) already
        has, or a course not in the library yet.
        """
        parsed, path = file.value, file.path
        if not isinstance(parsed, ParsedSession):
            return None
        name, _ = self._course_for(path, course)
        course_id, code = self._stored_course(name), path.stem
        if course_id is None or code in (taken := self._taken(course_id)):
            return None
        taken.add(code)
        _describe(result, parsed, name, code)
        return NewSession(file, parsed, course_id, code, result)

    def store_new_sessions(self, files: list[NewSession], log_ids: list[int] | None, changes: list[Changes]) -> None:
        """Write FILES with their readings and papers, one statement per table for them all.

        Each file's rows get consecutive ids, logged for undo in the log of LOG_IDS[i] (None: all
        in the operation capturing now), and its changes go into CHANGES[i]. The papers are matched
        file after file, as storing them one by one would.
        """
        resolved = resolve_files(self.new_rows, [f.file.papers for f in files])
        session_id, reading_id = self.new_rows.first_id("sessions"), self.new_rows.first_id("readings")
        now = dt.datetime.now().isoformat(timespec="seconds")
        sessions: list[tuple] = []
        readings: list[tuple] = []
        later: list[tuple[list[tuple[str, int]], list[tuple[int, int, str]]]] = []  # per file: (notes, videos)
        for file, papers, step in zip(files, resolved, changes, strict=True):
            parsed, code = file.parsed, file.code
            sessions.append((session_id, parsed.title.strip() or code, parsed.date, file.path.name, parsed.kind,
                             parsed.front_matter, parsed.text, now, file.course_id, code))
            file.result.count_papers(papers.ids)
            step.sessions.add(session_id)
            step.papers.update(papers.changed())
            notes, videos = [], []
            for index, ((section, team, urls, text), (paper_id, _)) in enumerate(zip(parsed.readings, papers.ids, strict=True)):
                readings.append((reading_id, session_id, index + 1, section, paper_id, team, "", index))
                if text:  # set after the insert: the update trigger indexes them for search
                    notes.append((text, reading_id))
                videos.extend((reading_id, position, url) for position, url in enumerate(urls, 1))
                reading_id += 1
            later.append((notes, videos))
            session_id += 1

        def parts(counts: list[int]) -> list[tuple[int, int]] | None:
            return None if log_ids is None else list(zip(log_ids, counts, strict=True))

        self.new_rows.insert("papers", PAPER_COLUMNS, [row for papers in resolved for row in papers.new],
                             parts([len(papers.new) for papers in resolved]))
        self.new_rows.insert("sessions", _SESSION_COLUMNS, sessions, parts([1] * len(files)))
        self.new_rows.insert("readings", _READING_COLUMNS, readings, parts([len(f.parsed.readings) for f in files]))
        for index, (papers, (notes, videos)) in enumerate(zip(resolved, later, strict=True)):
            if not (papers.gained or notes or videos):
                continue
            if log_ids is not None:
                capture_into(self.conn, log_ids[index])
            papers.update_stored(self.conn)
            self.conn.executemany("UPDATE readings SET notes = ? WHERE id = ?", notes)
            self.conn.executemany("INSERT INTO reading_videos (reading_id, position, url) VALUES (?, ?, ?)", videos)

    def _course_for(self, path: Path, explicit: str | None) -> tuple[str, str]:
        """course_for(PATH), resolving each folder once (a file that is a symlink is resolved itself)."""
        name = str(path)
        if os.path.islink(name):
            return course_for(path, explicit)
        key = (os.path.dirname(name), explicit)
        if key not in self._folder_courses:
            self._folder_courses[key] = course_for(path.parent / "file", explicit)
        return self._folder_courses[key]

    def _taken(self, course_id: int) -> set[str]:
        """The codes of COURSE_ID's sessions: read once, then those this import stores or gives out.

        A file that failed may leave its code here: that only sends a later file with the same
        code through `store`, which asks the library.
        """
        if course_id not in self._codes:
            self._codes[course_id] = {r[0] for r in self.conn.execute("SELECT code FROM sessions WHERE course_id = ?",
                                                                      (course_id,))}
        return self._codes[course_id]

    def _stored_course(self, name: str) -> int | None:
        """The id of course NAME if the library has it."""
        if name not in self._course_ids:
            known = self.conn.execute("SELECT id FROM courses WHERE name = ?", (name.strip(),)).fetchone()
            if known is None:
                return None
            self._course_ids[name] = known[0]
        return self._course_ids[name]


def _describe(result: FileResult, parsed: ParsedSession, course: str, code: str) -> None:
    result.kind, result.course = parsed.kind, course
    result.session = f"{course}/{code}"
    result.readings = len(parsed.readings)


_PER_ROW_INSERT_TRIGGERS = ("papers_ai", "papers_undo_insert", "sessions_ai", "sessions_undo_insert",
                            "readings_ai", "readings_undo_insert", "paper_list_items_undo_insert")
_FTS5_AUTOMERGE = 4  # FTS5's default
_INDEX_NEW = {
    "papers": "INSERT INTO papers_fts (rowid, title, abstract, authors) "
              "SELECT id, title, abstract, authors FROM papers WHERE id > ?",
    "sessions": "INSERT INTO sessions_fts (rowid, title) SELECT id, title FROM sessions WHERE id > ?",
}


@contextmanager
def bulk_inserts(conn: sqlite3.Connection) -> Iterator[ImportWriter]:
    """Inside one transaction, for an import: insert rows without per-row triggers, index them for search at the end.

    SQLite runs a trigger program for every inserted row (even one that does nothing) and
    FTS5 writes a segment for every statement, so an import spent most of its time there. For the
    transaction, the per-row insert triggers of the tables an import fills are dropped (the DDL is
    part of the transaction: a rollback or a crash brings them back); every insert logs its rows
    for undo itself (the ImportWriter's NewRows), and the new papers and sessions are indexed with
    one statement each before commit. Meanwhile fts_pending tells the update and delete triggers
    to leave the index of those new rows alone (db/003, db/004).
    """
    saved = [row[0] for row in conn.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({', '.join('?' * len(_PER_ROW_INSERT_TRIGGERS))})",
        _PER_ROW_INSERT_TRIGGERS)]
    for name in _PER_ROW_INSERT_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in _INDEX_NEW:
        conn.execute(f"INSERT INTO fts_pending (tbl, above) SELECT ?, coalesce(max(id), 0) FROM {table}", (table,))
    yield ImportWriter(conn)
    for table, above in conn.execute("SELECT tbl, above FROM fts_pending").fetchall():
        _index_new(conn, table, above)
    conn.execute("DELETE FROM fts_pending")
    for sql in saved:
        conn.execute(sql)


def _index_new(conn: sqlite3.Connection, table: str, above: int) -> None:
    """Index TABLE's rows with ids above ABOVE for search, in one statement.

    FTS5 merges its index segments as it writes them ('automerge'); for one large insert that
    is much of the time, and merging later (on the next writes) gives the same index.
    """
    fts = f"{table}_fts"
    stored = conn.execute(f"SELECT v FROM {fts}_config WHERE k = 'automerge'").fetchone()
    conn.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('automerge', 0)")
    conn.execute(_INDEX_NEW[table], (above,))
    conn.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('automerge', ?)", (stored[0] if stored else _FTS5_AUTOMERGE,))


def _update_session(writer: ImportWriter, changes: Changes, file: ParsedFile, existing: sqlite3.Row,
                    result: FileResult) -> None:
    """A newer version of a stored session's file: update it in place, keeping what the app added."""
    conn, parsed, path = writer.conn, file.value, file.path
    assert isinstance(parsed, ParsedSession)
    if existing["original_text"] == parsed.text and existing["kind"] == parsed.kind:
        result.papers_existing = len(parsed.readings)  # the same file again: nothing to add
        return
    session_id = existing["id"]
    conn.execute(
        "UPDATE sessions SET title = ?, date = ?, source = ?, kind = ?, front_matter = ?, original_text = ?, "
        "imported_at = ? WHERE id = ?",
        (parsed.title.strip() or path.stem, parsed.date, path.name, parsed.kind, parsed.front_matter, parsed.text,
         dt.datetime.now().isoformat(timespec="seconds"), session_id))
    changes.sessions.add(session_id)
    resolved = resolve_papers(conn, file.papers, changes, writer.new_rows)
    paper_ids = [paper_id for paper_id, _ in resolved]
    result.count_papers(resolved)
    _store_readings(writer.new_rows, session_id, parsed, file.papers, paper_ids)


def _store_readings(new_rows: NewRows, session_id: int, parsed: ParsedSession, papers: list[PaperFields],
                    paper_ids: list[int]) -> None:
    """A stored session's readings, as its newer file has them."""
    conn = new_rows.conn
    previous = _PreviousReadings(conn, session_id)
    next_id = new_rows.first_id("readings")
    rows: list[tuple] = []
    notes: list[tuple[str, int]] = []  # set after the insert: the update trigger indexes them for search
    videos: list[tuple[int, list[str], list[str]]] = []  # (reading id, its videos now, its videos before)
    for index, ((section, team, urls, text), fields, paper_id) in enumerate(
            zip(parsed.readings, papers, paper_ids, strict=True)):
        old = previous.take(paper_id, fields)
        if old is None:
            rows.append((next_id, session_id, index + 1, section, paper_id, team, "", index))
            if text:
                notes.append((text, next_id))
            videos.append((next_id, urls, []))
            next_id += 1
            continue
        # A newer version of the post: what it says wins; what the app added stays.
        row = (index + 1, section, paper_id, team or old["team"], text or old["notes"], index)
        if row != tuple(old[k] for k in ("position", "section", "paper_id", "team", "notes", "source_index")):
            conn.execute("UPDATE readings SET position = ?, section = ?, paper_id = ?, team = ?, notes = ?, "
                         "source_index = ? WHERE id = ?", (*row, old["id"]))
        videos.append((old["id"], urls, [r[0] for r in conn.execute(
            "SELECT url FROM reading_videos WHERE reading_id = ? ORDER BY position", (old["id"],))]))
    new_rows.insert("readings", _READING_COLUMNS, rows)
    if notes:
        conn.executemany("UPDATE readings SET notes = ? WHERE id = ?", notes)
    position = len(parsed.readings)
    for gone in previous.left_over():
        if gone["source_index"] is None:  # added in the app, never exported: the file cannot know it
            position += 1
            conn.execute("UPDATE readings SET position = ? WHERE id = ?", (position, gone["id"]))
        else:
            conn.execute("DELETE FROM readings WHERE id = ?", (gone["id"],))
    for reading_id, now, before in videos:
        if now and now != before:
            conn.execute("DELETE FROM reading_videos WHERE reading_id = ?", (reading_id,))
            conn.executemany("INSERT INTO reading_videos (reading_id, position, url) VALUES (?, ?, ?)",
                             [(reading_id, i, url) for i, url in enumerate(now, 1)])


class _PreviousReadings:
    """A session's readings before a newer version of its file is imported, to match the new ones to.

    A reading is the same reading when its paper is the same, else when its URL is, else when its
    title reads the same: a reworded heading keeps its notes, team and videos.
    """

    def __init__(self, conn: sqlite3.Connection, session_id: int):
        self._rows = {row["id"]: row for row in conn.execute(
            "SELECT r.*, p.url AS paper_url, p.title_key FROM readings r JOIN papers p ON p.id = r.paper_id "
            "WHERE r.session_id = ? ORDER BY r.position", (session_id,))}
        self._by: list[dict[object, list[int]]] = [{}, {}, {}]
        for row_id, row in self._rows.items():
            for index, key in enumerate((row["paper_id"], row["paper_url"], row["title_key"])):
                if key:
                    self._by[index].setdefault(key, []).append(row_id)

    def take(self, paper_id: int, paper: PaperFields) -> sqlite3.Row | None:
        """The previous reading that PAPER (its paper_fields) continues, removed from what is left; None if new."""
        if not self._rows:
            return None
        for index, key in enumerate((paper_id, paper[5], paper[1])):  # (the paper, its URL stripped, its title's key)
            for row_id in self._by[index].get(key, ()):
                if row_id in self._rows:
                    return self._rows.pop(row_id)
        return None

    def left_over(self) -> list[sqlite3.Row]:
        """Previous readings the new file no longer has, in their old order."""
        return list(self._rows.values())


def _store_list(writer: ImportWriter, changes: Changes, file: ParsedFile, parsed: ParsedList, result: FileResult) -> None:
    conn, path = writer.conn, file.path
    result.list = parsed.name
    paper_ids: list[int] = []
    seen: set[int] = set()
    for paper_id, created in resolve_papers(conn, file.papers, changes, writer.new_rows):
        if paper_id in seen:
            continue  # listed twice in one list: still one paper
        seen.add(paper_id)
        paper_ids.append(paper_id)
        if created:
            result.papers_new += 1
        else:
            result.papers_existing += 1
    row = conn.execute("SELECT id FROM paper_lists WHERE name = ?", (parsed.name,)).fetchone()
    if row is None:
        list_id = conn.execute("INSERT INTO paper_lists (name, source, imported_at) VALUES (?, ?, ?)",
                               (parsed.name, str(path), dt.datetime.now().isoformat(timespec="seconds"))).lastrowid
        current: list[int] = []
    else:
        list_id = row[0]
        current = [r[0] for r in conn.execute(
            "SELECT paper_id FROM paper_list_items WHERE list_id = ? ORDER BY position", (list_id,))]
    if current != paper_ids:
        conn.execute("DELETE FROM paper_list_items WHERE list_id = ?", (list_id,))
        first = writer.new_rows.first_id("paper_list_items")
        writer.new_rows.insert("paper_list_items", ("id", "list_id", "position", "paper_id"),
                        [(first + i, list_id, i + 1, pid) for i, pid in enumerate(paper_ids)])
        changes.lists.add(list_id)
