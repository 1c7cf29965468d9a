"""Finding a library paper on arXiv, and filling in what arXiv knows of it, as one undoable step per batch.

A lookup reads the library (any connection: the app runs it off the GUI thread on a read-only
one) and asks the cache (store/arxiv_cache.py) before the network. It never writes: what it
fetched comes back in `LookupResult.fetched`, for `arxiv_cache.remember` to keep, so the app's
runner can write it with its other edits. Applying the chosen results is `apply_lookups`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from annotator.arxiv import ArxivClient, ArxivEntry, LookupCancelled
from annotator.errors import AnnotatorError
from annotator.formats.papers import arxiv_id_from_url, title_key
from annotator.store.arxiv_cache import Answer, cached, id_key, title_query_key
from annotator.store.library import Library
from annotator.store.operations import Changes, run_operation
from annotator.store.papers import is_placeholder_title, merge_papers, update_paper

MATCH, AMBIGUOUS, NOT_FOUND = "match", "ambiguous", "not_found"
TITLE_CANDIDATES = 5  # what a title search asks for: enough to pick from, few enough to read
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class LookupResult:
    """What arXiv says of one library paper."""

    paper_id: int
    title: str  # the library's title
    status: str  # MATCH, AMBIGUOUS or NOT_FOUND
    entry: ArxivEntry | None  # set when status == MATCH
    candidates: tuple[ArxivEntry, ...]  # for AMBIGUOUS (and the match itself)
    duplicate_of: int | None  # another library paper that already has entry's arXiv id (offer merge)
    fetched: tuple[Answer, ...] = field(default=(), repr=False)  # answers that came from the network, to cache

    def as_json(self) -> dict[str, object]:
        return {"paper_id": self.paper_id, "title": self.title, "status": self.status,
                "arxiv_id": self.entry.arxiv_id if self.entry else None, "duplicate_of": self.duplicate_of,
                "candidates": [{"arxiv_id": e.arxiv_id, "title": e.title, "authors": list(e.authors), "year": e.year,
                                "url": e.abs_url} for e in self.candidates]}


def papers_missing_links(conn: sqlite3.Connection, *, session_id: int | None = None, list_id: int | None = None) -> list[int]:
    """Papers (of a session's readings, of a list, or of the whole library when both are None) that arXiv may
    complete: those without a URL, and those with an arXiv URL but no authors or abstract. In reading or list order."""
    wanted = "(p.url = '' OR (p.arxiv_id IS NOT NULL AND (p.authors = '' OR p.abstract = '')))"
    if session_id is not None:
        rows = conn.execute(f"SELECT p.id FROM readings r JOIN papers p ON p.id = r.paper_id "
                            f"WHERE r.session_id = ? AND {wanted} ORDER BY r.position, r.id", (session_id,))
    elif list_id is not None:
        rows = conn.execute(f"SELECT p.id FROM paper_list_items i JOIN papers p ON p.id = i.paper_id "
                            f"WHERE i.list_id = ? AND {wanted} ORDER BY i.position, i.id", (list_id,))
    else:
        rows = conn.execute(f"SELECT p.id FROM papers p WHERE {wanted} ORDER BY p.title_key, p.id")
    return list(dict.fromkeys(row[0] for row in rows))  # a paper read twice in one session is asked once


def look_up(conn: sqlite3.Connection, client: ArxivClient, paper_id: int,
            cancelled: Callable[[], bool] = lambda: False) -> LookupResult:
    """Find paper PAPER_ID on arXiv: by the arXiv id of its URL if it has one, else by title, where only an entry
    whose normalised title is the paper's is a match. The cache answers first; a cancel while waiting for arXiv's
    turn raises LookupCancelled, and arXiv being unreachable ArxivOffline."""
    row = conn.execute("SELECT title, url, arxiv_id FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if row is None:
        raise AnnotatorError(f"paper {paper_id} is not in the library")
    title, known_id = row[0], row[2] or arxiv_id_from_url(row[1])
    fetched: list[Answer] = []

    def ask(key: str, fetch: Callable[[], list[ArxivEntry]]) -> tuple[ArxivEntry, ...]:
        entries = cached(conn, key)
        if entries is None:
            entries = tuple(fetch())
            fetched.append((key, entries))
        return entries

    if known_id:
        candidates = ask(id_key(known_id), lambda: client.by_id(known_id, cancelled=cancelled))
        exact = candidates[:1]
    else:
        candidates = ask(title_query_key(title), lambda: client.by_title(title, TITLE_CANDIDATES, cancelled=cancelled))
        exact = tuple(e for e in candidates if title_key(e.title) == title_key(title))
    if len({e.arxiv_id for e in exact}) == 1:
        entry = exact[0]
        return LookupResult(paper_id, title, MATCH, entry, (entry,), owner_of(conn, entry.arxiv_id, paper_id), tuple(fetched))
    status = AMBIGUOUS if candidates else NOT_FOUND
    return LookupResult(paper_id, title, status, None, candidates, None, tuple(fetched))


def look_up_many(conn: sqlite3.Connection, client: ArxivClient, paper_ids: Sequence[int], *,
                 progress: Progress | None = None, cancelled: Callable[[], bool] = lambda: False) -> list[LookupResult]:
    """`look_up` for each of PAPER_IDS in order, reporting PROGRESS(done, total, title) before each; a cancel
    raises LookupCancelled before the next one (answers from the cache included)."""
    results = []
    for done, paper_id in enumerate(paper_ids):
        if cancelled():
            raise LookupCancelled()
        if progress:
            title = conn.execute("SELECT title FROM papers WHERE id = ?", (paper_id,)).fetchone()
            progress(done, len(paper_ids), title[0] if title else "")
        results.append(look_up(conn, client, paper_id, cancelled))
    if progress:
        progress(len(paper_ids), len(paper_ids), "")
    return results


def owner_of(conn: sqlite3.Connection, arxiv_id: str, paper_id: int) -> int | None:
    """The library paper other than PAPER_ID that has ARXIV_ID, if any: applying it would make them one paper."""
    row = conn.execute("SELECT id FROM papers WHERE arxiv_id = ? AND id != ?", (arxiv_id, paper_id)).fetchone()
    return row[0] if row else None


@dataclass(slots=True)
class ApplySummary:
    """What `apply_lookups` did, for the message after it."""

    filled: list[int] = field(default_factory=list)  # papers that gained a link, authors or abstract
    merged: list[tuple[int, int]] = field(default_factory=list)  # (kept paper, paper merged into it)
    unchanged: list[int] = field(default_factory=list)  # papers that had every field already (or are gone)
    not_merged: list[int] = field(default_factory=list)  # papers whose arXiv id another paper has, left apart

    @property
    def changed(self) -> int:
        """How many papers of the library gained something (a kept paper of a merge counts once)."""
        return len(set(self.filled) | {kept for kept, _ in self.merged})

    def as_json(self) -> dict[str, object]:
        return {"filled": self.filled, "merged": [list(pair) for pair in self.merged], "unchanged": self.unchanged,
                "not_merged": self.not_merged}


def apply_lookups(lib: Library, chosen: list[tuple[int, ArxivEntry]], overwrite: bool = False,
                  merge: bool = True) -> tuple[Changes, ApplySummary]:
    """Fill in each chosen paper from its arXiv entry, as one undoable operation.

    Only empty fields (URL, authors, abstract; a title that stands in for one, like `arXiv:2303.08774`) are
    filled unless OVERWRITE. When another paper already has the entry's arXiv id, the two are one paper: with
    MERGE, the chosen one is merged into that one (its readings and list places move, nothing is lost), which
    then takes what it lacks; without, the chosen paper gets only its authors and abstract.
    """
    summary = ApplySummary()

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        for paper_id, entry in chosen:
            if conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
                summary.unchanged.append(paper_id)  # merged into another by an earlier pair of this batch
                continue
            target = paper_id
            other = owner_of(conn, entry.arxiv_id, paper_id)
            if other is not None and merge:
                merge_papers(conn, other, paper_id, changes)
                summary.merged.append((other, paper_id))
                target = other
            elif other is not None:
                summary.not_merged.append(paper_id)
            fields = _fields_to_fill(conn, target, entry, overwrite, link=other is None or merge)
            if fields:
                update_paper(conn, target, fields, changes)
                summary.filled.append(target)
            elif target == paper_id:
                summary.unchanged.append(paper_id)
        changes.label = f"Fill in {summary.changed} paper{'s' if summary.changed != 1 else ''} from arXiv"

    _, changes = run_operation(lib, "Fill in papers from arXiv", body)
    return changes, summary


def _fields_to_fill(conn: sqlite3.Connection, paper_id: int, entry: ArxivEntry, overwrite: bool,
                    link: bool) -> dict[str, str]:
    """The fields of PAPER_ID that ENTRY fills: the empty ones (all of them with OVERWRITE) that it changes."""
    row = conn.execute("SELECT title, url, authors, abstract FROM papers WHERE id = ?", (paper_id,)).fetchone()
    offered = {"authors": entry.authors_text, "abstract": entry.abstract}
    if link:
        offered["url"] = entry.abs_url
    fields = {name: value for name, value in offered.items()
              if value and value != row[name] and (overwrite or not row[name])}
    if entry.title and is_placeholder_title(row["title"]):
        fields["title"] = entry.title
    return fields
