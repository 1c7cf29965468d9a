"""The best papers of each one-word search that matches many papers, ranked once and kept (db/011).

A search-as-you-type starts with one half-typed word ("r", "re", "ret"…). In a large library the
first letters match most papers, and bm25 scores every match before it can name the best (about
1 µs each in FTS5: 0.1 s for "r" at 100k papers), so every search waited for the same rankings
while its first word was typed. Those searches are few: the starts of the library's common words.
So the window ranks every word start that matches at least MIN_MATCHES papers when it is idle
(`rank_pages`, off the GUI thread) and keeps its best KEPT papers (`keep_pages`); a search reads
them (`kept_page`) instead of ranking again:

- a search for one word start shows its kept best PAGE_SIZE;
- a search for several words whose every word is kept ("diffusion m") is ranked among the kept
  best of its rarest word only, when a bound proves that no other paper can be among its best
  (`_page_within_bound`); otherwise it is ranked as it is typed, and its page remembered for the
  next keystrokes that are the same search ("diffusion mod", "mode", "model": `same_search`).

A kept page is exactly what bm25 would answer: the triggers of db/011 draw a new
search_generation.generation with every change to a paper's title, abstract or authors (any
process, any path: edit, import, undo), and kept rankings are read only when they were made at the
current generation, the way this version ranks (`ranking`), from an index whose own totals are
still the same (one written to or rebuilt by hand, around the triggers, is not). Words spelt with other letters (é, ß,
中) are ranked as they are typed.
"""

from __future__ import annotations

import bisect
import json
import math
import sqlite3
import string
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from annotator.store.library import Library
from annotator.store.operations import write_transaction
from annotator.store.paper_browser import PAPER_WEIGHTS, match_count, ranked_with_scores, tuples_within
from annotator.store.queries import SearchCut, fts_phrases, fts_query

PREFIX_CHARS = string.ascii_lowercase + string.digits
MIN_MATCHES = 10_000  # ranking fewer takes under ~10 ms: not worth keeping
PAGE_SIZE = 200  # the rows a search shows before its whole ranked list (as library_view.FIRST_MATCHES)
KEPT = 600  # the best kept of each: a page, and room below it for the bound of a search of several words
RANK_SECONDS = 30.0  # a ranking that takes longer than this (an enormous library) is left to the search
BM25_K1 = 1.2  # FTS5's bm25 k1: a phrase adds less than idf × (k1 + 1) to any paper's score
_AFTER_EVERY_TERM = "\U0010ffff"  # p + this sorts after every term starting with p


@dataclass(frozen=True)
class Ranking:
    """The best KEPT papers of one search, best first, how many match, and the bm25 scores of the
    last of its first page and of the last of them."""

    matches: int
    ids: list[int]
    page_score: float
    last_score: float


@dataclass(frozen=True)
class RankedPages:
    """Rankings made from the papers as they were at GENERATION (the index's totals then:
    INDEX_TOTALS), and the word starts that read them: (prefix, index in RANKINGS, whether PREFIX
    is the only word starting so)."""

    generation: int
    index_totals: bytes
    rankings: list[Ranking]
    prefixes: list[tuple[str, int, bool]]


def _phrase_key(phrase: str) -> tuple[str, bool] | None:
    """(word start, whole word?) for an FTS5 phrase of `fts_phrases` in ASCII letters and digits:
    '"Ret"*' -> ('ret', False), '"model"' -> ('model', True); else None."""
    word, prefix = (phrase[1:-2], True) if phrase.endswith('"*') else (phrase[1:-1], False)
    if not (word.isascii() and word.isalnum()):
        return None
    return word.lower(), not prefix


def page_key(text: str) -> str | None:
    """The word start whose kept page a search for TEXT reads: TEXT is one half-typed word of ASCII
    letters and digits ("R", "ret", "7b"); else None."""
    phrases = fts_phrases(text)
    key = _phrase_key(phrases[0]) if len(phrases) == 1 else None
    return key[0] if key is not None and not key[1] else None


def generation(conn: sqlite3.Connection) -> int:
    """The papers' search index as it is now: drawn anew with every change to it (db/011)."""
    return conn.execute("SELECT generation FROM search_generation").fetchone()[0]


def ranking(conn: sqlite3.Connection) -> str:
    """How this version ranks: rankings made otherwise (another version's weights or search index,
    in a library two versions share) are not what its searches would show."""
    index = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
    return f"bm25({PAPER_WEIGHTS}), a page of {PAGE_SIZE} of the best {KEPT}, {index}"


_INDEX_TOTALS = "SELECT block FROM papers_fts_data WHERE id = 1"  # FTS5's averages record: rows, then words by column
_CURRENT = f"pages_of IS generation AND ranked_as IS ? AND index_totals IS ({_INDEX_TOTALS})"


