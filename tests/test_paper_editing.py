"""Edit a paper's metadata (issue 16): the fields change as one undo step, and a URL that names another
paper of the library offers to merge the two, readings, notes and list places included."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from annotator.formats.model import Paper
from annotator.store import editing, operations, queries
from annotator.store.library import Library, open_library
from annotator.store.paper_browser import paper_detail
from annotator.store.papers import DuplicatePaper
from annotator.ui.library_view import LibraryView
from tests.ui_helpers import make_runner, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    """S1 reads LLaVA by its arXiv URL (team-1, a video); S2 reads it as a title only, with notes, and also by URL."""
    library = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, first = editing.new_session(library, "C", "S1", "One", "2024-03-05")
    _, reading = editing.add_reading(library, first, paper=Paper("Visual Instruction Tuning",
                                                                   "https://arxiv.org/abs/2304.08485"))
    editing.edit_reading(library, reading, team="team-1", add_videos=["https://youtu.be/a"])
    _, second = editing.new_session(library, "C", "S2", "Two", "2024-03-12")
    _, untitled = editing.add_reading(library, second, paper=Paper("LLaVA (the visual tuning paper)", "",
                                                                     "Haotian Liu", "We present LLaVA."))
    editing.edit_reading(library, untitled, notes="Read section 3.", add_videos=["https://youtu.be/b"])
    yield library
    library.close()


def paper_id(lib: Library, title: str) -> int:
    return lib.conn.execute("SELECT id FROM papers WHERE title = ?", (title,)).fetchone()[0]


def test_an_edit_giving_a_known_arxiv_url_names_the_other_paper(lib: Library) -> None:
    with pytest.raises(DuplicatePaper) as raised:
        editing.edit_paper(lib, paper_id(lib, "LLaVA (the visual tuning paper)"),
                           {"url": "https://arxiv.org/abs/2304.08485v2"})
    assert raised.value.other_id == paper_id(lib, "Visual Instruction Tuning")
    assert str(raised.value) == "Another paper in the library already has that arXiv URL: “Visual Instruction Tuning”"


def test_merging_keeps_every_reading_and_annotation_and_undoes_in_one_step(lib: Library) -> None:
    before = {code: queries.session_readings(lib.conn, queries.resolve_session(lib.conn, f"C/{code}"))
              for code in ("S1", "S2")}
    keep, merged = paper_id(lib, "Visual Instruction Tuning"), paper_id(lib, "LLaVA (the visual tuning paper)")
    changes, _ = editing.merge_papers(lib, keep, merged)
    assert changes.label == "Merge paper 'LLaVA (the visual tuning paper)' into 'Visual Instruction Tuning'"
    assert lib.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 1
    paper = paper_detail(lib.conn, keep)
    assert (paper["authors"], paper["abstract"]) == ("Haotian Liu", "We present LLaVA.")  # the fields it lacked
    s2 = queries.session_readings(lib.conn, queries.resolve_session(lib.conn, "C/S2"))
    assert [(r["title"], r["notes"], r["videos"]) for r in s2] == [
        ("Visual Instruction Tuning", "Read section 3.", ["https://youtu.be/b"])]
    operations.undo(lib)
    after = {code: queries.session_readings(lib.conn, queries.resolve_session(lib.conn, f"C/{code}"))
             for code in ("S1", "S2")}
    assert after == before


def test_a_session_reading_both_keeps_one_reading_with_both_annotations(lib: Library) -> None:
    session = queries.resolve_session(lib.conn, "C/S2")
    editing.add_reading(lib, session, paper_id=paper_id(lib, "Visual Instruction Tuning"))
    reading = queries.session_readings(lib.conn, session)[1]
    editing.edit_reading(lib, reading["reading_id"], team="team-2", add_videos=["https://youtu.be/b"])
    editing.merge_papers(lib, paper_id(lib, "Visual Instruction Tuning"), paper_id(lib, "LLaVA (the visual tuning paper)"))
    (only,) = queries.session_readings(lib.conn, session)
    assert (only["team"], only["notes"], only["videos"]) == ("team-2", "Read section 3.", ["https://youtu.be/b"])


def test_the_library_tab_edits_a_paper_and_offers_the_merge(qtbot, lib: Library, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text: (
        asked.append(text), QMessageBox.StandardButton.Yes)[1])
    runner = make_runner(qtbot, lib)
    view = LibraryView(lib, runner)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    row = next(r for r in range(2) if view.model.index(r, 0).data() == "LLaVA (the visual tuning paper)")
    view.table.selectRow(row)
    assert view.edit_button.isEnabled()
    dialog = view.edit_current_paper()
    dialog.title.setText("LLaVA: Visual Instruction Tuning")
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert runner.history.stack.undoText() == "Edit paper 'LLaVA (the visual tuning paper)'"
    dialog = view.edit_current_paper()
    dialog.url.setText("https://arxiv.org/abs/2304.08485")
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    settle(qtbot, runner)
    assert len(asked) == 1 and "Visual Instruction Tuning" in asked[0]
    assert [row[0] for row in lib.conn.execute("SELECT title FROM papers")] == ["Visual Instruction Tuning"]
    assert runner.history.stack.undoText().startswith("Merge paper 'LLaVA: Visual Instruction Tuning'")
    view.runner.wait_for_searches()
    view.close()


def test_the_library_tab_right_click_offers_the_link_the_session_and_the_editor(qtbot, lib: Library) -> None:
    view = LibraryView(lib, make_runner(qtbot, lib))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    view.table.selectRow(0)
    menu = view.context_menu_for(view.current_paper())
    texts = [action.text() for action in menu.actions() if action.text()]
    assert texts == ["Open Paper's Link", "Copy Link", "Copy as Markdown", "Add to session…", "Edit Paper…",
                     "Find on arXiv…"]
    view.runner.wait_for_searches()
    view.close()
