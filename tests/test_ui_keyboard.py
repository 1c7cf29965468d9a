"""The keyboard (issue 16): tabs by Ctrl+1/2/3, next and previous session, readings up and down, Down
from the filter into the list, the Edit menu's clipboard actions, and Help ▸ Keyboard Shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from annotator.formats.model import Paper
from annotator.store import editing, organising, queries
from annotator.store.library import open_library
from annotator.ui.keyboard import ShortcutsDialog, shortcut_rows
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def library(tmp_path):
    """Course C with sessions S1 (two readings) and S2 (one)."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, first = editing.new_session(lib, "C", "S1", "One", "2024-01-10")
    _, second = editing.new_session(lib, "C", "S2", "Two", "2024-01-17")
    editing.add_reading(lib, first, paper=Paper("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"))
    editing.add_reading(lib, first, paper=Paper("BERT", "https://arxiv.org/abs/1810.04805"))
    editing.add_reading(lib, second, paper=Paper("GPT-3"))
    yield lib
    lib.close()


def session(win, code: str) -> int:
    return queries.resolve_session(win.lib.conn, f"C/{code}")


def test_ctrl_1_2_3_switch_tabs(window) -> None:
    assert [a.shortcut() for a in window.tab_actions] == [QKeySequence("Ctrl+1"), QKeySequence("Ctrl+2"),
                                                          QKeySequence("Ctrl+3")]
    window.tab_actions[1].trigger()
    assert window.tabs.currentWidget() is window.library_view
    window.tab_actions[2].trigger()
    assert window.tabs.currentIndex() == 2
    window.tab_actions[0].trigger()
    assert window.tabs.currentWidget() is window.workspace


def test_next_and_previous_session_walk_the_list(window) -> None:
    window.show_session(session(window, "S1"))
    window.next_session_action.trigger()
    assert window.sessions.selected_session() == session(window, "S2")
    window.next_session_action.trigger()  # the last: stays
    assert window.sessions.selected_session() == session(window, "S2")
    window.previous_session_action.trigger()
    assert window.sessions.selected_session() == session(window, "S1")


def test_down_in_the_filter_moves_into_the_list(qtbot, window) -> None:
    window.sessions.filter.setFocus()
    qtbot.keyClicks(window.sessions.filter, "Two")
    qtbot.keyClick(window.sessions.filter, Qt.Key.Key_Down)
    assert window.sessions.selected_session() == session(window, "S2")
    assert window.sessions.tree.hasFocus() or QGuiApplication.focusObject() is window.sessions.tree


def test_a_reading_moves_down_and_up_by_keyboard(qtbot, window) -> None:
    window.show_session(session(window, "S1"))
    qtbot.waitUntil(lambda: window.readings.model.rowCount() == 2)
    first = window.readings.model.reading(0)["reading_id"]
    window.readings.select_reading(first)
    window.move_down_action.trigger()
    settle(qtbot, window.runner)
    assert [r["reading_id"] for r in queries.session_readings(window.lib.conn, session(window, "S1"))][1] == first
    assert window.undo_action.text() == "&Undo Move 'Attention Is All You Need' to position 2"
    assert window.readings.selected_reading() == first
    window.move_up_action.trigger()
    settle(qtbot, window.runner)
    assert queries.session_readings(window.lib.conn, session(window, "S1"))[0]["reading_id"] == first


def test_copy_on_the_readings_copies_the_paper_as_markdown_and_paste_goes_into_a_field(qtbot, window) -> None:
    window.show_session(session(window, "S1"))
    qtbot.waitUntil(lambda: window.readings.model.rowCount() == 2)
    window.readings.select_reading(window.readings.model.reading(1)["reading_id"])
    window.readings.table.setFocus()
    qtbot.waitUntil(lambda: QGuiApplication.focusObject() is window.readings.table)
    copy = next(a for a in window.edit_actions if a.text() == "&Copy")
    copy.trigger()
    assert QGuiApplication.clipboard().text() == "[BERT](https://arxiv.org/abs/1810.04805)"
    window.sessions.filter.setFocus()
    qtbot.waitUntil(lambda: QGuiApplication.focusObject() is window.sessions.filter)
    next(a for a in window.edit_actions if a.text() == "&Paste").trigger()
    assert window.sessions.filter.text() == "[BERT](https://arxiv.org/abs/1810.04805)"


def test_help_lists_every_shortcut(window) -> None:
    rows = dict(shortcut_rows(window.actions()))
    assert rows["Next Session"] == "Alt+Down" and rows["Move Reading Up"] == "Ctrl+Shift+Up"
    assert rows["2 Library"] == "Ctrl+2" and rows["Undo"].startswith("Ctrl+Z") and rows["Keyboard Shortcuts"] == "F1"
    # which export: the toolbar's short "Export" would not say
    assert rows["Export Session"] == "Ctrl+E" and rows["Export Course"] == "Ctrl+Shift+E" and "Export" not in rows
    dialog = ShortcutsDialog(window.actions(), window)
    assert dialog.table.rowHeight(0) < 2 * dialog.fontMetrics().height()  # compact, like a menu


def test_help_lists_undo_and_redo_by_name_after_an_edit(qtbot, window) -> None:
    window.show_session(session(window, "S1"))
    course_id = window.lib.conn.execute("SELECT id FROM courses WHERE name = 'C'").fetchone()[0]
    window.runner.edit(organising.rename_course, course_id, "Q&A").run_in_background()
    settle(qtbot, window.runner)
    window.undo()
    settle(qtbot, window.runner)
    rows = dict(shortcut_rows(window.actions()))
    assert rows["Undo"] == "Ctrl+Z" and rows["Redo"] == "Ctrl+Shift+Z, Ctrl+Y"  # not "Redo Rename course 'C' to 'QA'"