def due(conn: sqlite3.Connection) -> bool:
    """True when the kept rankings are not those of the papers as they are now, and the library is
    large enough for a search to match MIN_MATCHES papers (a small one never ranks, nor writes, anything)."""
    return bool(conn.execute(
        f"SELECT NOT ({_CURRENT}) AND (SELECT count(*) FROM papers) >= ? FROM search_generation",
        (ranking(conn), MIN_MATCHES)).fetchone()[0])


def _indexed_papers(index_totals: bytes) -> int:
    """How many rows FTS5's bm25 counts (its N): the first varint (SQLite's) of the averages record.
    Not `count(*) FROM papers`: an index out of step with its table would make the bound wrong."""
    value = 0
    for position, byte in enumerate(index_totals[:9]):
        if position == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    return value


def kept_page(conn: sqlite3.Connection, text: str) -> tuple[list[int], int | None] | None:
    """(the best PAGE_SIZE ids by bm25, how many papers match or None) for a search for TEXT, when
    the kept rankings give it exactly; else None (rank it as usual, and `remember_page` it)."""
    found = _search(conn, text)
    if found is None:
        return None
    search, ranking_ids, papers = found
    if len(ranking_ids) == 1:
        kept = _kept(conn, ranking_ids[0])
        return kept.ids[:PAGE_SIZE], kept.matches
    if (page := _RECENT.get(search)) is not None:
        return page, None
    try:
        page = _page_within_bound(conn, fts_query(text), [_kept(conn, each) for each in ranking_ids], papers)
    except SearchCut:  # (an enormous library): ranked as it is typed, which says so if it runs out of time too
        return None
    return (page, None) if page is not None else None


def same_search(conn: sqlite3.Connection, text: str) -> Hashable | None:
    """What a search of several words for TEXT searches for, when all its words are kept: searches
    with the same one match the same words ("diffusion mod", "mode" and "model", when no other
    words start so) and rank the same, in this library as it is now. None for other searches."""
    found = _search(conn, text)
    return found[0] if found is not None and len(found[1]) > 1 else None


def remember_page(search: Hashable, page: list[int]) -> None:
    """Keep PAGE, ranked as typed for SEARCH (`same_search`), for the next searches that are the same."""
    _RECENT.put(search, page)


