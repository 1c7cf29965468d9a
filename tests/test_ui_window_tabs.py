"""The window around the sessions: Library and Workload tabs, Teams…, adding readings, dropping files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog

from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.store.library import open_library
from annotator.ui import dialogs
from annotator.ui.main_window import MainWindow
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, tmp_path):
    lib = open_library(tmp_path / "library.sqlite")
    _, session_id = editing.new_session(lib, "Spring", "S0-L1", "Intro", "2024-01-10")
    editing.add_reading(lib, session_id, paper=Paper("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"))
    win = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), poll_interval_ms=100)
    qtbot.addWidget(win)
    win.show()
    win.sessions.select_session(session_id)
    yield win, session_id
    win.close()
    lib.close()


def test_add_reading_from_the_library_picker(qtbot, window, monkeypatch):
    win, session_id = window
    _, other = editing.new_session(win.lib, "Spring", "S0-L2", "More")
    for title in ("BERT", "GPT-3 few-shot learners"):
        editing.add_reading(win.lib, other, paper=Paper(title))
    win.apply_changes(None)

    def pick(dialog):
        dialog.search.setText("bert")
        assert dialog.papers.count() == 1
        dialog.papers.item(0).setSelected(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.PaperPickerDialog, "exec", pick)
    win.add_library_action.trigger()
    settle(qtbot, win.runner)
    titles = [r["title"] for r in queries.session_readings(win.lib.conn, session_id)]
    assert titles == ["Attention Is All You Need", "BERT"]
    assert win.readings.model.rowCount() == 2
    assert win.reading_editor.title.text() == "BERT"  # the new reading is selected
    win.undo_action.trigger()
    settle(qtbot, win.runner)
    assert win.readings.model.rowCount() == 1


def test_add_several_papers_is_one_undo_step(qtbot, window):
    win, session_id = window
    ids = [win.lib.conn.execute("INSERT INTO papers (title, title_key) VALUES (?, ?)", (t, t.lower())).lastrowid
           for t in ("Paper A", "Paper B")]
    win.add_papers(ids)
    settle(qtbot, win.runner)
    assert win.readings.model.rowCount() == 3
    assert win.undo_action.text() == "&Undo Add 2 readings"
    win.undo_action.trigger()
    settle(qtbot, win.runner)
    assert win.readings.model.rowCount() == 1


def test_add_by_title_and_remove(qtbot, window, monkeypatch):
    win, session_id = window

    def fill(dialog):
        dialog.title.setText("Segment Anything")
        dialog.url.setText("https://arxiv.org/abs/2304.02643")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.NewPaperDialog, "exec", fill)
    win.add_title_action.trigger()
    settle(qtbot, win.runner)
    assert win.readings.model.index(1, 1).data() == "Segment Anything"
    assert win.readings.selected_reading() == win.readings.model.reading_ids()[1]
    win.readings.table.setFocus()
    win.delete_action.trigger()
    settle(qtbot, win.runner)
    assert win.readings.model.rowCount() == 1


def test_dropping_files_on_the_window_imports_them(qtbot, window, tmp_path):
    pytest.importorskip("annotator.formats.detect")
    win, _ = window
    post = tmp_path / "site" / "_contents" / "S0-L5.md"
    post.parent.mkdir(parents=True)
    post.write_text("---\nlayout: post\ntitle: Dropped\n---\n\n## Readings:\n\n### BERT\n  + https://arxiv.org/abs/1810.04805\n",
                    "utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(post))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(win.import_finished, timeout=20000):
        win.dropEvent(event)
    session_id = queries.resolve_session(win.lib.conn, "site/S0-L5")
    assert win.sessions.selected_session() == session_id
    assert win.readings.model.index(0, 1).data() == "BERT"


def test_teams_dialog_is_one_undo_step(qtbot, window, monkeypatch):
    teams = pytest.importorskip("annotator.ui.teams")
    win, _ = window

    def fill(dialog):
        dialog.model.insertRows(0, 1)
        dialog.model.setData(dialog.model.index(0, 0), "team-7")
        with qtbot.waitSignal(dialog.accepted):  # once the roster is saved
            dialog.accept()
        return dialog.result()

    monkeypatch.setattr(teams.TeamRosterDialog, "exec", fill)
    win.teams_action.trigger()
    assert "team-7" in [win.session_editor.lead_team.itemText(i) for i in range(win.session_editor.lead_team.count())]
    assert win.undo_action.text().startswith("&Undo Edit teams of ")
    win.undo_action.trigger()
    settle(qtbot, win.runner)
    assert win.lib.conn.execute("SELECT count(*) FROM teams").fetchone()[0] == 0


def test_library_tab_adds_to_the_selected_session(qtbot, window, monkeypatch):
    pytest.importorskip("annotator.ui.library_view")
    win, session_id = window
    paper = win.lib.conn.execute("INSERT INTO papers (title, title_key) VALUES ('BERT', 'bert')").lastrowid
    win.tabs.setCurrentWidget(win.library_view)
    win.library_view.add_to_session_requested.emit([paper])
    settle(qtbot, win.runner)
    assert win.tabs.currentWidget() is win.workspace
    assert [r["title"] for r in queries.session_readings(win.lib.conn, session_id)][-1] == "BERT"


def test_ctrl_f_focuses_a_search_box(qtbot, window):
    win, _ = window
    win.find_action.trigger()
    assert win.tabs.currentWidget() is win.workspace
    assert win.focusWidget() is win.sessions.filter


def test_the_library_add_button_names_the_session_the_papers_go_to(qtbot, window):
    """"Add to session…" added to whichever session the Sessions tab had selected, without saying which."""
    win, session_id = window
    editing.add_reading(win.lib, session_id, paper=Paper("BERT"))
    win.apply_changes(None)
    view = win.library_view
    win.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    view.table.selectRow(0)
    assert view.add_button.text() == "Add to S0-L1"
    view.table.selectAll()
    assert view.add_button.text() == "Add 2 to S0-L1"
    _, other = editing.new_session(win.lib, "Spring", "R&D", "Research")
    win.apply_changes(None)
    win.sessions.select_session(other)
    assert view.add_button.text() == "Add 2 to R&&D"  # (an & shown as it is, not a shortcut)


def test_a_long_session_id_on_the_add_button_does_not_widen_the_window(qtbot, window):
    """A post named after its whole title ("2024-04-02-agents-and-memory-…") is its session's id: the Add
    button shortens it (whole in its tooltip) instead of making the window wider than a laptop screen."""
    win, _ = window
    code = "2024-04-02-" + "agents-and-memory-" * 6 + "S0-L29"
    _, long_id = editing.new_session(win.lib, "Spring", code, "Long")
    editing.add_reading(win.lib, long_id, paper=Paper("BERT"))
    win.apply_changes(None)
    win.sessions.select_session(long_id)
    view = win.library_view
    win.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() >= 1)
    view.table.selectRow(0)
    text = view.add_button.text()
    assert text.startswith("Add to 2024-04") and "…" in text and text.endswith("S0-L29")
    assert code in view.add_button.toolTip()
    assert win.minimumSizeHint().width() < 1000
