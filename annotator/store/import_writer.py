"""What importing one parsed file writes: its session with readings (new, or a newer version of a
stored one, keeping what the app added), or its paper list.

A file's papers are matched against the library in a few queries (store/papers), and its new
rows go in with one executemany per table, logged for undo as one range of ids
(operations.NewRows). The usual triggers index the rows for search.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from annotator.errors import is_utf8, readable
from annotator.formats.model import PaperList, Reading, Session
from annotator.formats.papers import title_key
from annotator.store.editing import ensure_course
from annotator.store.operations import Changes, NewRows
from annotator.store.papers import store_papers
from annotator.store.parsed_files import ParsedFile

SITE_COLLECTIONS = ("_contents", "_sessions", "_posts")
_READING_COLUMNS = ("id", "session_id", "position", "section", "paper_id", "team", "notes", "source_index")
_VIDEO_COLUMNS = ("id", "reading_id", "position", "url")


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
    session_id: int | None = field(default=None, repr=False)  # the stored session's row (a site sync keeps its base)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("changes")
        data.pop("session_id")
        return data

    def count_papers(self, resolved: list[tuple[int, bool]]) -> None:
        """Count the file's papers, new and already known, from their (paper id, created)."""
        self.papers_new = sum(created for _, created in resolved)
        self.papers_existing = len(resolved) - self.papers_new

    def failed(self, error: str) -> None:
        """Mark this file as not imported: nothing of it was kept."""
        self.course = self.session = self.list = ""
        self.papers_new = self.papers_existing = self.readings = 0
        self.error, self.changes, self.session_id = error, None, None


def course_for(path: Path, explicit: str | None) -> tuple[str, str]:
    """(course name, site folder): --course, else the site folder holding _contents/_sessions/_posts, else the parent."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name in SITE_COLLECTIONS:
            site = parent.parent
            folder = str(site) if is_utf8(str(site)) else ""  # ('' : not a folder SQLite can keep)
            return (explicit or readable(site.name), folder)
    # A folder's name that is not UTF-8 still names a course: its undecodable bytes show as U+FFFD.
    return (explicit or readable(resolved.parent.name) or "library", "")


class ImportWriter:
    """Writes parsed files in an import's transaction; remembers the course of each folder it saw."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._folder_courses: dict[tuple[str, str | None], tuple[str, str]] = {}  # (folder, --course) -> course
        self._folders: dict[str, str] = {}  # folder as given -> resolved

    def store(self, changes: Changes, file: ParsedFile, course: str | None, result: FileResult) -> None:
        """Write one parsed file, filling RESULT and CHANGES: find where it goes, store its papers, then its rows."""
        value = file.value
        assert value is not None, "a file that did not parse is not stored"
        if isinstance(value, PaperList):
            result.kind, result.list = "hf_list", value.name
            place, papers = None, value.papers
        else:
            place = self._session_place(changes, file.path, value, course, result)
            if place.stored is not None and place.stored["original_text"] == value.text \
                    and place.stored["kind"] == value.kind:
                result.papers_existing = len(value.readings)  # the same file again: nothing to add
                result.session_id = place.stored["id"]
                _note_file_place(self.conn, changes, file.path, place)  # (unless it was found elsewhere)
                return
            papers = [reading.paper for reading in value.readings]
        paper_ids = store_papers(self.conn, papers, changes)
        if place is None:
            _store_list(self.conn, changes, file.path, value.name, paper_ids, result)
        else:
            _store_session(self.conn, changes, file.path, value, place, paper_ids, result)

    def _session_place(self, changes: Changes, path: Path, session: Session, course: str | None,
                       result: FileResult) -> _SessionPlace:
        """Where the session of PATH goes: its course (created if new), its code, and the row it replaces."""
        name, site = self._course_for(path, course)
        course_id = ensure_course(self.conn, name, site, changes)
        code = path.stem
        result.kind, result.course, result.session = session.kind, name, f"{name}/{code}"
        result.readings = len(session.readings)
        stored = self.conn.execute("SELECT * FROM sessions WHERE course_id = ? AND code = ?", (course_id, code)).fetchone()
        return _SessionPlace(course_id, code, stored, self._folder_of(path))

    def _course_for(self, path: Path, explicit: str | None) -> tuple[str, str]:
        """course_for(PATH), resolving each folder once (a file that is a symlink is resolved itself)."""
        name = str(path)
        if os.path.islink(name):
            return course_for(path, explicit)
        key = (os.path.dirname(name), explicit)
        if key not in self._folder_courses:
            self._folder_courses[key] = course_for(path.parent / "file", explicit)
        return self._folder_courses[key]

    def _folder_of(self, path: Path) -> str:
        """The absolute, resolved folder of PATH, as sessions.source_folder keeps it (each folder resolved once);
        '' for a folder whose name is not UTF-8."""
        folder = os.path.dirname(str(path))
        if folder not in self._folders:
            resolved = str(path.parent.resolve())
            # A name that is not UTF-8 cannot be kept as SQLite text: '' says so.
            self._folders[folder] = resolved if is_utf8(resolved) else ""
        return self._folders[folder]


