"""Queries behind the library browser: paper ids by filter and sort, paper rows a page at a time.

The browser holds only ids (as Anki's card browser does) and asks for rows when they scroll into
view, so every query here either returns ids only or touches a handful of rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from annotator.store import queries
from annotator.store.queries import SearchCut, TimeBudget, fts_query, rows_within

# Sort keys the browser offers, with the SQL that orders by them (title breaks ties).
_TIEBREAK = ("p.title COLLATE NOCASE", "p.id")
SORT_SQL = {
    "title": ("p.title COLLATE NOCASE", "p.id"),
    "authors": ("p.authors COLLATE NOCASE", *_TIEBREAK),
    "arxiv": ("p.arxiv_id IS NULL", "p.arxiv_id", "p.id"),
    "sessions": ("(SELECT count(*) FROM readings r WHERE r.paper_id = p.id)", *_TIEBREAK),
    "lists": ("(SELECT count(*) FROM paper_list_items li WHERE li.paper_id = p.id)", *_TIEBREAK),
}
PAPER_WEIGHTS = "10.0, 1.0, 3.0"  # bm25 weights of title, abstract, authors (as queries.search)


@dataclass(frozen=True)
class PaperQuery:
    """Which papers to show and in what order.

    sort None is the natural order: relevance when searching, else list position in a list,
    else the order papers were added.
    """

    text: str = ""
    list_id: int | None = None
    sort: str | None = None
    descending: bool = False


@dataclass
class PaperRow:
    """One row of the browser table."""

    id: int
    title: str
    authors: str
    arxiv_id: str
    url: str
    sessions: list[str] = field(default_factory=list)  # COURSE/ID
    lists: list[str] = field(default_factory=list)


def _order_by(query: PaperQuery, searching: bool) -> str:
    if query.sort is None:
        if searching:
            natural = f"bm25(papers_fts, {PAPER_WEIGHTS})"
        elif query.list_id is not None:
            natural = "i.position"
        else:
            natural = "p.id"
        terms: tuple[str, ...] = (natural, "p.id")
    else:
        terms = SORT_SQL[query.sort]
    direction = " DESC" if query.descending else ""
    return ", ".join(term + direction for term in terms)


def _ranked_sql(descending: bool) -> str:
    """Ids of the papers matching :match by bm25, straight from the index (no paper row is read);
    rowid breaks ties so that a first page and the whole list agree."""
    direction = " DESC" if descending else ""
    return (f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH :match "
            f"ORDER BY bm25(papers_fts, {PAPER_WEIGHTS}){direction}, rowid{direction}")


def _ids(conn: sqlite3.Connection, sql: str, params: dict[str, object]) -> list[int]:
    return [row[0] for row in _tuples(conn, sql, params)]


def _tuples(conn: sqlite3.Connection, sql: str, params: dict[str, object]) -> list[tuple[Any, ...]]:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: 100k ids come back much sooner than as Rows
    return cursor.execute(sql, params).fetchall()


def _ids_within(conn: sqlite3.Connection, sql: str, params: dict[str, object], seconds: float | None) -> list[int]:
    """The first column of SQL's rows, or SearchCut when it runs longer than SECONDS (default SEARCH_SECONDS)."""
    return [row[0] for row in tuples_within(conn, sql, params, seconds)]


def tuples_within(conn: sqlite3.Connection, sql: str, params: dict[str, object],
                  seconds: float | None) -> list[tuple[Any, ...]]:
    """SQL's rows as tuples, or SearchCut when it runs longer than SECONDS (default SEARCH_SECONDS)."""
    seconds = queries.SEARCH_SECONDS if seconds is None else seconds
    with TimeBudget(conn, seconds) as budget:
        try:
            return _tuples(conn, sql, params)
        except sqlite3.OperationalError as exc:
            if budget.cut(exc):
                raise SearchCut(seconds) from None
            raise


