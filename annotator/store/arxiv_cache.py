"""arXiv's answers kept in the library (db/008): read by lookups on any connection, written apart from undo.

The cache is not the user's data: a lookup's answers are written in a transaction of their own
(no undo step, nothing for Edit ▸ Undo to remove), and kept when a batch is cancelled or never
applied, so that asking again costs no request. An empty answer ("arXiv has no such paper") is
trusted for EMPTY_ANSWER_DAYS only: the paper may be posted later.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable

from annotator.arxiv import ArxivEntry
from annotator.formats.papers import title_key
from annotator.store.library import Library
from annotator.store.operations import Changes, write_transaction

EMPTY_ANSWER_DAYS = 7
Answer = tuple[str, tuple[ArxivEntry, ...]]  # (cache key, entries)


def id_key(arxiv_id: str) -> str:
    """The cache key of a lookup by arXiv id."""
    return f"id:{arxiv_id}"


def title_query_key(title: str) -> str:
    """The cache key of a search by title (titles that fold to the same words share it)."""
    return f"title:{title_key(title)}"


def cached(conn: sqlite3.Connection, key: str, now: dt.datetime | None = None) -> tuple[ArxivEntry, ...] | None:
    """The entries cached for KEY, or None when it was never asked (or its empty answer is too old to trust)."""
    row = conn.execute("SELECT entries, fetched_at FROM arxiv_cache WHERE query = ?", (key,)).fetchone()
    if row is None:
        return None
    entries = tuple(_entry(item) for item in json.loads(row[0]))
    if not entries:
        age = (now or dt.datetime.now(dt.UTC)) - dt.datetime.fromisoformat(row[1])
        if age > dt.timedelta(days=EMPTY_ANSWER_DAYS):
            return None
    return entries


def remember(lib: Library, answers: Iterable[Answer]) -> tuple[Changes, None]:
    """Keep ANSWERS (from `LookupResult.fetched`) in the cache: one transaction, no undo step.

    Returns empty Changes, as an operation would, so that the app's runner can queue it after
    the edits asked for before it; nothing in any view changes.
    """
    rows = [(key, json.dumps([_item(e) for e in entries], ensure_ascii=False), _now()) for key, entries in answers]
    if rows:
        lib.ensure_shared()
        with write_transaction(lib.conn, lib.path):
            lib.conn.executemany(
                "INSERT INTO arxiv_cache (query, entries, fetched_at) VALUES (?, ?, ?) "
                "ON CONFLICT (query) DO UPDATE SET entries = excluded.entries, fetched_at = excluded.fetched_at", rows)
    return Changes("Remember arXiv answers"), None


def _item(entry: ArxivEntry) -> list[object]:
    return [entry.arxiv_id, entry.title, list(entry.authors), entry.abstract, entry.published]


def _entry(item: list) -> ArxivEntry:
    arxiv_id, title, authors, abstract, published = item
    return ArxivEntry(arxiv_id, title, tuple(authors), abstract, published)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
