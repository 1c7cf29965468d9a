"""One paper once: find a paper by arXiv id or normalised title, merging what each file adds."""

from __future__ import annotations

import sqlite3

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.formats.papers import title_key
from annotator.store.operations import Changes

_FILLABLE = ("url", "arxiv_id", "authors", "abstract")


def is_placeholder_title(title: str) -> bool:
    """True for titles that only stand in for one: `arXiv:2303.08774` or a bare URL."""
    return title.startswith(("arXiv:", "http://", "https://"))


def find_paper(conn: sqlite3.Connection, paper: Paper) -> sqlite3.Row | None:
    """The stored paper that PAPER is: same arXiv id, else same normalised title (and no other id)."""
    arxiv_id = paper.arxiv_id
    if arxiv_id:
        row = conn.execute("SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        if row is not None:
            return row
    key = title_key(paper.title)
    if not key:
        return None
    return conn.execute(
        "SELECT * FROM papers WHERE title_key = ? AND (arxiv_id IS NULL OR ? = '' OR arxiv_id = ?) "
        "ORDER BY id LIMIT 1",
        (key, arxiv_id, arxiv_id),
    ).fetchone()


def upsert_paper(conn: sqlite3.Connection, paper: Paper, changes: Changes) -> tuple[int, bool]:
    """Return (paper id, created) for PAPER, filling fields the stored copy lacks."""
    row = find_paper(conn, paper)
    incoming = {
        "url": paper.url.strip(),
        "arxiv_id": paper.arxiv_id or None,
        "authors": paper.authors.strip(),
        "abstract": paper.abstract.strip(),
    }
    if row is None:
        title = " ".join(paper.title.split()) or incoming["url"]
        cursor = conn.execute(
            "INSERT INTO papers (title, title_key, url, arxiv_id, authors, abstract) VALUES (?, ?, ?, ?, ?, ?)",
            (title, title_key(title), *incoming.values()),
        )
        changes.papers.add(cursor.lastrowid)
        return cursor.lastrowid, True
    updates = {k: v for k, v in incoming.items() if v and not row[k]}
    title = " ".join(paper.title.split())
    if is_placeholder_title(row["title"]) and title and not is_placeholder_title(title):
        updates |= {"title": title, "title_key": title_key(title)}  # a real title beats `arXiv:ID` or a URL
    if updates:
        assignments = ", ".join(f"{k} = ?" for k in updates)
        conn.execute(f"UPDATE papers SET {assignments} WHERE id = ?", (*updates.values(), row["id"]))
        changes.papers.add(row["id"])
    return row["id"], False


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
