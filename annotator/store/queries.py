"""Read-only queries: what the CLI prints and the views show. Shapes are the CLI's JSON shapes."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from annotator.errors import AnnotatorError


def resolve_session(conn: sqlite3.Connection, ref: str) -> int:
    """The row id of session REF: `ID` when unique, else `COURSE/ID`."""
    course, _, code = ref.rpartition("/")
    if course:
        row = conn.execute(
            "SELECT s.id FROM sessions s JOIN courses c ON c.id = s.course_id WHERE c.name = ? AND s.code = ?",
            (course, code),
        ).fetchone()
        if row is None:
            raise AnnotatorError(f"no session {ref!r} in the library")
        return row[0]
    rows = conn.execute(
        "SELECT s.id, c.name FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.code = ?", (code,)
    ).fetchall()
    if not rows:
        raise AnnotatorError(f"no session {ref!r} in the library")
    if len(rows) > 1:
        names = ", ".join(f"{r[1]}/{code}" for r in rows)
        raise AnnotatorError(f"session {ref!r} is ambiguous: say which one ({names})")
    return rows[0][0]


def list_sessions(conn: sqlite3.Connection, course_id: int | None = None) -> list[dict[str, Any]]:
    """Every session (of one course, if given), sorted by course, date, then id."""
    where = "WHERE s.course_id = ?" if course_id is not None else ""
    rows = conn.execute(
        f"""SELECT s.id AS row_id, c.name AS course, s.code AS id, s.title, s.date, s.source,
               (SELECT count(*) FROM readings r WHERE r.session_id = s.id) AS readings
            FROM sessions s JOIN courses c ON c.id = s.course_id {where}
            ORDER BY c.name, s.date = '', s.date, s.code""",
        () if course_id is None else (course_id,),
    ).fetchall()
    return [dict(r) for r in rows]


def session_readings(conn: sqlite3.Connection, session_id: int) -> list[dict[str, Any]]:
    """A session's readings in order, with paper fields and videos."""
    rows = conn.execute(
        """SELECT r.id AS reading_id, r.position, r.section, r.team, r.notes, r.source_index,
                  p.id AS paper_id, p.title, p.url, coalesce(p.arxiv_id, '') AS arxiv_id, p.authors, p.abstract
           FROM readings r JOIN papers p ON p.id = r.paper_id
           WHERE r.session_id = ? ORDER BY r.position""",
        (session_id,),
    ).fetchall()
    videos: dict[int, list[str]] = {}
    for reading_id, url in conn.execute(
        """SELECT v.reading_id, v.url FROM reading_videos v JOIN readings r ON r.id = v.reading_id
           WHERE r.session_id = ? ORDER BY v.reading_id, v.position""",
        (session_id,),
    ):
        videos.setdefault(reading_id, []).append(url)
    return [dict(r) | {"videos": videos.get(r["reading_id"], [])} for r in rows]


def session_detail(conn: sqlite3.Connection, session_id: int) -> dict[str, Any]:
    """The `show` shape: session fields, front matter in file order, readings."""
    row = conn.execute(
        """SELECT s.*, c.name AS course FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = ?""",
        (session_id,),
    ).fetchone()
    if row is None:
        raise AnnotatorError(f"no session with row id {session_id}")
    readings = [
        {k: r[k] for k in ("position", "section", "title", "url", "arxiv_id", "authors", "abstract", "team", "videos", "notes")}
        for r in session_readings(conn, session_id)
    ]
    return {
        "course": row["course"],
        "id": row["code"],
        "title": row["title"],
        "date": row["date"],
        "source": row["source"],
        "kind": row["kind"],
        "front_matter": json.loads(row["front_matter"]),
        "readings": readings,
    }


def list_papers(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every paper with the sessions (`COURSE/ID`) and lists it appears in."""
    sessions: dict[int, list[str]] = {}
    for paper_id, ref in conn.execute(
        """SELECT DISTINCT r.paper_id, c.name || '/' || s.code FROM readings r
           JOIN sessions s ON s.id = r.session_id JOIN courses c ON c.id = s.course_id ORDER BY 1, 2"""
    ):
        sessions.setdefault(paper_id, []).append(ref)
    lists: dict[int, list[str]] = {}
    for paper_id, name in conn.execute(
        """SELECT DISTINCT i.paper_id, l.name FROM paper_list_items i JOIN paper_lists l ON l.id = i.list_id ORDER BY 1, 2"""
    ):
        lists.setdefault(paper_id, []).append(name)
    return [
        {
            "id": r["id"], "title": r["title"], "url": r["url"], "arxiv_id": r["arxiv_id"] or "",
            "authors": r["authors"], "abstract": r["abstract"],
            "sessions": sessions.get(r["id"], []), "lists": lists.get(r["id"], []),
        }
        for r in conn.execute("SELECT * FROM papers ORDER BY id")
    ]


def fts_query(text: str) -> str:
    """Turn what a user types into a safe FTS5 query: every word must match, the last as a prefix."""
    words = re.findall(r"\w+", text, re.UNICODE)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


_SEARCH_BRANCHES = {
    "paper": """SELECT 'paper' AS type, p.id AS id, p.title AS title,
                    snippet(papers_fts, -1, '[', ']', '…', 12) AS snippet, bm25(papers_fts, 10.0, 1.0, 3.0) AS rank
               FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid WHERE papers_fts MATCH :q""",
    "session": """SELECT 'session' AS type, c.name || '/' || s.code AS id, s.title AS title,
                    snippet(sessions_fts, 0, '[', ']', '…', 12) AS snippet, bm25(sessions_fts) AS rank
               FROM sessions_fts JOIN sessions s ON s.id = sessions_fts.rowid
               JOIN courses c ON c.id = s.course_id WHERE sessions_fts MATCH :q""",
    "notes": """SELECT 'notes' AS type, r.id AS id, p.title AS title,
                    snippet(readings_fts, 0, '[', ']', '…', 12) AS snippet, bm25(readings_fts) AS rank
               FROM readings_fts JOIN readings r ON r.id = readings_fts.rowid
               JOIN papers p ON p.id = r.paper_id WHERE readings_fts MATCH :q""",
}


def search(
    conn: sqlite3.Connection, text: str, limit: int = 100, kinds: tuple[str, ...] = ("paper", "session", "notes")
) -> list[dict[str, Any]]:
    """Papers, sessions and reading notes (or only KINDS of them) matching TEXT, best first (bm25).

    The paper branch makes a snippet of every matching paper: with 100k papers, leave it out of
    KINDS when the papers are ranked elsewhere (the library browser does).
    """
    query = fts_query(text)
    if not query or not kinds:
        return []
    branches = "\n             UNION ALL\n             ".join(_SEARCH_BRANCHES[kind] for kind in kinds)
    rows = conn.execute(
        f"SELECT * FROM (\n             {branches}\n           ) ORDER BY rank LIMIT :limit",
        {"q": query, "limit": limit},
    ).fetchall()
    return [{k: r[k] for k in ("type", "id", "title", "snippet")} for r in rows]


def paper_lists(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Imported paper lists, newest first, with their sizes."""
    rows = conn.execute(
        """SELECT l.id, l.name, l.source, l.imported_at,
                  (SELECT count(*) FROM paper_list_items i WHERE i.list_id = l.id) AS papers
           FROM paper_lists l ORDER BY l.imported_at DESC, l.id DESC"""
    ).fetchall()
    return [dict(r) for r in rows]

