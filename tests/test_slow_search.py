"""Searches that used to take minutes: a word repeated, a pasted abstract; and every search's time budget."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.store import queries
from annotator.store.paper_browser import PaperQuery, first_matches, match_count, paper_ids, ranked_page
from annotator.store.queries import SearchCut, find, fts_query, words_left_out
from tests.bench.synthetic_library import make_library
from tests.ui_helpers import make_runner

ROOT = Path(__file__).resolve().parent.parent
ABSTRACT = ("We propose a novel framework for efficient inference in large language models via sparse mixture of "
            "experts routing and quantization while reducing cost across tasks and datasets")


@pytest.fixture(scope="module")
def big_library(tmp_path_factory) -> Path:
    """5,000 papers whose abstracts share a small vocabulary: most words match thousands of them."""
    return make_library(tmp_path_factory.mktemp("big") / "library.sqlite", 5000, sessions=100)


def cli_search(db: Path, text: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`annotator --db DB search TEXT --json` in its own process, killed after TIMEOUT seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "annotator", "--db", str(db), "search", text, "--json"],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def test_a_word_repeated_a_thousand_times_answers_at_once_like_the_word_twice(big_library):
    # Before: every repeat was a term ranked on every match (200 repeats on 20k papers: > 30 s).
    twice = cli_search(big_library, "model model", timeout=60)  # the word, not a prefix of it: it is not the last
    repeated = cli_search(big_library, "model " * 1000, timeout=10)
    assert repeated.returncode == 0, repeated.stderr
    assert json.loads(repeated.stdout) == json.loads(twice.stdout) != []
    assert repeated.stderr == twice.stderr  # the same hits left out by --limit; no word left out


def test_a_pasted_abstract_searches_its_first_words_and_says_so(big_library, capsys):
    assert main(["--db", str(big_library), "search", ABSTRACT + " " + ABSTRACT.upper()]) == 0
    out, err = capsys.readouterr()
    assert err == f"note: searched for the first {queries.MAX_WORDS} distinct words only\n"
    assert words_left_out(ABSTRACT) == len(set(ABSTRACT.lower().split())) - queries.MAX_WORDS


def test_each_word_is_searched_once_whatever_its_case_and_the_last_stays_a_prefix():
    assert fts_query("Model model MODEL") == '"Model"'  # the whole word implies the prefix
    assert fts_query("model attention model") == '"model" "attention"'
    assert fts_query("model attention mod") == '"model" "attention" "mod"*'
    words = " ".join(f"w{n}" for n in range(40))
    assert fts_query(words) == " ".join(f'"w{n}"' for n in range(queries.MAX_WORDS))
    assert words_left_out(words) == 40 - queries.MAX_WORDS and words_left_out("a b a") == 0


def test_a_search_over_its_time_budget_shows_first_matches_and_says_it_was_cut(big_library, monkeypatch, capsys):
    monkeypatch.setattr(queries, "SEARCH_SECONDS", 0.0)  # any search is over a budget of nothing
    assert main(["--db", str(big_library), "search", "model"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("note: the search took longer than 0 s and was stopped: showing the first ")
    assert err.endswith(" matches found, not the best\n") and err.count("\n") == 1


@pytest.fixture
def conn(big_library):
    connection = sqlite3.connect(big_library)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def test_a_search_in_time_is_ranked_and_says_nothing(conn):
    found = find(conn, "model", limit=5)
    assert len(found.rows) == 5 and found.note == ""
    assert find(conn, "Model MODEL model", limit=5).rows == find(conn, "model model", limit=5).rows


def test_the_window_ranking_over_budget_is_cut_and_the_first_matches_stand(conn):
    with pytest.raises(SearchCut, match="took longer than 0 s"):
        paper_ids(conn, PaperQuery(text="model"), seconds=0.0)
    assert len(paper_ids(conn, PaperQuery(text="model"))) > 1000
    assert paper_ids(conn, PaperQuery(sort="title"), seconds=0.0)  # not a search: no budget
    assert len(first_matches(conn, "model", 50)) == 50


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform
def test_the_library_window_says_when_a_search_was_cut(qtbot, big_library, monkeypatch):
    from annotator.store.library import open_library
    from annotator.ui.library_view import LibraryView

    monkeypatch.setattr(queries, "SEARCH_SECONDS", 0.0)
    with open_library(big_library, daily_backup=False) as lib:
        view = LibraryView(lib, make_runner(qtbot, lib))
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.model.rowCount() == 5000)
        qtbot.keyClicks(view.search, "model")
        qtbot.waitUntil(lambda: "stopped" in view.count_label.text())
        assert view.count_label.text().startswith("the search took longer than 0 s and was stopped: showing the first ")
        assert view.model.rowCount() <= 200
        view.runner.wait_for_searches()
        view.close()  # before the library closes: a repaint would read it


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_the_library_window_says_a_pasted_abstract_was_searched_by_its_first_words(qtbot, big_library):
    from annotator.store.library import open_library
    from annotator.ui.library_view import LibraryView

    with open_library(big_library, daily_backup=False) as lib:
        view = LibraryView(lib, make_runner(qtbot, lib))
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: view.model.rowCount() == 5000)
        view.search.setText(ABSTRACT)
        qtbot.waitUntil(lambda: f"(its first {queries.MAX_WORDS} distinct words)" in view.count_label.text())
        view.runner.wait_for_searches()
        view.close()  # before the library closes: a repaint would read it


def test_a_time_budget_calls_no_python_while_its_statement_runs(conn):
    """A progress handler called Python every thousand steps of a ranking, and each call waited for
    the GIL while the GUI thread ran Python (painting): a ranking of 40 ms took seconds. Now the
    Python a search runs does not grow with how many papers it ranks."""

    def python_calls(text: str) -> int:
        calls = 0

        def profile(_frame, event, _arg):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += event == "call"

        sys.setprofile(profile)
        try:
            assert len(ranked_page(conn, text, 200, seconds=5.0)) == 200
        finally:
            sys.setprofile(None)
        return calls

    assert match_count(conn, "m") > 4 * match_count(conn, "hinton")
    assert python_calls("m") <= python_calls("hinton") + 5


def test_a_search_past_its_budget_is_stopped_and_one_in_time_starts_no_thread(conn, monkeypatch):
    """The budgets share one watchdog thread: a thread started for each statement waited for the
    GIL to start (5 ms whenever the window ran Python), three or four times a search."""
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with queries.TimeBudget(conn, 0.05) as budget, pytest.raises(sqlite3.OperationalError, match="interrupted") as stop:
        conn.execute(endless).fetchone()
    assert budget.cut(stop.value)
    started: list[str] = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread.name) or real_start(thread))
    for text in ("model", "retrieval aug", "m"):
        assert ranked_page(conn, text, 200)
    assert started == []
