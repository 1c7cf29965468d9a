"""Paper ▸ Find on arXiv and Fill in Missing Links (issue 17), driven as a user would, against a local
stand-in for arXiv's API (tests/arxiv_server.py): never the real network."""

from __future__ import annotations

import pytest
from arxiv_server import Reply
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from annotator.arxiv import ArxivClient
from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.store.library import open_library
from annotator.store.operations import run_operation
from annotator.store.paper_browser import paper_detail
from annotator.ui.arxiv_review import CandidatesDialog, LookupReviewDialog
from annotator.ui.paper_actions import FIND_ON_ARXIV
from tests.ui_helpers import edit, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform

ATTENTION = "Attention Is All You Need"
DPO = "Direct Preference Optimization"
NOBODY = "A Paper Nobody Wrote"


@pytest.fixture
def library(tmp_path):
    """Session S1 reading three papers without a link (one on arXiv, one with two candidates, one not there)
    and BERT, which has its arXiv link but no authors; paper list "HF picks" holds DPO and the paper nobody wrote."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, session_id = editing.new_session(lib, "C", "S1", "Language models", "2024-01-10")
    for title, url in ((ATTENTION, ""), (DPO, ""), (NOBODY, ""), ("BERT", "https://arxiv.org/abs/1810.04805")):
        editing.add_reading(lib, session_id, paper=Paper(title, url))

    def make_list(conn, changes):  # the rows the list importer writes
        list_id = conn.execute("INSERT INTO paper_lists (name) VALUES ('HF picks')").lastrowid
        conn.executemany("INSERT INTO paper_list_items (list_id, position, paper_id) "
                         "SELECT ?, ?, id FROM papers WHERE title = ?", [(list_id, 1, DPO), (list_id, 2, NOBODY)])
        changes.lists.add(list_id)

    run_operation(lib, "Import list", make_list)
    yield lib
    lib.close()


@pytest.fixture
def arxiv(arxiv_server, monkeypatch):
    """The stand-in arXiv, knowing Attention, BERT and two papers whose titles start with DPO's."""
    monkeypatch.setenv("ANNOTATOR_ARXIV_API", arxiv_server.url)
    arxiv_server.add_paper("1706.03762", ATTENTION, authors=("Ashish Vaswani", "Noam Shazeer"), published="2017-06-12")
    arxiv_server.add_paper("2305.18290", f"{DPO}: Your Language Model is Secretly a Reward Model",
                           authors=("Rafael Rafailov", "Archit Sharma"), published="2023-05-29")
    arxiv_server.add_paper("2402.10571", f"{DPO} with an Offset", authors=("Afra Amini",), published="2024-02-16")
    arxiv_server.add_paper("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                           authors=("Jacob Devlin", "Ming-Wei Chang"), published="2018-10-11")
    return arxiv_server


@pytest.fixture
def shown(qtbot, window, arxiv):
    """The window showing S1, its arXiv client quick (the stand-in has no rate limit to keep): (window, S1)."""
    window.arxiv.client = ArxivClient(min_interval=0.01)
    session_id = queries.resolve_session(window.lib.conn, "C/S1")
    window.show_session(session_id)
    qtbot.waitUntil(lambda: window.readings.model.rowCount() == 4)
    return window, session_id


def paper(window, title: str) -> dict:
    row = next(r for r in queries.session_readings(window.lib.conn, window.readings.model.session_id)
               if r["title"].startswith(title))
    return paper_detail(window.lib.conn, row["paper_id"])


def select(window, title: str) -> None:
    window.readings.select_reading(next(r["reading_id"] for r in queries.session_readings(
        window.lib.conn, window.readings.model.session_id) if r["title"] == title))


def dialog_of(qtbot, window, kind: type):
    qtbot.waitUntil(lambda: isinstance(window.arxiv.dialog, kind) and window.arxiv.dialog.isVisible())
    return window.arxiv.dialog


def test_opening_the_window_asks_arxiv_nothing(qtbot, window, arxiv) -> None:
    settle(qtbot, window.runner)
    window.arxiv.update_actions()  # what opening the Paper menu does
    assert window.arxiv.client is None and not arxiv.requests


def test_find_on_arxiv_from_a_readings_menu_fills_an_exact_match_and_undo_takes_it_back(qtbot, shown) -> None:
    win, _ = shown
    select(win, ATTENTION)
    menu = win.readings.context_menu_for(win.readings.model.row_of(win.readings.selected_reading()))
    find = next(a for a in menu.actions() if a.text() == FIND_ON_ARXIV)
    find.trigger()
    qtbot.waitUntil(lambda: paper(win, ATTENTION)["url"] == "https://arxiv.org/abs/1706.03762")
    assert paper(win, ATTENTION)["authors"] == "Ashish Vaswani, Noam Shazeer"
    settle(qtbot, win.runner)
    assert "arXiv" in win.undo_action.text()
    win.undo()
    qtbot.waitUntil(lambda: paper(win, ATTENTION)["url"] == "")
    assert paper(win, ATTENTION)["authors"] == ""


def test_several_candidates_are_listed_and_the_one_picked_is_applied(qtbot, shown) -> None:
    win, _ = shown
    select(win, DPO)
    win.arxiv.update_actions()
    assert win.arxiv.find_action.isEnabled()
    win.arxiv.find_action.trigger()
    dialog = dialog_of(qtbot, win, CandidatesDialog)
    items = [dialog.list.topLevelItem(row) for row in range(dialog.list.topLevelItemCount())]
    cells = [[item.text(column) for column in range(4)] for item in items]
    assert cells == [[f"{DPO}: Your Language Model is Secretly a Reward Model", "Rafael Rafailov, Archit Sharma",
                      "2023", "2305.18290"],
                     [f"{DPO} with an Offset", "Afra Amini", "2024", "2402.10571"]]
    assert not dialog.use_button.isEnabled()
    dialog.list.setCurrentItem(dialog.list.topLevelItem(0))
    qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: paper(win, DPO)["url"] == "https://arxiv.org/abs/2305.18290")