@dataclass(slots=True)
class _SessionPlace:
    """Where an imported session goes: its course, its code, the stored session it replaces (if any), and the
    folder its file is in."""

    course_id: int
    code: str
    stored: sqlite3.Row | None
    folder: str


def _store_session(conn: sqlite3.Connection, changes: Changes, path: Path, session: Session, place: _SessionPlace,
                   paper_ids: list[tuple[int, bool]], result: FileResult) -> None:
    """The session's row (new, or updated in place), then its readings."""
    result.count_papers(paper_ids)
    row = (session.title.strip() or place.code, session.date, path.name, place.folder, session.kind,
           json.dumps(session.front_matter, ensure_ascii=False), session.text, _now())
    if place.stored is None:
        session_id = conn.execute(
            "INSERT INTO sessions (title, date, source, source_folder, kind, front_matter, original_text, imported_at, "
            "course_id, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, place.course_id, place.code)).lastrowid
    else:
        session_id = place.stored["id"]
        conn.execute("UPDATE sessions SET title = ?, date = ?, source = ?, source_folder = ?, kind = ?, "
                     "front_matter = ?, original_text = ?, imported_at = ? WHERE id = ?", (*row, session_id))
    changes.sessions.add(session_id)
    result.session_id = session_id
    previous = _PreviousReadings(conn, session_id if place.stored is not None else None)
    _store_readings(conn, session_id, session.readings, [paper_id for paper_id, _ in paper_ids], previous)


def _note_file_place(conn: sqlite3.Connection, changes: Changes, path: Path, place: _SessionPlace) -> None:
    """Keep where the stored session's file now is, when the same file is imported again from another place.

    Its text is the same, so nothing else changes; a session imported before the library kept
    folders (db/010) learns its folder so.
    """
    assert place.stored is not None, "only a stored session has a place to update"
    if (place.stored["source"], place.stored["source_folder"]) != (path.name, place.folder):
        conn.execute("UPDATE sessions SET source = ?, source_folder = ? WHERE id = ?",
                     (path.name, place.folder, place.stored["id"]))
        changes.sessions.add(place.stored["id"])


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _store_readings(conn: sqlite3.Connection, session_id: int, readings: list[Reading], paper_ids: list[int],
                    previous: _PreviousReadings) -> None:
    """A session's readings as its file has them: new ones inserted, earlier ones updated or removed.

    When the session was stored before, what the file says wins, and what the app added stays:
    a reading's team and notes when the file has none, its videos when the file lists none, and
    readings added in the app (never exported, so the file cannot know them).
    """
    new_rows = NewRows(conn)
    next_id = new_rows.first_id("readings")
    rows: list[tuple] = []
    videos: list[tuple[int, list[str]]] = []  # (reading id, the videos the file lists) where they change
    for index, (reading, paper_id) in enumerate(zip(readings, paper_ids, strict=True)):
        old = previous.take(paper_id, reading)
        if old is None:
            rows.append((next_id, session_id, index + 1, reading.section, paper_id, reading.team, reading.notes, index))
            if reading.videos:
                videos.append((next_id, reading.videos))
            next_id += 1
            continue
        row = (index + 1, reading.section, paper_id, reading.team or old["team"], reading.notes or old["notes"], index)
        if row != tuple(old[k] for k in ("position", "section", "paper_id", "team", "notes", "source_index")):
            conn.execute("UPDATE readings SET position = ?, section = ?, paper_id = ?, team = ?, notes = ?, "
                         "source_index = ? WHERE id = ?", (*row, old["id"]))
        if reading.videos and reading.videos != previous.videos(old["id"]):
            conn.execute("DELETE FROM reading_videos WHERE reading_id = ?", (old["id"],))
            videos.append((old["id"], reading.videos))
    new_rows.insert("readings", _READING_COLUMNS, rows)
    position = len(readings)
    for gone in previous.left_over():
        if gone["source_index"] is None:  # added in the app: kept, after the file's readings
            position += 1
            conn.execute("UPDATE readings SET position = ? WHERE id = ?", (position, gone["id"]))
        else:
            conn.execute("DELETE FROM readings WHERE id = ?", (gone["id"],))
    if videos:
        first = new_rows.first_id("reading_videos")
        video_rows = [(reading_id, position, url) for reading_id, urls in videos for position, url in enumerate(urls, 1)]
        new_rows.insert("reading_videos", _VIDEO_COLUMNS, [(first + i, *row) for i, row in enumerate(video_rows)])


class _PreviousReadings:
    """A session's readings before a newer version of its file is imported, to match the new ones to.

    A reading is the same reading when its paper is the same, else when its URL is, else when its
    title reads the same: a reworded heading keeps its notes, team and videos.
    """

    def __init__(self, conn: sqlite3.Connection, session_id: int | None):
        """The readings of stored session SESSION_ID (None: a new session, which has none)."""
        self._conn = conn
        self._rows = {} if session_id is None else {row["id"]: row for row in conn.execute(
            "SELECT r.*, p.url AS paper_url, p.title_key FROM readings r JOIN papers p ON p.id = r.paper_id "
            "WHERE r.session_id = ? ORDER BY r.position", (session_id,))}
        self._by: list[dict[object, list[int]]] = [{}, {}, {}]
        for row_id, row in self._rows.items():
            for index, key in enumerate((row["paper_id"], row["paper_url"], row["title_key"])):
                if key:
                    self._by[index].setdefault(key, []).append(row_id)

    def take(self, paper_id: int, reading: Reading) -> sqlite3.Row | None:
        """The previous reading that READING (now of PAPER_ID) continues, removed from what is left; None if new."""
        if not self._rows:
            return None
        for index, key in enumerate((paper_id, reading.paper.url.strip(), title_key(reading.paper.title))):
            for row_id in self._by[index].get(key, ()):
                if row_id in self._rows:
                    return self._rows.pop(row_id)
        return None

    def videos(self, reading_id: int) -> list[str]:
        """The video links a previous reading has, in order."""
        return [row[0] for row in self._conn.execute(
            "SELECT url FROM reading_videos WHERE reading_id = ? ORDER BY position", (reading_id,))]

    def left_over(self) -> list[sqlite3.Row]:
        """Previous readings the new file no longer has, in their old order."""
        return list(self._rows.values())


def _store_list(conn: sqlite3.Connection, changes: Changes, path: Path, name: str,
                paper_ids: list[tuple[int, bool]], result: FileResult) -> None:
    """A paper list NAME with its papers (a paper listed twice is listed once), replacing what it held."""
    listed: list[int] = []
    seen: set[int] = set()
    for paper_id, created in paper_ids:
        if paper_id in seen:
            continue
        seen.add(paper_id)
        listed.append(paper_id)
        result.papers_new += created
        result.papers_existing += not created
    row = conn.execute("SELECT id FROM paper_lists WHERE name = ?", (name,)).fetchone()
    if row is None:
        list_id = conn.execute("INSERT INTO paper_lists (name, source, imported_at) VALUES (?, ?, ?)",
                               (name, str(path), _now())).lastrowid
        current: list[int] = []
    else:
        list_id = row[0]
        current = [r[0] for r in conn.execute(
            "SELECT paper_id FROM paper_list_items WHERE list_id = ? ORDER BY position", (list_id,))]
    if current != listed:
        conn.execute("DELETE FROM paper_list_items WHERE list_id = ?", (list_id,))
        new_rows = NewRows(conn)
        first = new_rows.first_id("paper_list_items")
        new_rows.insert("paper_list_items", ("id", "list_id", "position", "paper_id"),
                        [(first + i, list_id, i + 1, paper_id) for i, paper_id in enumerate(listed)])
        changes.lists.add(list_id)
