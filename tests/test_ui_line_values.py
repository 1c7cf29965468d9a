"""The reading editor refuses, through the store's own rule, a team or video a post cannot hold."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.ui.reading_editor import ReadingEditor
from tests.ui_helpers import make_runner, settle


@pytest.fixture
def editor(qtbot, lib):
    runner = make_runner(qtbot, lib)
    window = runner.window
    widget = ReadingEditor(lib, runner, window)
    _, session = editing.new_session(lib, "C", "S1", "Values")
    widget.show_reading(editing.add_reading(lib, session, paper=Paper("Paper", "https://arxiv.org/abs/1706.03762"))[1])
    window.show()
    return widget


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a, **k: shown.append(text)))
    return shown


def test_team_with_the_excerpt_marker_shows_why_and_changes_nothing(qtbot, lib, editor, warnings):
    editor.team.setFocus()
    qtbot.keyClicks(editor.team.lineEdit(), "team-1<!--excerpt.start-->")
    qtbot.keyClick(editor.team.lineEdit(), Qt.Key.Key_Return)
    # (Return both activates the combo box and finishes the edit: each says why)
    settle(qtbot, editor._runner)
    assert warnings and all("holds <!--excerpt.start-->" in text for text in warnings)
    assert queries.session_readings(lib.conn, 1)[0]["team"] == ""


def test_video_with_the_excerpt_marker_shows_why(qtbot, lib, editor, warnings):
    editor.video_url.setText("https://youtu.be/x<!--excerpt.start-->")
    qtbot.mouseClick(editor.add_video_button, Qt.MouseButton.LeftButton)
    settle(qtbot, editor._runner)
    assert warnings == []  # said at the field, not in a box; the link stays there to be corrected
    assert "holds <!--excerpt.start-->" in editor.video_problem.message
    assert editor.video_url.text() == "https://youtu.be/x<!--excerpt.start-->"
    assert queries.session_readings(lib.conn, 1)[0]["videos"] == []