class _RecentPages:
    """The pages of the last few searches of several words ranked as typed, by what they search
    for (shared by the window's search threads)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._pages: OrderedDict[Hashable, list[int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, search: Hashable) -> list[int] | None:
        with self._lock:
            page = self._pages.get(search)
            if page is not None:
                self._pages.move_to_end(search)
            return page

    def put(self, search: Hashable, page: list[int]) -> None:
        with self._lock:
            self._pages[search] = page
            self._pages.move_to_end(search)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)


_RECENT = _RecentPages(32)


def _search(conn: sqlite3.Connection, text: str) -> tuple[Hashable, list[int], int] | None:
    """(what TEXT searches for, the id of each of its phrases' kept ranking, bm25's N) when the kept
    rankings are current and every phrase has one; else None. Phrases with the same ranking match
    the same words, so the rankings' ids, in order (bm25 adds phrase by phrase), the library's file
    and its generation name the search."""
    phrases = fts_phrases(text)
    current = conn.execute(f"SELECT generation, index_totals FROM search_generation WHERE {_CURRENT}",
                           (ranking(conn),)).fetchone()
    if not phrases or current is None:
        return None
    ranking_ids = [_ranking_id(conn, phrase) for phrase in phrases]
    if any(each is None for each in ranking_ids):
        return None
    file = conn.execute("PRAGMA database_list").fetchone()[2]
    return (file, current[0], tuple(ranking_ids)), ranking_ids, _indexed_papers(current[1])  # type: ignore[return-value]


def _ranking_id(conn: sqlite3.Connection, phrase: str) -> int | None:
    """The kept ranking an FTS5 phrase of `fts_phrases` reads, if it has one."""
    key = _phrase_key(phrase)
    if key is None:
        return None
    row = conn.execute("SELECT ranking FROM search_pages WHERE prefix = ? AND (whole_word OR NOT ?)", key).fetchone()
    return row[0] if row else None


def _kept(conn: sqlite3.Connection, ranking_id: int) -> Ranking:
    row = conn.execute("SELECT matches, ids, page_score, last_score FROM search_rankings WHERE id = ?",
                       (ranking_id,)).fetchone()
    return Ranking(row[0], [int(paper_id) for paper_id in row[1].split()], row[2], row[3])


def _page_within_bound(conn: sqlite3.Connection, match: str, kept: list[Ranking], papers: int) -> list[int] | None:
    """The best PAGE_SIZE ids for MATCH (several phrases, each with its KEPT ranking), found among
    the kept best of its rarest phrase, when that is sure to be exact; else None. PAPERS is the
    index's own count of rows (bm25's N).

    bm25 adds one term per phrase, and a phrase adds less than idf × (k1 + 1) to any paper's score
    (`_most_added`). Every paper outside the rarest phrase's kept best scores at least its last
    score λ for that phrase, so at least λ − R for the whole search, R being the most the other
    phrases add. FTS5 scores the kept papers that match the whole search; when the PAGE_SIZE-th
    of them scores below λ − R, no other paper can come before it, and they are bm25's own page.
    ("diffusion m": "m" matches most papers, so its idf, and what it adds, is nearly nothing.)
    """
    rarest = min(kept, key=lambda each: each.matches)
    reach = sum(_most_added(each.matches, papers) for each in kept if each is not rarest)
    if reach >= rarest.last_score - rarest.page_score:  # the others may add more than the kept room below
        return None  # the page: the bound would hold only by luck, so do not spend a query on it
    rows = tuples_within(conn, f"SELECT rowid, bm25(papers_fts, {PAPER_WEIGHTS}) AS score FROM papers_fts "
                               "WHERE papers_fts MATCH :match AND +rowid IN (SELECT value FROM json_each(:ids))",
                         {"match": match, "ids": json.dumps(rarest.ids)}, None)  # (+rowid: filtered, not looked up)
    if len(rows) < PAGE_SIZE:
        return None
    rows.sort(key=lambda row: (row[1], row[0]))  # as SQLite orders them: score, then id
    floor = rarest.last_score - reach
    if not rows[PAGE_SIZE - 1][1] < floor - 1e-9 * (abs(floor) + 1):  # (room for rounding in FTS5's sums)
        return None
    return [row[0] for row in rows[:PAGE_SIZE]]


def _most_added(matches: int, papers: int) -> float:
    """More than a phrase matching MATCHES of PAPERS can add to a paper's bm25 score: FTS5's idf
    (log((N - n + 0.5) / (n + 0.5)), at least 1e-6) times k1 + 1."""
    ratio = (papers - matches + 0.5) / (matches + 0.5)
    idf = math.log(ratio) if ratio > 0 else 0.0
    return max(idf, 1e-6) * (BM25_K1 + 1) * (1 + 1e-9)


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

    def is_whole_word(self, prefix: str, words: tuple[int, int]) -> bool:
        """True when PREFIX itself is the only word starting with PREFIX."""
        return words[1] - words[0] == 1 and self.terms[words[0]] == prefix


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
    counted and ranked once, and each of them reads it.
    """
    at = generation(conn)  # read first: a change after it, seen by a ranking below, makes these stale
    index_totals = conn.execute(_INDEX_TOTALS).fetchone()[0]
    vocabulary = _Vocabulary(conn)
    rankings: list[Ranking] = []
    index_of: dict[tuple[int, int], int | None] = {}  # by range of words
    prefixes = []
    for prefix, words in sorted(_word_starts(vocabulary).items()):
        if cancelled():
            return None
        if words not in index_of:
            best = _best(conn, prefix)
            index_of[words] = len(rankings) if best is not None else None
            rankings += [best] if best is not None else []
        if (index := index_of[words]) is not None:
            prefixes.append((prefix, index, vocabulary.is_whole_word(prefix, words)))
    return None if cancelled() else RankedPages(at, index_totals, rankings, prefixes)


def _best(conn: sqlite3.Connection, prefix: str) -> Ranking | None:
    """The kept ranking of PREFIX, or None when too few papers match to keep it."""
    try:
        matches = match_count(conn, prefix, RANK_SECONDS)
        if matches < MIN_MATCHES:
            return None
        scored = ranked_with_scores(conn, prefix, KEPT, RANK_SECONDS)
    except SearchCut:
        return None
    return Ranking(matches, [paper_id for paper_id, _ in scored], scored[min(PAGE_SIZE, len(scored)) - 1][1],
                   scored[-1][1])


def keep_pages(lib: Library, ranked: RankedPages) -> tuple[None, bool]:
    """Keep RANKED in place of the rankings kept before, unless a paper changed since it was ranked.

    One transaction, no undo step and no change announced: nothing the user sees changes. True when kept.
    """
    if lib.read_only:
        return None, False
    lib.ensure_shared()
    with write_transaction(lib.conn, lib.path):
        if generation(lib.conn) != ranked.generation:
            return None, False
        lib.conn.execute("DELETE FROM search_pages")
        lib.conn.execute("DELETE FROM search_rankings")
        lib.conn.executemany(
            "INSERT INTO search_rankings (id, matches, ids, page_score, last_score) VALUES (?, ?, ?, ?, ?)",
            [(n, each.matches, " ".join(map(str, each.ids)), each.page_score, each.last_score)
             for n, each in enumerate(ranked.rankings)])
        lib.conn.executemany("INSERT INTO search_pages (prefix, ranking, whole_word) VALUES (?, ?, ?)",
                             ranked.prefixes)
        lib.conn.execute("UPDATE search_generation SET pages_of = generation, ranked_as = ?, index_totals = ?",
                         (ranking(lib.conn), ranked.index_totals))
    return None, True