def test_none_of_the_candidates_changes_nothing(qtbot, shown) -> None:
    win, _ = shown
    select(win, DPO)
    win.arxiv.find_selected()
    dialog = dialog_of(qtbot, win, CandidatesDialog)
    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    settle(qtbot, win.runner)
    assert paper(win, DPO)["url"] == "" and not win.runner.history.stack.canUndo()


def test_a_paper_arxiv_does_not_have_is_one_status_line(qtbot, shown) -> None:
    win, _ = shown
    select(win, NOBODY)
    win.arxiv.find_selected()
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() == f"arXiv has no paper “{NOBODY}”: nothing was changed")
    assert win.arxiv.dialog is None and not win.runner.history.stack.canUndo()


def test_fill_in_missing_links_of_a_session_reviews_before_it_applies_in_one_undo_step(qtbot, shown, arxiv) -> None:
    win, _ = shown
    win.arxiv.update_actions()
    win.arxiv.fill_session_action.trigger()
    dialog = dialog_of(qtbot, win, LookupReviewDialog)
    groups = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert groups == ["Found (2)", "Several candidates (1)", "Not found (1)"]
    assert {p["url"] for p in (paper(win, t) for t in (ATTENTION, DPO, NOBODY))} == {""}  # nothing applied yet
    rows = {result.title: (item, combo) for item, result, combo in dialog.rows()}
    assert rows[ATTENTION][0].checkState(0) == Qt.CheckState.Checked
    assert rows[NOBODY][0].text(1) == "not found on arXiv"
    assert rows["BERT"][0].text(4) == "1810.04805"  # found by the id of its link
    assert dialog.apply_button.text() == "Apply 2"
    assert rows[DPO][1].itemText(2) == f"{DPO} with an Offset — Afra Amini (2024, 2402.10571)"  # who wrote it, too
    rows[DPO][1].setCurrentIndex(2)  # "… with an Offset"
    assert rows[DPO][0].checkState(0) == Qt.CheckState.Checked and dialog.apply_button.text() == "Apply 3"
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: paper(win, DPO)["url"] == "https://arxiv.org/abs/2402.10571")
    assert paper(win, ATTENTION)["url"] == "https://arxiv.org/abs/1706.03762"
    assert paper(win, NOBODY)["url"] == ""
    assert paper(win, "BERT")["authors"] == "Jacob Devlin, Ming-Wei Chang"
    assert paper(win, "BERT")["title"] == "BERT"  # only empty fields are filled
    settle(qtbot, win.runner)
    assert win.statusBar().currentMessage() == "Filled in 3 papers from arXiv"
    assert win.runner.history.stack.count() == 1
    win.undo()
    qtbot.waitUntil(lambda: paper(win, ATTENTION)["url"] == "")
    assert paper(win, DPO)["url"] == ""


