"""The best page of each one-word search that matches many papers, ranked once and kept (db/011).

A search-as-you-type starts with one half-typed word ("r", "re", "ret"…). In a large library the
first letters match most papers, and bm25 scores every match before it can name the best (about
1 µs each in FTS5: 0.1 s for "r" at 100k papers), so every search waited for the same rankings
while its first word was typed. Those searches are few: the starts of the library's common words.
So the window ranks every word start that matches at least MIN_MATCHES papers when it is idle
(`rank_pages`, off the GUI thread), keeps its best page (`keep_pages`), and a search reads it
(`kept_page`) instead of ranking again. Searches of two words or more are ranked as they are typed.

A kept page is exactly what bm25 would answer: the triggers of db/011 draw a new
search_generation.generation with every change to a paper's title, abstract or authors (any
process, any path: edit, import, undo), and a page is read only when it was ranked at the current
generation, the way this version ranks (`ranking`). Words spelt with other letters (é, ß, 中) are ranked as they are typed.
"""

from __future__ import annotations

import bisect
import sqlite3
import string
from collections.abc import Callable
from dataclasses import dataclass

from annotator.store.library import Library
from annotator.store.operations import write_transaction
from annotator.store.paper_browser import PAPER_WEIGHTS, match_count, ranked_page
from annotator.store.queries import SearchCut, fts_query

PREFIX_CHARS = string.ascii_lowercase + string.digits
MIN_MATCHES = 10_000  # ranking fewer takes under ~10 ms: not worth keeping
PAGE_SIZE = 200  # the rows a search shows before its whole ranked list (as library_view.FIRST_MATCHES)
RANK_SECONDS = 30.0  # a page that takes longer than this (an enormous library) is left to the search
_AFTER_EVERY_TERM = "\U0010ffff"  # p + this sorts after every term starting with p


@dataclass(frozen=True)
class RankedPages:
    """Pages ranked from the papers as they were at GENERATION: (prefix, matches, best ids) each."""

    generation: int
    pages: list[tuple[str, int, list[int]]]


def page_key(text: str) -> str | None:
    """The prefix whose page a search for TEXT would read: TEXT is one half-typed word of ASCII
    letters and digits ("R", "ret", "7b"); else None."""
    word = text.strip()
    if not (word.isascii() and word.isalnum()):
        return None
    return word.lower() if fts_query(text) == f'"{word}"*' else None  # ("ret " is a finished word)


def generation(conn: sqlite3.Connection) -> int:
    """The papers' search index as it is now: drawn anew with every change to it (db/011)."""
    return conn.execute("SELECT generation FROM search_generation").fetchone()[0]


def ranking(conn: sqlite3.Connection) -> str:
    """How this version ranks: pages ranked otherwise (another version's weights, page size or
    search index, in a library two versions share) are not what its searches would show."""
    index = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
    return f"bm25({PAPER_WEIGHTS}), best {PAGE_SIZE}, {index}"


def due(conn: sqlite3.Connection) -> bool:
    """True when the kept pages are not those of the papers as they are now, and the library is large
    enough for a search to match MIN_MATCHES papers (a small one never ranks, nor writes, anything)."""
    return bool(conn.execute(
        "SELECT (pages_of IS NOT generation OR ranked_as IS NOT ?) AND (SELECT count(*) FROM papers) >= ? "
        "FROM search_generation", (ranking(conn), MIN_MATCHES)).fetchone()[0])


def kept_page(conn: sqlite3.Connection, text: str) -> tuple[list[int], int] | None:
    """(the best PAGE_SIZE ids by bm25, how many papers match) for a search for TEXT, when that page
    is kept and still current; else None (rank it as usual)."""
    key = page_key(text)
    if key is None:
        return None
    row = conn.execute(
        "SELECT p.ids, p.matches FROM search_pages p JOIN search_generation g ON g.generation = p.generation "
        "WHERE p.prefix = ? AND g.ranked_as = ?", (key, ranking(conn))).fetchone()
    if row is None:
        return None
    return [int(paper_id) for paper_id in row[0].split()], row[1]


