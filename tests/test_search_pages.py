"""Kept search pages (store/search_pages.py): what a one-word search shows at once is exactly what
bm25 would rank, and a page goes stale with any change to what the search index holds of a paper."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.store import search_pages
from annotator.store.editing import edit_paper
from annotator.store.library import open_library
from annotator.store.operations import undo
from annotator.store.paper_browser import match_count, ranked_page
from annotator.store.queries import SearchCut
from annotator.store.search_pages import due, keep_pages, kept_page, page_key, rank_pages, remember_page, same_search
from tests.bench.synthetic_library import make_library

MIN_MATCHES = 700  # in place of 10,000: 3,000 papers then have many word starts worth keeping


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """3,000 papers whose abstracts share a small vocabulary: a letter or a word matches hundreds."""
    return make_library(tmp_path_factory.mktemp("pages") / "library.sqlite", 3000, sessions=20)


@pytest.fixture(scope="module")
def ranked(synthetic: Path, tmp_path_factory) -> Path:
    """The synthetic library with its rankings kept (ranking takes a second or two: once per module)."""
    path = tmp_path_factory.mktemp("ranked") / "library.sqlite"
    shutil.copy(synthetic, path)
    with pytest.MonkeyPatch.context() as patch, open_library(path, daily_backup=False) as library:
        patch.setattr(search_pages, "MIN_MATCHES", MIN_MATCHES)
        assert due(library.conn)
        ranked_and_kept(library)
    return path


@pytest.fixture
def lib(ranked: Path, tmp_path: Path, monkeypatch):
    """A copy of the ranked library: its kept rankings are current."""
    monkeypatch.setattr(search_pages, "MIN_MATCHES", MIN_MATCHES)
    path = tmp_path / "library.sqlite"
    shutil.copy(ranked, path)
    library = open_library(path, daily_backup=False)
    assert not due(library.conn)
    yield library
    library.close()


def ranked_and_kept(lib) -> search_pages.RankedPages:  # type: ignore[no-untyped-def]
    ranked = rank_pages(lib.conn)
    assert ranked is not None and keep_pages(lib, ranked) == (None, True)
    return ranked


def test_every_kept_page_is_what_bm25_ranks_and_counts(lib) -> None:
    prefixes = [row[0] for row in lib.conn.execute("SELECT prefix FROM search_pages ORDER BY prefix")]
    assert {"m", "mo", "mod", "model", "r", "re", "retrieval"} <= set(prefixes)
    for prefix in prefixes[::5]:  # (a sample: all of them take seconds)
        matches = match_count(lib.conn, prefix)
        assert matches >= MIN_MATCHES
        assert kept_page(lib.conn, prefix) == (ranked_page(lib.conn, prefix, search_pages.PAGE_SIZE), matches)


def several_words_answered(lib, every: int) -> int:  # type: ignore[no-untyped-def]
    """Search each (EVERY-th) kept whole word followed by common word starts; assert every kept page
    is bm25's own; how many were answered from kept rankings."""
    words = [row[0] for row in lib.conn.execute("SELECT prefix FROM search_pages WHERE whole_word ORDER BY prefix")]
    answered = 0
    for first in words[::every]:
        for start in ("a", "m", "t", "th", "o", "w", "mo", "re", "in", "of", "the", "model"):
            text = f"{first} {start}"
            kept = kept_page(lib.conn, text)
            if kept is not None and start != first:
                answered += 1
                assert kept == (ranked_page(lib.conn, text, search_pages.PAGE_SIZE), None), text
    return answered


def test_a_search_of_several_words_shows_a_kept_page_only_when_it_is_what_bm25_ranks(lib) -> None:
    """Searches whose other words match most papers ("retrieval a") are answered from the kept
    ranking of their rarest word; the bound decides, and whatever it lets through is bm25's page."""
    assert several_words_answered(lib, every=3) > 20
    assert kept_page(lib.conn, "retrieval zebra") is None  # a word not kept: ranked as it is typed


@pytest.mark.slow
def test_every_search_of_two_common_words_that_a_kept_page_answers_is_what_bm25_ranks(lib) -> None:
    assert several_words_answered(lib, every=1) > 60