def test_cancel_in_the_middle_of_a_batch_applies_nothing(qtbot, shown, arxiv) -> None:
    win, _ = shown
    arxiv.script(Reply(delay=2.0))  # the first answer is slow: Cancel is pressed while it is awaited
    win.arxiv.fill_library_action.trigger()
    qtbot.waitUntil(lambda: any(p.isVisible() for p in win.findChildren(QProgressDialog)))
    progress = next(p for p in win.findChildren(QProgressDialog) if p.isVisible())
    assert arxiv.requests
    progress.canceled.emit()  # what its Cancel button does
    settle(qtbot, win.runner)
    assert win.statusBar().currentMessage() == "Cancelled: nothing was changed"
    assert win.arxiv.dialog is None
    assert len(arxiv.requests) == 1
    assert {p["url"] for p in (paper(win, t) for t in (ATTENTION, DPO, NOBODY))} == {""}
    assert not win.runner.history.stack.canUndo()

    win.arxiv.fill_library_action.trigger()  # again: the answer that came before Cancel was kept
    dialog_of(qtbot, win, LookupReviewDialog)
    assert len(arxiv.requests) == 1 + 3


def test_the_window_stays_usable_while_a_batch_looks_papers_up(qtbot, shown, arxiv) -> None:
    """A list takes minutes at one request per 3 s: a team set meanwhile is saved at once, not after the
    batch, and the lookups wait for the one running (one at a time)."""
    win, _ = shown
    arxiv.script(Reply(delay=2.0))  # the batch is busy with its first paper throughout
    win.arxiv.fill_library_action.trigger()
    qtbot.waitUntil(lambda: any(p.isVisible() for p in win.findChildren(QProgressDialog)))  # after 400 ms
    progress = next(p for p in win.findChildren(QProgressDialog) if p.isVisible())
    assert progress.windowModality() == Qt.WindowModality.NonModal
    assert progress.labelText().endswith("0 of 4 done")  # how far a batch of minutes has come
    reading = queries.session_readings(win.lib.conn, win.readings.model.session_id)[0]["reading_id"]
    with qtbot.waitSignal(win.runner.changed, timeout=1500):  # well before the slow answer
        win.runner.edit(editing.edit_reading, reading, team="team-4").run_in_background()
    assert win.runner.is_busy_long()
    win.arxiv.update_actions()
    assert not win.arxiv.fill_library_action.isEnabled() and not win.arxiv.fill_session_action.isEnabled()
    win.arxiv.fill_in("the library")  # as a right-click would: refused in one line, nothing queued
    assert "A lookup on arXiv is running" in win.statusBar().currentMessage()
    progress.canceled.emit()
    settle(qtbot, win.runner)
    assert queries.session_readings(win.lib.conn, win.readings.model.session_id)[0]["team"] == "team-4"
    assert len(arxiv.requests) == 1


def test_offline_is_one_line_in_the_status_bar_and_nothing_changes(qtbot, shown, arxiv, monkeypatch) -> None:
    win, _ = shown
    win.arxiv.client = ArxivClient("http://127.0.0.1:9/api/query", min_interval=0.01, retries=0)  # nothing listens there
    select(win, ATTENTION)
    win.arxiv.find_selected()
    qtbot.waitUntil(lambda: "arXiv is not reachable" in win.statusBar().currentMessage())
    settle(qtbot, win.runner)
    assert "\n" not in win.statusBar().currentMessage()
    assert paper(win, ATTENTION)["url"] == "" and not win.runner.history.stack.canUndo()
    assert not arxiv.requests


def test_a_paper_found_under_an_id_the_library_has_is_merged_when_the_user_agrees(qtbot, shown, monkeypatch) -> None:
    win, session_id = shown
    other_session = edit(qtbot, win.runner, editing.new_session, "C", "S2", "Transformers")
    edit(qtbot, win.runner, editing.add_reading, other_session,
         paper=Paper("The Transformer", "https://arxiv.org/abs/1706.03762"))
    asked: list[str] = []
    monkeypatch.setattr("annotator.ui.arxiv_lookup.ask", lambda _parent, _title, text: asked.append(text) or True)
    win.tabs.setCurrentWidget(win.library_view)
    qtbot.waitUntil(lambda: win.library_view.model.rowCount() == 5)
    attention = paper(win, ATTENTION)["id"]
    menu = win.library_view.context_menu_for(attention)
    next(a for a in menu.actions() if a.text() == FIND_ON_ARXIV).trigger()
    qtbot.waitUntil(lambda: paper_detail(win.lib.conn, attention) is None)  # merged into the paper kept
    assert "already in the library as “The Transformer”" in asked[0]
    first = queries.session_readings(win.lib.conn, session_id)[0]  # S1's reading now reads the paper kept
    assert first["paper_id"] == queries.session_readings(win.lib.conn, other_session)[0]["paper_id"]
    assert (first["url"], first["authors"]) == ("https://arxiv.org/abs/1706.03762", "Ashish Vaswani, Noam Shazeer")


