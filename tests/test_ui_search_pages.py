"""The window keeps the pages of one-word searches (ui/search_pages_keeper.py): ranked when it is
idle, shown at once when the user types that word, never shown once a paper changed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from annotator.store import search_pages
from annotator.store.editing import edit_paper
from annotator.store.library import open_library
from annotator.store.paper_browser import PaperQuery, paper_ids, ranked_page
from annotator.store.search_pages import due, kept_page
from annotator.ui import search_pages_keeper
from annotator.ui.library_view import FIRST_MATCHES
from tests.bench.synthetic_library import make_library

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return make_library(tmp_path_factory.mktemp("pages") / "library.sqlite", 3000, sessions=20)


@pytest.fixture
def library(synthetic: Path, tmp_path: Path, monkeypatch):
    """3,000 papers; word starts matching 700 of them are kept, and the window is idle after 50 ms."""
    monkeypatch.setattr(search_pages, "MIN_MATCHES", 700)
    monkeypatch.setattr(search_pages_keeper, "IDLE_MS", 50)
    shutil.copy(synthetic, tmp_path / "library.sqlite")
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    yield lib
    lib.close()


def tamper(lib, prefix: str, ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Make PREFIX's kept ranking say IDS (no generation is drawn: it stays current)."""
    lib.conn.execute("UPDATE search_rankings SET ids = ? WHERE id = (SELECT ranking FROM search_pages WHERE prefix = ?)",
                     (" ".join(map(str, ids)), prefix))
    lib.conn.commit()


def search(qtbot, window, text: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Type TEXT in the Library tab's search box; the ids it showed first (its best page, or all it matches)."""
    view = window.library_view
    window.tabs.setCurrentWidget(view)
    pages: list[list[int]] = []
    shown = view._answered

    def answered(name: str, result: Any) -> None:
        shown(name, result)
        if name in ("page", "ids"):
            pages.append(view.model.paper_ids())

    view._answered = answered
    view.search.setText(text)
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: bool(pages) and not view.is_loading(), timeout=10_000)
    view._answered = shown
    return pages[0]


def test_the_window_ranks_the_pages_when_idle_and_a_search_shows_them(qtbot, window, library) -> None:
    qtbot.waitUntil(lambda: not due(library.conn), timeout=30_000)
    # A kept page that says something bm25 would not: the search shows it, so the search read it.
    best = ranked_page(library.conn, "m", FIRST_MATCHES)
    tamper(library, "m", best[::-1])
    assert search(qtbot, window, "m") == best[::-1]
    # The rest of the list follows, ranked as always.
    assert window.library_view.model.paper_ids() == paper_ids(library.conn, PaperQuery("m"))


def test_after_a_paper_changed_a_search_ranks_again_and_the_window_keeps_new_pages(qtbot, window, library) -> None:
    qtbot.waitUntil(lambda: not due(library.conn), timeout=30_000)
    qtbot.waitUntil(window.runner.is_idle)  # (the first keep's `kept` is delivered: the one waited for below is the next)
    tamper(library, "mo", list(range(1, FIRST_MATCHES + 1)))
    with qtbot.waitSignal(window.search_pages.kept, timeout=30_000):
        window.runner.edit(edit_paper, 5, {"title": "Models of models: a model"}).run_in_background()
        qtbot.waitUntil(window.runner.is_idle)
        assert search(qtbot, window, "mo") == ranked_page(library.conn, "mo", FIRST_MATCHES)  # not the stale page
    assert kept_page(library.conn, "mo") == (ranked_page(library.conn, "mo", FIRST_MATCHES),
                                             len(paper_ids(library.conn, PaperQuery("mo"))))


def test_typing_a_search_puts_the_ranking_off(qtbot, window, library) -> None:
    keeper = window.search_pages
    keeper._idle.setInterval(60_000)
    keeper._idle.setTimerType(Qt.TimerType.PreciseTimer)  # (a coarse one may report its time left ±5%)
    keeper.schedule()
    qtbot.waitUntil(lambda: keeper._idle.remainingTime() < 59_800)
    window.library_view.search.setText("diff")
    assert keeper._idle.remainingTime() > 59_800


def test_the_match_count_changing_as_the_user_types_never_moves_the_search_box(qtbot, window) -> None:
    view = window.library_view
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.search.width() > 0)
    widths = (view.search.width(), view.count_label.width())
    for text in ("r", "retrieval augmented generation for large language models"):
        search(qtbot, window, text)
        assert (view.search.width(), view.count_label.width()) == widths
    whole = view.count_label.text()
    assert whole.endswith("match “retrieval augmented generation for large language models”")
    assert view.count_label.shown() == f"{view.model.rowCount():,} papers"  # what is painted: the gist
    assert "retrieval augmented generation for large language models" in view.count_label.toolTip()


def test_a_change_to_papers_stops_a_ranking_under_way_and_other_changes_do_not(qtbot, window, library) -> None:
    from annotator.store.operations import Changes

    keeper = window.search_pages
    library.conn.execute("UPDATE search_generation SET pages_of = NULL")  # stale: a ranking is due
    library.conn.commit()
    keeper._rank_if_due()
    ranking = keeper._ranking
    assert ranking is not None
    keeper.schedule(Changes(sessions={1}))  # notes, teams, sessions: the pages stay good
    assert keeper._ranking is ranking and not ranking.task.cancelled()
    keeper.schedule(Changes(papers={1}))
    assert ranking.task.cancelled() and keeper._ranking is None


def test_a_restored_library_is_ranked_again(qtbot, window) -> None:
    window.search_pages._idle.stop()
    window._library_restored()
    assert window.search_pages._idle.isActive()
