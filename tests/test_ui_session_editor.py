"""The session editor: each committed field is one undoable edit_session; unchanged fields save nothing."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QMessageBox

from annotator.store import editing
from annotator.store.library import open_library
from annotator.ui.main_window import MainWindow
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, tmp_path):
    lib = open_library(tmp_path / "library.sqlite")
    _, session_id = editing.new_session(lib, "Spring", "S0-L3", "Agents", "2024-02-01")
    editing.edit_session(lib, session_id, front_matter={"desc": "2024-S3", "LOrder": 3, "categories": ["FMAdapt"]})
    editing.set_roster(lib, 1, [("team-1", "Ann, Bo"), ("team-2", "Cy")])
    win = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.sessions.select_session(session_id)
    yield win, session_id
    win.close()
    lib.close()


def front(window, session_id):
    return json.loads(window.lib.conn.execute("SELECT front_matter FROM sessions WHERE id = ?",
                                              (session_id,)).fetchone()[0])


def op_count(window) -> int:
    return window.lib.conn.execute("SELECT count(*) FROM operations").fetchone()[0]


def test_fields_show_the_front_matter(window):
    win, _ = window
    editor = win.session_editor
    assert (editor.title.text(), editor.date.text()) == ("Agents", "2024-02-01")
    assert [editor.lead_team.itemText(i) for i in range(editor.lead_team.count())] == ["team-1", "team-2"]
    keys = [editor.other.item(r, 0).text() for r in range(editor.other.rowCount())]
    assert keys == ["layout", "lectureVersion", "extraContent", "desc", "LOrder", "categories"]
    assert editor.other.item(5, 1).text() == "FMAdapt"


def test_the_heading_leads_with_the_session_id_and_wraps_a_long_course_name(qtbot, window):
    """"2026sp-GenAI-Agents-Overview-Course/W01.2.alig" was cut at the pane's edge: the id comes first now,
    and the course's name wraps below it."""
    win, _ = window
    _, long_one = editing.new_session(win.lib, "2026sp-GenAI-Agents-Overview-Course", "W01.2.alignment", "LLM basics")
    win.apply_changes(None)
    win.sessions.select_session(long_one)
    heading = win.session_editor.heading
    heading.setFixedWidth(300)
    assert QTextDocumentFragment.fromHtml(heading.text()).toPlainText() == \
        "W01.2.alignment in 2026sp-GenAI-Agents-Overview-Course"
    assert heading.wordWrap() and heading.heightForWidth(300) > heading.fontMetrics().height() * 1.5


def test_each_commit_is_one_step(qtbot, window):
    win, session_id = window
    editor = win.session_editor
    before = op_count(win)
    editor.title.editingFinished.emit()  # nothing changed: nothing saved
    assert op_count(win) == before
    editor.title.setText("Agents and tools")
    editor.title.editingFinished.emit()
    editor.lead_team.setCurrentText("team-2")
    editor.lead_team.lineEdit().editingFinished.emit()
    editor.tags.setText("Agents, Tool use")
    editor.tags.editingFinished.emit()
    settle(qtbot, win.runner)
    assert op_count(win) == before + 3
    data = front(win, session_id)
    assert (data["title"], data["video"], data["tags"]) == ("Agents and tools", "team-2", ["Agents", "Tool use"])
    assert win.sessions.tree.currentIndex().siblingAtColumn(2).data() == "Agents and tools"
    win.undo_action.trigger()
    settle(qtbot, win.runner)
    assert "tags" in front(win, session_id) and front(win, session_id)["tags"] == []
    assert editor.tags.text() == ""


def test_other_keys_table(qtbot, window):
    win, session_id = window
    editor = win.session_editor
    row = [editor.other.item(r, 0).text() for r in range(editor.other.rowCount())].index("LOrder")
    editor.other.item(row, 1).setText("4")
    qtbot.waitUntil(lambda: front(win, session_id)["LOrder"] == 4)  # stays a number
    editor.add_key_row()
    new_row = editor.other.rowCount() - 1
    editor.other.item(new_row, 0).setText("morenotes")
    qtbot.waitUntil(lambda: "morenotes" in front(win, session_id))
    keys = [editor.other.item(r, 0).text() for r in range(editor.other.rowCount())]
    editor.other.setCurrentCell(keys.index("desc"), 0)
    editor.remove_key_row()
    settle(qtbot, win.runner)
    assert "desc" not in front(win, session_id)


def test_bad_date_is_refused(qtbot, monkeypatch, window):
    win, session_id = window
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: shown.append(args[2])))
    win.session_editor.date.setText("next tuesday")
    win.session_editor.date.editingFinished.emit()
    settle(qtbot, win.runner)
    assert shown == []  # said at the field, not in a box
    assert "YYYY-MM-DD" in win.session_editor.date_problem.message
    assert front(win, session_id)["date"] == "2024-02-01"
    assert win.session_editor.date.text() == "next tuesday"  # kept, to be corrected
    win.session_editor.date.setText("2024-02-08")
    win.session_editor.date.textEdited.emit("2024-02-08")
    win.session_editor.date.editingFinished.emit()
    settle(qtbot, win.runner)
    assert win.session_editor.date_problem.message == "" and front(win, session_id)["date"] == "2024-02-08"