def paper_ids(conn: sqlite3.Connection, query: PaperQuery, seconds: float | None = None) -> list[int]:
    """The ids of the papers QUERY selects, in its order (a word search matches title, abstract, authors).

    Raises SearchCut when a word search takes longer than SECONDS (default SEARCH_SECONDS); `first_matches`
    is then what there is.
    """
    match = fts_query(query.text)
    if query.text.strip() and not match:
        return []
    joins: list[str] = []
    where: list[str] = []
    params: dict[str, object] = {}
    if match:
        joins.append("JOIN papers_fts ON papers_fts.rowid = p.id")
        where.append("papers_fts MATCH :match")
        params["match"] = match
    if query.list_id is not None:
        joins.append("JOIN paper_list_items i ON i.paper_id = p.id")
        where.append("i.list_id = :list")
        params["list"] = query.list_id
    if match and query.sort is None and query.list_id is None:
        sql = _ranked_sql(query.descending)
    else:
        sql = f"SELECT p.id FROM papers p {' '.join(joins)}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY " + _order_by(query, bool(match))
    return _ids_within(conn, sql, params, seconds) if match else _ids(conn, sql, params)


def match_count(conn: sqlite3.Connection, text: str, seconds: float | None = None) -> int:
    """How many papers a word search for TEXT matches (quick: it reads the index only, and a word of one
    or two letters reads the prefix index of 009). Raises SearchCut as paper_ids."""
    match = fts_query(text)
    if not match:
        return 0
    return _ids_within(conn, "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH :match", {"match": match},
                       seconds)[0]


def ranked_page(conn: sqlite3.Connection, text: str, limit: int, seconds: float | None = None) -> list[int]:
    """The first LIMIT ids of `paper_ids` for a word search for TEXT: the best by bm25.

    Quicker than the whole list when many papers match: SQLite keeps only the best LIMIT while it
    ranks, instead of sorting every match and handing it over. Raises SearchCut as paper_ids.
    """
    match = fts_query(text)
    if not match:
        return []
    return _ids_within(conn, _ranked_sql(False) + " LIMIT :limit", {"match": match, "limit": limit}, seconds)


def ranked_with_scores(conn: sqlite3.Connection, text: str, limit: int,
                       seconds: float | None = None) -> list[tuple[int, float]]:
    """`ranked_page` with each paper's bm25 score (as SQLite orders them: the lower, the better)."""
    match = fts_query(text)
    if not match:
        return []
    sql = (f"SELECT rowid, bm25(papers_fts, {PAPER_WEIGHTS}) AS score FROM papers_fts "
           "WHERE papers_fts MATCH :match ORDER BY score, rowid LIMIT :limit")
    return [(row[0], row[1]) for row in tuples_within(conn, sql, {"match": match, "limit": limit}, seconds)]


def first_matches(conn: sqlite3.Connection, text: str, limit: int = 200, seconds: float | None = None,
                  list_id: int | None = None) -> list[int]:
    """Up to LIMIT papers matching TEXT, those matching in the title first, unranked (found within SECONDS);
    with LIST_ID, only papers of that list, in its order.

    Streams from the index at once however many papers match: what a search shows when ranking
    them by bm25 ran out of time.
    """
    match = fts_query(text)
    if not match:
        return []
    seconds = queries.SEARCH_SECONDS if seconds is None else seconds
    if list_id is not None:
        in_list = ("SELECT i.paper_id FROM paper_list_items i JOIN papers_fts ON papers_fts.rowid = i.paper_id "
                   "WHERE i.list_id = :list AND papers_fts MATCH :q ORDER BY i.position LIMIT :limit")
        rows = rows_within(conn, [in_list], {"q": match, "list": list_id, "limit": limit}, seconds)[0]
        return list(dict.fromkeys(row[0] for row in rows))
    sql = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH :q LIMIT :limit"
    rows = rows_within(conn, [sql], {"q": f"title : ({match})", "limit": limit}, seconds)[0]
    found = list(dict.fromkeys(row[0] for row in rows))
    if len(found) < limit:
        rows = rows_within(conn, [sql], {"q": match, "limit": limit + len(found)}, seconds)[0]
        found = list(dict.fromkeys([*found, *(row[0] for row in rows)]))
    return found[:limit]