def test_word_starts_that_are_the_same_search_are_ranked_once(lib, monkeypatch) -> None:
    asked: list[str] = []
    real = search_pages.ranked_with_scores
    monkeypatch.setattr(search_pages, "ranked_with_scores",
                        lambda conn, text, *a: asked.append(text) or real(conn, text, *a))
    ranked_and_kept(lib)
    # "ret" … "retrieval" match the same words ("retrieval" alone): one ranking, read by each
    assert [text for text in asked if text.startswith("ret")] == ["ret"]
    assert kept_page(lib.conn, "retrieval") == kept_page(lib.conn, "retr") == kept_page(lib.conn, "ret") is not None
    # "mod" matches "model" and "models", "model" too, "models" only itself: two rankings, not the same
    assert kept_page(lib.conn, "models") != kept_page(lib.conn, "model")


@pytest.mark.parametrize(("typed", "key"), [
    ("r", "r"), ("  Re", "re"), ("RETRIEVAL", "retrieval"), ("7b", "7b"),
    ("r ", "r"),  # (spaces after a word leave it half typed: fts_query)
    ("retrieval a", None), ("ré", None), ("r_", None), ("c++", None), ("", None), ("?!", None),
])
def test_which_searches_read_a_kept_page(typed: str, key: str | None) -> None:
    assert page_key(typed) == key


def test_a_search_reads_its_kept_page_whatever_its_case(lib) -> None:
    assert kept_page(lib.conn, "  MoD") == kept_page(lib.conn, "mod") is not None
    assert kept_page(lib.conn, "model retrieval") is None


@pytest.mark.parametrize("field", ["title", "abstract", "authors"])
def test_an_edit_of_what_is_searched_makes_the_pages_stale_and_its_undo_too(lib, field: str) -> None:
    edit_paper(lib, 1, {field: "Zebra"})
    assert due(lib.conn) and kept_page(lib.conn, "m") is None
    ranked_and_kept(lib)
    undo(lib)
    assert due(lib.conn) and kept_page(lib.conn, "m") is None


def test_an_edit_of_a_link_leaves_the_pages_current(lib) -> None:
    edit_paper(lib, 1, {"url": "https://arxiv.org/abs/2401.00001"})
    assert not due(lib.conn) and kept_page(lib.conn, "m") is not None


def test_papers_added_or_removed_by_another_process_make_the_pages_stale(lib) -> None:
    other = sqlite3.connect(lib.path)
    with other:
        other.execute("INSERT INTO papers (title, title_key, url, authors, abstract) VALUES ('M', 'm', '', '', '')")
    assert kept_page(lib.conn, "m") is None
    ranked_and_kept(lib)
    with other:
        other.execute("DELETE FROM papers WHERE title = 'M'")
    other.close()
    assert due(lib.conn) and kept_page(lib.conn, "m") is None


def test_pages_ranked_before_a_change_are_not_kept(lib) -> None:
    ranked = rank_pages(lib.conn)
    assert ranked is not None
    edit_paper(lib, 2, {"title": "Changed while the pages were ranked"})
    assert keep_pages(lib, ranked) == (None, False)
    assert due(lib.conn) and kept_page(lib.conn, "m") is None


def test_ranking_cancelled_keeps_nothing(lib) -> None:
    assert rank_pages(lib.conn, cancelled=lambda: True) is None


def test_a_small_library_ranks_and_writes_nothing(tmp_path: Path) -> None:
    """Below MIN_MATCHES papers no search can match that many: the window never ranks or writes."""
    with open_library(tmp_path / "small.sqlite", daily_backup=False) as lib:
        edit_paper_count = lib.conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert edit_paper_count < search_pages.MIN_MATCHES
        assert not due(lib.conn)


def test_a_read_only_library_keeps_nothing(lib) -> None:
    ranked = rank_pages(lib.conn)
    assert ranked is not None
    lib.read_only = True
    assert keep_pages(lib, ranked) == (None, False)


