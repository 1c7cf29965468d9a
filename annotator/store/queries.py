"""Read-only queries: what the CLI prints and the views show. Shapes are the CLI's JSON shapes."""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
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
        "source_folder": row["source_folder"],  # where the source file was imported from (None: unknown, db/010)
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


MAX_WORDS = 16  # a pasted abstract is found by its first words; every word searched for costs time on every match
SEARCH_SECONDS = 1.0  # a search stops after this long, and shows what it has


def _search_terms(text: str) -> list[str]:
    """The FTS5 terms for what a user types: each word once, the last as a prefix (it may be half typed).

    A word typed twice adds nothing to the matches but costs its time again on every one of them
    (200 times `model` did not answer in 30 s). A last word followed by more than spaces (`c++`,
    `C#`) is finished: it is matched whole, not as the start of every word beginning with it.
    """
    matches = list(re.finditer(r"\w+", text, re.UNICODE))
    if not matches:
        return []
    *whole, last = [match.group() for match in matches]
    finished = bool(text[matches[-1].end():].strip())
    first: dict[str, str] = {}  # FTS5 folds case: one term per folded word
    for word in whole:
        first.setdefault(word.lower(), word)
    terms = [f'"{word}"' for word in first.values()]
    if finished:
        if last.lower() not in first:
            terms.append(f'"{last}"')
    elif last.lower() not in first:  # else the whole word, already asked for, implies the prefix
        terms.append(f'"{last}"*')
    return terms


def fts_query(text: str) -> str:
    """Turn what a user types into a safe FTS5 query: every word must match, the last as a prefix.

    Only the first MAX_WORDS distinct words are searched for (`words_left_out` says how many were not).
    """
    return " ".join(fts_phrases(text))


def fts_phrases(text: str) -> list[str]:
    """The phrases of `fts_query(TEXT)`, one per word searched for: '"model"', '"retr"*'."""
    return _search_terms(text)[:MAX_WORDS]


def words_left_out(text: str) -> int:
    """How many distinct words of TEXT the search leaves out (beyond MAX_WORDS)."""
    return max(0, len(_search_terms(text)) - MAX_WORDS)


class TimeBudget:
    """`with TimeBudget(conn, seconds) as budget:` SQLite stops any statement on CONN still running SECONDS after the start.

    The watchdog thread interrupts the connection at the deadline, which stops the statement with
    sqlite3.OperationalError ("interrupted"); `cut(exc)` tells that apart from another interrupt()
    (the window cancelling a stale search). Not a progress handler: that calls into Python every
    thousand steps of the statement, and each call waits for the GIL while the GUI thread runs
    Python (painting a table), which made a 40 ms ranking take seconds.
    """

    def __init__(self, conn: sqlite3.Connection, seconds: float):
        self.conn = conn
        self.seconds = seconds
        self.spent = seconds <= 0

    def __enter__(self) -> TimeBudget:
        if self.spent:  # no time at all: stop at once (the watchdog could come before the statement starts),
            self.conn.set_progress_handler(lambda: True, 1000)  # but not inside FTS5's set-up of its table
        else:
            _WATCHDOG.watch(self, time.monotonic() + self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.seconds <= 0:
            self.conn.set_progress_handler(None, 0)
        else:
            _WATCHDOG.forget(self)

    def over(self) -> None:
        """The deadline passed (the watchdog's thread)."""
        self.spent = True
        self.conn.interrupt()  # (a no-op when no statement runs: one that just ended stays ended)

    def cut(self, exc: BaseException) -> bool:
        """True when EXC is a statement stopped because this budget ran out."""
        return self.spent and isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc)


class _Watchdog:
    """One thread for every TimeBudget: it sleeps until the earliest deadline and interrupts what
    is past it. (A timer thread started for each statement waited for the GIL to start, 5 ms
    whenever the GUI thread ran Python, three or four times a search.)"""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._deadlines: dict[TimeBudget, float] = {}
        self._thread: threading.Thread | None = None

    def watch(self, budget: TimeBudget, deadline: float) -> None:
        with self._changed:
            earliest = min(self._deadlines.values(), default=math.inf)
            self._deadlines[budget] = deadline
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="annotator time budgets", daemon=True)
                self._thread.start()
            elif deadline < earliest:  # (else it wakes at the earliest and looks again)
                self._changed.notify()

    def forget(self, budget: TimeBudget) -> None:
        with self._changed:
            self._deadlines.pop(budget, None)

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for budget in [b for b, deadline in self._deadlines.items() if deadline <= now]:
                    del self._deadlines[budget]
                    budget.over()
                earliest = min(self._deadlines.values(), default=None)
                self._changed.wait(None if earliest is None else earliest - now)