def _grouped(conn: sqlite3.Connection, sql: str, ids: list[int]) -> dict[int, list[str]]:
    marks = ", ".join("?" for _ in ids)
    grouped: dict[int, list[str]] = {}
    for paper_id, name in conn.execute(sql.format(marks=marks), ids):
        grouped.setdefault(paper_id, []).append(name)
    return grouped


def paper_rows(conn: sqlite3.Connection, ids: list[int]) -> dict[int, PaperRow]:
    """The table rows of papers IDS (a page: keep it to a few hundred), by id."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    sessions = _grouped(
        conn,
        """SELECT r.paper_id, c.name || '/' || s.code FROM readings r
           JOIN sessions s ON s.id = r.session_id JOIN courses c ON c.id = s.course_id
           WHERE r.paper_id IN ({marks}) GROUP BY r.paper_id, s.id
           ORDER BY r.paper_id, c.name, s.date = '', s.date, s.code""",
        ids,
    )
    lists = _grouped(
        conn,
        """SELECT i.paper_id, l.name FROM paper_list_items i JOIN paper_lists l ON l.id = i.list_id
           WHERE i.paper_id IN ({marks}) GROUP BY i.paper_id, l.id ORDER BY i.paper_id, l.name""",
        ids,
    )
    rows = conn.execute(
        f"SELECT id, title, authors, coalesce(arxiv_id, ''), url FROM papers WHERE id IN ({marks})", ids
    ).fetchall()
    return {
        r[0]: PaperRow(r[0], r[1], r[2], r[3], r[4], sessions.get(r[0], []), lists.get(r[0], []))
        for r in rows
    }


def paper_detail(conn: sqlite3.Connection, paper_id: int) -> dict[str, Any] | None:
    """A paper's fields with the sessions [{session_id, ref, title}] and lists it is in; None if gone."""
    row = conn.execute(
        "SELECT id, title, url, coalesce(arxiv_id, '') AS arxiv_id, authors, abstract FROM papers WHERE id = ?",
        (paper_id,),
    ).fetchone()
    if row is None:
        return None
    sessions = [
        {"session_id": r[0], "ref": r[1], "title": r[2]}
        for r in conn.execute(
            """SELECT DISTINCT s.id, c.name || '/' || s.code, s.title FROM readings r
               JOIN sessions s ON s.id = r.session_id JOIN courses c ON c.id = s.course_id
               WHERE r.paper_id = ? ORDER BY c.name, s.date = '', s.date, s.code""",
            (paper_id,),
        )
    ]
    lists = [
        r[0]
        for r in conn.execute(
            """SELECT DISTINCT l.name FROM paper_list_items i JOIN paper_lists l ON l.id = i.list_id
               WHERE i.paper_id = ? ORDER BY l.name""",
            (paper_id,),
        )
    ]
    return dict(row) | {"sessions": sessions, "lists": lists}


def session_of_hit(conn: sqlite3.Connection, hit: dict[str, Any]) -> int | None:
    """The session row id a search hit (queries.search) of type session or notes points to."""
    if hit["type"] == "notes":
        row = conn.execute("SELECT session_id FROM readings WHERE id = ?", (hit["id"],)).fetchone()
        return row[0] if row else None
    if hit["type"] == "session":
        course, _, code = str(hit["id"]).rpartition("/")
        row = conn.execute(
            "SELECT s.id FROM sessions s JOIN courses c ON c.id = s.course_id WHERE c.name = ? AND s.code = ?",
            (course, code),
        ).fetchone()
        return row[0] if row else None
    return None
