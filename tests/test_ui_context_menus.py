"""Right-click menus on readings and papers (issue 16): open or copy the link, copy as Markdown,
move up/down, edit the paper, remove, add to a session."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices, QGuiApplication

from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.store.library import open_library
from annotator.ui.paper_actions import markdown_link
from annotator.ui.paper_editor import PaperEditorDialog
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def library(tmp_path):
    """A session S1 reading three papers."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, session_id = editing.new_session(lib, "C", "S1", "Transformers", "2024-01-10")
    for title, url in (("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"),
                       ("BERT", "https://arxiv.org/abs/1810.04805"), ("A paper without a link", "")):
        editing.add_reading(lib, session_id, paper=Paper(title, url))
    yield lib
    lib.close()


@pytest.fixture
def shown(qtbot, window):
    """The window showing S1: (window, S1's id)."""
    session_id = queries.resolve_session(window.lib.conn, "C/S1")
    window.show_session(session_id)
    qtbot.waitUntil(lambda: window.readings.model.rowCount() == 3)
    return window, session_id


def actions(menu) -> dict[str, object]:
    return {action.text(): action for action in menu.actions() if action.text()}


def test_markdown_link_is_how_a_post_writes_a_paper() -> None:
    assert markdown_link("Attention Is All You Need", "https://arxiv.org/abs/1706.03762") == (
        "[Attention Is All You Need](https://arxiv.org/abs/1706.03762)")
    assert markdown_link("A [bracketed] title", "https://x.org/a b)") == "[A \\[bracketed\\] title](https://x.org/a%20b%29)"
    assert markdown_link("No link", "javascript:alert(1)") == "No link"


def test_the_readings_menu_copies_opens_moves_and_removes(qtbot, shown, monkeypatch) -> None:
    win, session_id = shown
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    readings = queries.session_readings(win.lib.conn, session_id)
    menu = win.readings.context_menu_for(0)
    found = actions(menu)
    assert list(found)[:3] == ["Open Paper's Link", "Copy Link", "Copy as Markdown"]
    assert not found["Move Up"].isEnabled() and found["Move Down"].isEnabled()
    found["Copy as Markdown"].trigger()
    assert QGuiApplication.clipboard().text() == markdown_link(readings[0]["title"], readings[0]["url"])
    found["Open Paper's Link"].trigger()
    assert opened == [readings[0]["url"]]
    found["Move Down"].trigger()
    settle(qtbot, win.runner)
    assert [r["reading_id"] for r in queries.session_readings(win.lib.conn, session_id)][:2] == [
        readings[1]["reading_id"], readings[0]["reading_id"]]
    assert win.undo_action.text().startswith("&Undo Move ")
    win.readings.table.selectRow(0)
    actions(win.readings.context_menu_for(0))["Remove Reading"].trigger()
    settle(qtbot, win.runner)
    assert len(queries.session_readings(win.lib.conn, session_id)) == len(readings) - 1


def test_edit_paper_from_a_reading_opens_the_paper_editor(qtbot, shown) -> None:
    win, session_id = shown
    reading = queries.session_readings(win.lib.conn, session_id)[0]
    actions(win.readings.context_menu_for(0))["Edit Paper…"].trigger()
    dialog = win.findChild(PaperEditorDialog)
    assert dialog is not None and dialog.paper_id == reading["paper_id"] and dialog.title.text() == reading["title"]
    dialog.authors.setText("Someone New")
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert queries.session_readings(win.lib.conn, session_id)[0]["authors"] == "Someone New"
    assert win.undo_action.text() == "&Undo Edit paper 'Attention Is All You Need'"


def test_a_reading_without_a_web_link_offers_no_link_to_open(shown) -> None:
    win, _ = shown
    found = actions(win.readings.context_menu_for(2))
    assert not found["Open Paper's Link"].isEnabled() and not found["Copy Link"].isEnabled()
    assert not found["Move Down"].isEnabled() and found["Move Up"].isEnabled()
