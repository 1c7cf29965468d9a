"""A search that matches thousands of papers: its best page comes first, ranked, then the rest below it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from annotator.store.library import Library, open_library
from annotator.store.paper_browser import PaperQuery, match_count, paper_ids, ranked_page
from annotator.store.queries import SearchCut
from annotator.ui.library_view import FIRST_MATCHES, LibraryView
from tests.bench.synthetic_library import make_library
from tests.ui_helpers import make_runner

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """3,000 papers whose abstracts share a small vocabulary: a letter or a word matches most of them."""
    return make_library(tmp_path_factory.mktemp("ranked") / "library.sqlite", 3000, sessions=50)


@pytest.fixture
def conn(library: Path):
    connection = sqlite3.connect(library)
    yield connection
    connection.close()


@pytest.mark.parametrize("text", ["m", "mo", "model", "retrieval aug", "Hinton"])
def test_the_best_page_is_the_start_of_the_ranked_list_and_the_count_its_length(conn, text: str) -> None:
    ranked = paper_ids(conn, PaperQuery(text))
    assert len(ranked) > 50
    assert ranked_page(conn, text, 50) == ranked[:50]
    assert match_count(conn, text) == len(ranked)


def test_a_search_for_nothing_searchable_matches_nothing(conn) -> None:
    assert ranked_page(conn, "  ?! ", 50) == [] and match_count(conn, "  ?! ") == 0


@pytest.fixture
def view(qtbot, library: Path):
    lib: Library = open_library(library, daily_backup=False)
    widget = LibraryView(lib, make_runner(qtbot, lib))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3000)
    yield widget
    widget.runner.wait_for_searches()
    widget.close()  # before the library closes: a repaint would read it
    lib.close()


def test_a_paper_clicked_in_the_best_page_stays_selected_when_the_rest_of_the_list_comes(qtbot, view) -> None:
    answers: list[str] = []
    shown = view._answered

    def answered(name: str, result: Any) -> None:
        shown(name, result)
        answers.append(name)
        if name == "page":  # the best page is on screen, being counted: the user clicks its fourth paper
            assert view.model.rowCount() == FIRST_MATCHES
            assert view.count_label.text() == "ranking…"
            view.table.selectRow(3)
        if name == "count":
            assert view.count_label.text() == f"{match_count(view.lib.conn, 'model'):,} papers match “model”"

    view._answered = answered
    picked = paper_ids(view.lib.conn, PaperQuery("model"))[3]
    view.search.setText("model")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: not view.is_loading())
    assert answers[:3] == ["page", "count", "ids"]  # the best page at once, then how many match, then the ranked list
    assert view.model.paper_ids() == paper_ids(view.lib.conn, PaperQuery("model"))
    assert view.selected_paper_ids() == [picked] and view.current_paper() == picked
    assert view.count_label.text() == f"{view.model.rowCount():,} papers match “model”"


def test_when_ranking_every_match_runs_out_of_time_the_best_page_stays_and_says_so(qtbot, view, monkeypatch) -> None:
    import annotator.ui.library_view as library_view

    def over_budget(*_args: Any, **_kwargs: Any) -> list[int]:
        raise SearchCut(1.0)

    monkeypatch.setattr(library_view, "paper_ids", over_budget)
    view.search.setText("model")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: not view.is_loading())
    assert view.model.paper_ids() == ranked_page(view.lib.conn, "model", FIRST_MATCHES)
    count = match_count(view.lib.conn, "model")
    assert view.count_label.text() == (f"the search took longer than 1 s and was stopped: "
                                       f"showing the best {FIRST_MATCHES} of {count:,} matches")


def test_typing_on_stops_the_running_search_and_the_text_typed_back_is_searched_again(qtbot, view) -> None:
    """What a search still works out once the user typed on (the rest of its list) is for the old
    text: it stops at once instead of slowing the next search down."""
    answers: list[str] = []
    shown = view._answered

    def answered(name: str, result: Any) -> None:
        shown(name, result)
        answers.append(name)
        if answers == ["page"]:  # the best page of "model" is shown: the user types on, then back
            view.search.setText("model x")
            view.search.setText("model")

    view._answered = answered
    view.search.setText("model")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: answers.count("ids") == 1 and not view.is_loading())
    assert answers[:3] == ["page", "page", "count"]  # the first search stopped after its page; the text searched again
    assert view.model.paper_ids() == paper_ids(view.lib.conn, PaperQuery("model"))
    assert view.count_label.text() == f"{view.model.rowCount():,} papers match “model”"


def test_a_paper_selected_deep_in_a_search_stays_selected_through_two_quick_refreshes(qtbot, view) -> None:
    """A refresh (an edit here or elsewhere) shows the best page, then the rest; a second refresh
    while only the page is shown must restore what was selected before the first."""
    view.search.setText("model")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: not view.is_loading() and view.model.rowCount() > 1000)
    view.table.selectRow(1000)
    chosen = view.selected_paper_ids()
    answers: list[str] = []
    shown = view._answered

    def answered(name: str, result: Any) -> None:
        shown(name, result)
        answers.append(name)
        if answers == ["page"]:  # only the best page is shown: another change comes in
            view.refresh(None)

    view._answered = answered
    view.refresh(None)
    qtbot.waitUntil(lambda: "ids" in answers and not view.is_loading())
    assert view.selected_paper_ids() == chosen and view.current_paper() == chosen[0]


def test_while_typing_the_rest_of_the_list_waits_for_a_pause_and_a_refresh_does_not(qtbot, view) -> None:
    """Ranked at once, the rest would slow down the painting of the best page (a laptop's cores
    are few), and the next keystroke would throw it away; a refresh is not typing."""
    from annotator.ui.library_view import SEARCH_DELAY_MS

    times: dict[str, float] = {}
    shown = view._answered

    def answered(name: str, result: Any) -> None:
        shown(name, result)
        times.setdefault(name, time.perf_counter())

    view._answered = answered
    view.search.setText("model")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: "ids" in times and not view.is_loading())
    pause = SEARCH_DELAY_MS / 1000
    assert times["ids"] - times["page"] >= 0.8 * pause  # (as received: the page may have come in late)
    times.clear()
    view.refresh(None)
    qtbot.waitUntil(lambda: "ids" in times and not view.is_loading())
    assert times["ids"] - times["page"] < 0.8 * pause
