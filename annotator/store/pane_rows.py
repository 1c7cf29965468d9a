"""What the app's panes read: the course/session tree, one session or reading with its context,
recent imports. (The CLI's shapes, which some panes share, are in queries.py.)"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from annotator.store.queries import session_readings
from annotator.store.workload import natural_key


@dataclass
class SessionRow:
    """One session as the session tree shows it."""

    session_id: int
    code: str
    date: str
    title: str
    readings: int


def course_tree(conn: sqlite3.Connection) -> list[tuple[int, str, list[SessionRow]]]:
    """(course id, name, sessions) for every course by name; its sessions by date (undated last), then id."""
    courses: list[tuple[int, str, list[SessionRow]]] = [
        (r[0], r[1], []) for r in conn.execute("SELECT id, name FROM courses ORDER BY name COLLATE NOCASE")]
    by_id = {course_id: sessions for course_id, _, sessions in courses}
    for r in conn.execute(
        "SELECT s.id, s.course_id, s.code, s.date, s.title, "
        "(SELECT count(*) FROM readings WHERE session_id = s.id) FROM sessions s"
    ):
        by_id[r[1]].append(SessionRow(r[0], r[2], r[3], r[4], r[5]))
    for _, _, sessions in courses:
        sessions.sort(key=lambda s: (s.date == "", s.date, natural_key(s.code)))
    return courses


def session_heading(conn: sqlite3.Connection, session_id: int) -> tuple[str, str] | None:
    """(id, title) of a session, such as ("S0-L16", "Multimodal models"); None when it is gone."""
    row = conn.execute("SELECT code, title FROM sessions WHERE id = ?", (session_id,)).fetchone()
    return (row[0], row[1]) if row is not None else None


def session_with_course(conn: sqlite3.Connection, session_id: int) -> dict[str, Any] | None:
    """Every column of a session and its course's name (`course`); None when it is gone."""
    row = conn.execute(
        "SELECT s.*, c.name AS course FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = ?",
        (session_id,)).fetchone()
    return dict(row) if row is not None else None


def reading_in_context(conn: sqlite3.Connection, reading_id: int) -> dict[str, Any] | None:
    """A reading as queries.session_readings shapes it, plus its `session_id` and `course_id`; None when it is gone."""
    row = conn.execute(
        "SELECT r.session_id, s.course_id FROM readings r JOIN sessions s ON s.id = r.session_id WHERE r.id = ?",
        (reading_id,)).fetchone()
    if row is None:
        return None
    reading = next(r for r in session_readings(conn, row[0]) if r["reading_id"] == reading_id)
    return reading | {"session_id": row[0], "course_id": row[1]}


def course_name(conn: sqlite3.Connection, course_id: int) -> str | None:
    """The name of a course; None when it is gone."""
    row = conn.execute("SELECT name FROM courses WHERE id = ?", (course_id,)).fetchone()
    return row[0] if row is not None else None


def papers_by_title(conn: sqlite3.Connection, limit: int) -> list[tuple[int, str]]:
    """(paper id, title) of the first LIMIT papers in title order: a picker's list before anything is typed."""
    return [(r[0], r[1]) for r in conn.execute("SELECT id, title FROM papers ORDER BY title LIMIT ?", (limit,))]


def library_is_empty(conn: sqlite3.Connection) -> bool:
    """No sessions and no papers: the welcome page is what to show."""
    return not conn.execute("SELECT EXISTS (SELECT 1 FROM sessions UNION ALL SELECT 1 FROM papers)").fetchone()[0]


def recent_imports(conn: sqlite3.Connection, limit: int) -> list[tuple[str, int, str, str]]:
    """(kind 'session'|'list', row id, label, imported_at) of the newest LIMIT imports, newest first."""
    rows = conn.execute(
        """SELECT * FROM (
             SELECT 'session' AS kind, s.id, c.name || '/' || s.code || '  ' || s.title AS label, s.imported_at
               FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.imported_at != ''
             UNION ALL
             SELECT 'list', l.id, l.name || '  (paper list)', l.imported_at FROM paper_lists l WHERE l.imported_at != ''
           ) ORDER BY imported_at DESC, id DESC LIMIT ?""",
        (limit,),
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]