_WATCHDOG = _Watchdog()


class SearchCut(AnnotatorError):
    """A search stopped at its time budget."""

    def __init__(self, seconds: float):
        super().__init__(f"the search took longer than {seconds:g} s and was stopped")


def rows_within(conn: sqlite3.Connection, statements: list[str], params: dict[str, Any],
                seconds: float) -> tuple[list[sqlite3.Row], bool]:
    """The rows of STATEMENTS, run one after the other within SECONDS, and whether time ran out first
    (then the rows are those that came by then)."""
    rows: list[sqlite3.Row] = []
    with TimeBudget(conn, seconds) as budget:
        try:
            for statement in statements:
                rows.extend(conn.execute(statement, params))  # row by row: what came before a cut is kept
        except sqlite3.OperationalError as exc:
            if not budget.cut(exc):
                raise
    return rows, budget.spent


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


_COUNT_MATCHES = {kind: f"SELECT count(*) FROM {table} WHERE {table} MATCH :q" for kind, table in
                  (("paper", "papers_fts"), ("session", "sessions_fts"), ("notes", "readings_fts"))}


@dataclass
class Found:
    """A search's hits, best first, and what the user should know about them ('' when they are all it found)."""

    rows: list[dict[str, Any]]
    note: str = ""
    more: int = 0  # matches beyond the rows (the limit cut them)


def find(
    conn: sqlite3.Connection, text: str, limit: int = 100, kinds: tuple[str, ...] = ("paper", "session", "notes"),
    seconds: float | None = None,
) -> Found:
    """Papers, sessions and reading notes (or only KINDS of them) matching TEXT, best first (bm25), within SECONDS
    (default SEARCH_SECONDS).

    Each kind is ranked on its own, with a snippet made only for its best LIMIT (the snippets of
    every match of a common word took seconds), and the kinds are merged. A search that runs out
    of time shows instead the first matches found in as long again, unranked, and says so.
    """
    query = fts_query(text)
    if not query or not kinds:
        return Found([])
    notes = [f"searched for the first {MAX_WORDS} distinct words only"] if words_left_out(text) else []
    params = {"q": query, "limit": limit}
    seconds = SEARCH_SECONDS if seconds is None else seconds
    rows, cut = rows_within(conn, [f"{_SEARCH_BRANCHES[k]} ORDER BY rank LIMIT :limit" for k in kinds], params, seconds)
    if cut:
        rows = rows_within(conn, [f"{_SEARCH_BRANCHES[k]} LIMIT :limit" for k in kinds], params, seconds)[0][:limit]
        notes.append(f"{SearchCut(seconds)}: showing the first {len(rows)} matches found, not the best")
    rows.sort(key=lambda row: row["rank"])
    more = 0
    if len(rows) > limit or (not cut and any(sum(r["type"] == k for r in rows) == limit for k in kinds)):
        counts, cut = rows_within(conn, [_COUNT_MATCHES[k] for k in kinds], params, seconds)
        more = 0 if cut else sum(row[0] for row in counts) - limit
    return Found([{k: r[k] for k in ("type", "id", "title", "snippet")} for r in rows[:limit]], "; ".join(notes),
                 max(more, 0))


def search(
    conn: sqlite3.Connection, text: str, limit: int = 100, kinds: tuple[str, ...] = ("paper", "session", "notes")
) -> list[dict[str, Any]]:
    """The hits of `find` (within SEARCH_SECONDS), without its note."""
    return find(conn, text, limit, kinds).rows


def paper_lists(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Imported paper lists, newest first, with their sizes."""
    rows = conn.execute(
        """SELECT l.id, l.name, l.source, l.imported_at,
                  (SELECT count(*) FROM paper_list_items i WHERE i.list_id = l.id) AS papers
           FROM paper_lists l ORDER BY l.imported_at DESC, l.id DESC"""
    ).fetchall()
    return [dict(r) for r in rows]