def test_fill_in_missing_links_of_the_list_shown_on_the_library_tab(qtbot, shown, arxiv) -> None:
    win, _ = shown
    win.tabs.setCurrentWidget(win.library_view)
    lists = win.library_view.lists
    qtbot.waitUntil(lambda: lists.findText("HF picks (2)") >= 0)
    win.arxiv.update_actions()
    assert not win.arxiv.fill_list_action.isEnabled()  # all papers are shown, not a list
    lists.setCurrentIndex(lists.findText("HF picks (2)"))
    win.arxiv.update_actions()
    assert win.arxiv.fill_list_action.text() == "Fill in Missing Links for &List “HF picks”…"  # its name, no count
    win.arxiv.fill_list_action.trigger()
    dialog = dialog_of(qtbot, win, LookupReviewDialog)
    assert [result.title for _item, result, _combo in dialog.rows()] == [DPO, NOBODY]
    assert not dialog.apply_button.isEnabled()
    item, _result, combo = dialog.rows()[0]
    item.setCheckState(0, Qt.CheckState.Checked)  # ticked without a pick: arXiv's first candidate
    assert combo.currentIndex() == 1 and dialog.apply_button.text() == "Apply 1"
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: paper(win, DPO)["url"] == "https://arxiv.org/abs/2305.18290")


def test_the_review_names_the_paper_that_has_the_id_already_and_merging_can_be_declined(qtbot, shown) -> None:
    win, session_id = shown
    other_session = edit(qtbot, win.runner, editing.new_session, "C", "S2", "Transformers")
    edit(qtbot, win.runner, editing.add_reading, other_session,
         paper=Paper("The Transformer", "https://arxiv.org/abs/1706.03762"))
    win.arxiv.fill_session_action.trigger()
    dialog = dialog_of(qtbot, win, LookupReviewDialog)
    item = next(item for item, result, _combo in dialog.rows() if result.title == ATTENTION)
    assert item.text(5) == "same arXiv id as “The Transformer”"
    assert dialog.merge.isChecked()
    dialog.merge.setChecked(False)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: paper(win, ATTENTION)["authors"] == "Ashish Vaswani, Noam Shazeer")
    assert paper(win, ATTENTION)["url"] == ""  # the link stays with the paper that has it: two papers, as asked
    settle(qtbot, win.runner)
    assert "left 1 apart from the paper with the same arXiv id" in win.statusBar().currentMessage()


def test_the_paper_menu_names_a_list_with_an_ampersand_as_it_is(qtbot, shown) -> None:
    win, _ = shown
    run_operation(win.lib, "Import list", lambda conn, changes: changes.lists.add(
        conn.execute("INSERT INTO paper_lists (name) VALUES ('Q&A reading')").lastrowid))
    win.refresh_everything()
    win.tabs.setCurrentWidget(win.library_view)
    lists = win.library_view.lists
    qtbot.waitUntil(lambda: any(lists.itemText(i).startswith("Q&A") for i in range(lists.count())))
    lists.setCurrentIndex(next(i for i in range(lists.count()) if lists.itemText(i).startswith("Q&A")))
    win.arxiv.update_actions()
    assert win.arxiv.fill_list_action.iconText().startswith("Fill in Missing Links for List “Q&A reading”")


def test_an_answer_that_is_no_feed_names_the_paper_it_was_for(qtbot, shown, arxiv, monkeypatch) -> None:
    win, _ = shown
    shown_boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: shown_boxes.append(args[2])))
    arxiv.script(Reply(body="Rate exceeded."))  # a proxy's page instead of arXiv's feed, for the first paper
    win.arxiv.fill_session_action.trigger()
    qtbot.waitUntil(lambda: bool(shown_boxes))
    assert shown_boxes[0].startswith(f"looking up paper {paper(win, ATTENTION)['id']} '{ATTENTION}': "
                                     "arXiv's answer is not valid XML")
    assert shown_boxes[0].endswith("nothing was changed")