def test_no_two_libraries_and_no_two_states_of_one_share_a_generation(lib, tmp_path: Path) -> None:
    """A count would start every library at 0 and could come back to a value pages were ranked at
    from other papers (a restored backup, a copy synced from another laptop): a drawn one does not."""
    with open_library(tmp_path / "other.sqlite", daily_backup=False) as other:
        assert search_pages.generation(other.conn) != search_pages.generation(lib.conn)
    seen = {search_pages.generation(lib.conn)}
    for title in ("One", "Two", "Three"):
        edit_paper(lib, 1, {"title": title})
        seen.add(search_pages.generation(lib.conn))
    assert len(seen) == 4


@pytest.mark.parametrize(("name", "value"), [("PAPER_WEIGHTS", "1.0, 1.0, 1.0"), ("PAGE_SIZE", 100), ("KEPT", 900)])
def test_pages_ranked_another_way_are_not_read(lib, monkeypatch, name: str, value: object) -> None:
    """Another version's weights or page size (a library two versions share) rank differently."""
    monkeypatch.setattr(search_pages, name, value)
    assert due(lib.conn) and kept_page(lib.conn, "m") is None


def test_a_bound_check_that_runs_out_of_time_leaves_the_search_to_rank_as_typed(lib, monkeypatch) -> None:
    assert kept_page(lib.conn, "retrieval a") is not None

    def out_of_time(*_args: object) -> None:
        raise SearchCut(1.0)

    monkeypatch.setattr(search_pages, "tuples_within", out_of_time)
    assert kept_page(lib.conn, "retrieval a") is None


def test_an_index_out_of_step_with_its_papers_keeps_its_pages_exact(lib) -> None:
    """bm25 counts the index's rows, not the papers: `INSERT OR REPLACE` from another program fires
    no delete trigger, and leaves rows in the index that no paper has. The bound must count as
    bm25 does, and a page it lets through must still be bm25's."""
    other = sqlite3.connect(lib.path)
    with other:
        for _ in range(300):  # paper 1 rewritten as itself, 300 times: 300 rows too many in the index
            other.execute("INSERT OR REPLACE INTO papers (id, title, title_key, url, arxiv_id, authors, abstract) "
                          "SELECT id, title, title_key, url, arxiv_id, authors, abstract FROM papers WHERE id = 1")
    other.close()
    ranked_and_kept(lib)
    assert several_words_answered(lib, every=3) > 20


def test_an_index_rebuilt_or_written_to_by_hand_makes_the_pages_stale(lib) -> None:
    """Around the triggers on papers: the index's own totals tell."""
    other = sqlite3.connect(lib.path)
    with other:
        other.execute("INSERT OR REPLACE INTO papers (id, title, title_key, url, arxiv_id, authors, abstract) "
                      "SELECT id, title, title_key, url, arxiv_id, authors, abstract FROM papers WHERE id = 1")
    ranked_and_kept(lib)
    with other:
        other.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")  # the repair: every score changes
    other.close()
    assert due(lib.conn) and kept_page(lib.conn, "m") is None and kept_page(lib.conn, "retrieval a") is None


def test_keystrokes_that_are_the_same_search_read_the_page_ranked_for_the_first(lib) -> None:
    """"retrieval mod", "mode" and "model" match the same words (no other word starts so): the
    page ranked as typed for the first is the page of the others, until a paper changes."""
    texts = ["retrieval mod", "retrieval mode", "retrieval model"]
    searches = {same_search(lib.conn, text) for text in texts}
    assert len(searches) == 1 and None not in searches
    assert same_search(lib.conn, "retrieval mo") not in searches  # ("molecule" starts so too)
    assert same_search(lib.conn, "model retrieval") not in searches  # (bm25 adds word by word, in order)
    assert same_search(lib.conn, "retrieval") is None  # (one word: its kept ranking is its page)
    search = searches.pop()
    page = ranked_page(lib.conn, texts[0], search_pages.PAGE_SIZE)
    remember_page(search, page)
    for text in texts:
        assert kept_page(lib.conn, text) == (ranked_page(lib.conn, text, search_pages.PAGE_SIZE), None) == (page, None)
    edit_paper(lib, 1, {"title": "Retrieval models, edited"})
    ranked_and_kept(lib)
    assert same_search(lib.conn, "retrieval model") not in (None, search)  # the library changed: another search
    assert kept_page(lib.conn, "retrieval model") in (None, (ranked_page(lib.conn, "retrieval model", 200), None))