class _Vocabulary:
    """The words of the papers' search index, sorted, with how many papers hold each (FTS5's fts5vocab)."""

    def __init__(self, conn: sqlite3.Connection):
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.papers_vocabulary USING fts5vocab(main, papers_fts, row)")
        rows = conn.execute("SELECT term, doc FROM temp.papers_vocabulary ORDER BY term").fetchall()
        self.terms = [term for term, _ in rows]
        self._papers_before = [0]  # running sums of `doc`
        for _, papers in rows:
            self._papers_before.append(self._papers_before[-1] + papers)

    def words_of(self, prefix: str) -> tuple[int, int]:
        """The words starting with PREFIX, as a range of indexes: two prefixes with the same range
        are the same search (and rank the same)."""
        return (bisect.bisect_left(self.terms, prefix), bisect.bisect_left(self.terms, prefix + _AFTER_EVERY_TERM))

    def most_papers(self, words: tuple[int, int]) -> int:
        """At least as many papers as hold one of WORDS (a paper holding two counts twice)."""
        return self._papers_before[words[1]] - self._papers_before[words[0]]


def _word_starts(vocabulary: _Vocabulary) -> dict[str, tuple[int, int]]:
    """Every ASCII start of an indexed word ("r", "re", "ret"…) that may match MIN_MATCHES papers,
    with its range of words. A longer start never matches more papers than a shorter one, so the
    walk goes deeper only under starts that may."""
    found: dict[str, tuple[int, int]] = {}
    starts = list(PREFIX_CHARS)
    while starts:
        prefix = starts.pop()
        words = vocabulary.words_of(prefix)
        if vocabulary.most_papers(words) >= MIN_MATCHES:
            found[prefix] = words
            starts.extend(prefix + char for char in PREFIX_CHARS)
    return found


def rank_pages(conn: sqlite3.Connection, cancelled: Callable[[], bool] = lambda: False) -> RankedPages | None:
    """Rank every one-word search that matches at least MIN_MATCHES papers (read-only; seconds at 100k
    papers); None when CANCELLED. A paper changed meanwhile makes the result stale, which
    `keep_pages` then refuses.

    "retrieval", "retrieva" … "retr" are one search when no other word starts with "retr": it is
    counted and ranked once, and each of them gets its page.
    """
    at = generation(conn)  # read first: a change after it, seen by a ranking below, makes these pages stale
    ranked: dict[tuple[int, int], tuple[int, list[int]] | None] = {}  # by range of words
    pages = []
    for prefix, words in sorted(_word_starts(_Vocabulary(conn)).items()):
        if cancelled():
            return None
        if words not in ranked:
            ranked[words] = _best_page(conn, prefix)
        if ranked[words] is not None:
            matches, ids = ranked[words]
            pages.append((prefix, matches, ids))
    return None if cancelled() else RankedPages(at, pages)


def _best_page(conn: sqlite3.Connection, prefix: str) -> tuple[int, list[int]] | None:
    """(how many papers match, the best PAGE_SIZE) for PREFIX, or None when too few match to keep it."""
    try:
        matches = match_count(conn, prefix, RANK_SECONDS)
        if matches < MIN_MATCHES:
            return None
        return matches, ranked_page(conn, prefix, PAGE_SIZE, RANK_SECONDS)
    except SearchCut:
        return None


def keep_pages(lib: Library, ranked: RankedPages) -> tuple[None, bool]:
    """Keep RANKED in place of the pages kept before, unless a paper changed since it was ranked.

    One transaction, no undo step and no change announced: nothing the user sees changes. True when kept.
    """
    if lib.read_only:
        return None, False
    lib.ensure_shared()
    with write_transaction(lib.conn, lib.path):
        if generation(lib.conn) != ranked.generation:
            return None, False
        lib.conn.execute("DELETE FROM search_pages")
        lib.conn.executemany(
            "INSERT INTO search_pages (prefix, generation, matches, ids) VALUES (?, ?, ?, ?)",
            [(prefix, ranked.generation, matches, " ".join(map(str, ids))) for prefix, matches, ids in ranked.pages])
        lib.conn.execute("UPDATE search_generation SET pages_of = generation, ranked_as = ?", (ranking(lib.conn),))
    return None, True
