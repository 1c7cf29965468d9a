"""The main window as a user drives it: import, edit a reading, undo, export, welcome page, polling."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox

from annotator.store import editing, queries
from annotator.store.library import open_library
from tests.conftest import DATA, seed_path

pytest.importorskip("annotator.formats.detect")
from annotator.ui import backup_actions, import_export
from annotator.ui.dialogs import ExportPreviewDialog
from annotator.ui.main_window import MainWindow
from tests.ui_helpers import settle

# The offscreen platform cannot resize windows to their size hints and says so once per window.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def library(tmp_path):
    lib = open_library(tmp_path / "library.sqlite")
    yield lib
    lib.close()


@pytest.fixture
def message_boxes(monkeypatch):
    """Every QMessageBox.warning/information/question shown, as (title, text); questions answer Yes."""
    shown: list[tuple[str, str]] = []

    def fake(kind, answer=QMessageBox.StandardButton.Ok):
        def show(parent, title, text, *args, **kwargs):
            shown.append((title, text))
            return answer
        return staticmethod(show)

    monkeypatch.setattr(QMessageBox, "warning", fake("warning"))
    monkeypatch.setattr(QMessageBox, "information", fake("information"))
    monkeypatch.setattr(QMessageBox, "question", fake("question", QMessageBox.StandardButton.Yes))
    return shown


def import_through_menu(qtbot, window, monkeypatch, *paths: Path) -> object:
    """File ▸ Import… with the file dialog answering PATHS; returns the import outcome."""
    monkeypatch.setattr(import_export, "choose_files", lambda *args: [str(p) for p in paths])
    with qtbot.waitSignal(window.import_finished, timeout=30000) as blocker:
        window.import_action.trigger()
    return blocker.args[0]


def test_import_folder_takes_a_folder_and_its_subfolders_in_one_step(qtbot, window, monkeypatch, tmp_path,
                                                                   message_boxes):
    """The file dialog picks files only: a course's folder of posts is imported by File ▸ Import Folder…"""
    posts = tmp_path / "GenAI 2025"
    (posts / "week2").mkdir(parents=True)
    shutil.copy(DATA / "session_quirks.md", posts / "S1.md")
    shutil.copy(DATA / "session_quirks.md", posts / "week2" / "S2.md")
    monkeypatch.setattr(import_export, "choose_folder", lambda *args: str(posts))
    assert window.import_folder_action.shortcut() == QKeySequence("Ctrl+Shift+I")
    with qtbot.waitSignal(window.import_finished, timeout=30000) as blocker:
        window.import_folder_action.trigger()
    assert [r.error for r in blocker.args[0].results] == ["", ""]
    assert sorted(s["id"] for s in queries.list_sessions(window.lib.conn)) == ["S1", "S2"]
    assert window.runner.history.stack.count() == 1
    assert window.import_folder_action in window.menuBar().actions()[0].menu().actions()


def seed_session(window) -> int:
    return queries.resolve_session(window.lib.conn, "seeds/" + seed_path(0).stem)


def test_import_seed_shows_session_and_readings(qtbot, window, monkeypatch, message_boxes):
    assert window.import_action.shortcut() == QKeySequence("Ctrl+I")
    outcome = import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    assert [r.error for r in outcome.results] == [""]
    assert not message_boxes
    assert window.pages.currentWidget() is window.tabs
    session_id = seed_session(window)
    assert window.sessions.selected_session() == session_id  # the new session is selected
    index = window.sessions.tree.currentIndex()
    assert index.siblingAtColumn(2).data() == "Domain Centered FMs"
    model = window.readings.model
    assert model.rowCount() == 9
    assert model.index(0, 1).data() == "BloombergGPT: A Large Language Model for Finance"
    assert "Imported 1 of 1 files" in window.statusBar().currentMessage()
    assert window.runner.history.stack.undoText().startswith("Import")


def test_edit_reading_then_undo(qtbot, window, monkeypatch, message_boxes):
    import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    session_id = seed_session(window)
    window.readings.select_reading(window.readings.model.reading_ids()[0])
    editor = window.reading_editor
    assert editor.title.text() == "BloombergGPT: A Large Language Model for Finance"
    assert "https://arxiv.org/abs/2303.17564" in editor.link.text()

    ops_before = window.lib.conn.execute("SELECT count(*) FROM operations").fetchone()[0]
    editor.notes.setFocus()
    qtbot.keyClicks(editor.notes, "Finance **LLM**")  # one burst of typing: one operation
    qtbot.waitUntil(lambda: queries.session_detail(window.lib.conn, session_id)["readings"][0]["notes"]
                    == "Finance **LLM**", timeout=3000)
    ops_after = window.lib.conn.execute("SELECT count(*) FROM operations").fetchone()[0]
    assert ops_after == ops_before + 1
    assert "<strong>LLM</strong>" in editor.preview.sanitized_html

    qtbot.keyClicks(editor.team.lineEdit(), "team-3")
    qtbot.keyClick(editor.team.lineEdit(), Qt.Key.Key_Return)
    editor.video_url.setText("https://youtu.be/abc123")
    qtbot.mouseClick(editor.add_video_button, Qt.MouseButton.LeftButton)
    editor.video_url.setText("javascript:alert(1)")
    qtbot.mouseClick(editor.add_video_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window.runner)
    assert message_boxes == [] and "not a web link" in editor.video_problem.message  # said at the field

    first = queries.session_detail(window.lib.conn, session_id)["readings"][0]
    assert (first["team"], first["videos"], first["notes"]) == ("team-3", ["https://youtu.be/abc123"], "Finance **LLM**")
    assert window.readings.model.index(0, 2).data() == "team-3"
    assert window.readings.model.index(0, 4).data() == "yes"
    try:
        from annotator.store.exporting import render_stored_session

        text = render_stored_session(window.lib.conn, session_id)[1]
    except ImportError:
        text = None  # the post writer is not in this build
    if text is not None:
        assert "+ Team: team-3" in text
        assert "+ Video: https://youtu.be/abc123" in text
        assert "Finance **LLM**" in text

    assert window.undo_action.shortcut() == QKeySequence("Ctrl+Z")
    assert window.undo_action.text() == "&Undo Add video to 'BloombergGPT: A Large Language Model fo…'"
    window.undo_action.trigger()  # the video
    window.undo_action.trigger()  # the team (queued behind the first: undone in order)
    settle(qtbot, window.runner)
    first = queries.session_detail(window.lib.conn, session_id)["readings"][0]
    assert (first["team"], first["videos"]) == ("", [])
    assert editor.team.currentText() == ""
    assert editor.videos.count() == 0
    window.redo_action.trigger()
    settle(qtbot, window.runner)
    assert queries.session_detail(window.lib.conn, session_id)["readings"][0]["team"] == "team-3"
    assert editor.team.currentText() == "team-3"


def test_undo_after_the_library_changed_elsewhere_clears_history(qtbot, window, monkeypatch, message_boxes):
    import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    session_id = seed_session(window)
    window.session_editor.title.setText("Renamed here")
    window.session_editor.title.editingFinished.emit()
    settle(qtbot, window.runner)
    with open_library(window.lib.path, daily_backup=False) as cli:
        editing.edit_session(cli, session_id, title="Renamed by the CLI")
    window.undo_action.trigger()
    settle(qtbot, window.runner)
    assert "library changed" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.runner.history.stack.count() == 0, timeout=2000)
    assert queries.session_detail(window.lib.conn, session_id)["title"] == "Renamed by the CLI"


def test_change_by_another_process_is_picked_up(qtbot, window, monkeypatch, message_boxes):
    import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    session_id = seed_session(window)
    window.readings.select_reading(window.readings.model.reading_ids()[1])
    with open_library(window.lib.path, daily_backup=False) as cli:
        editing.edit_session(cli, session_id, title="Changed by the CLI")
        reading_id = window.readings.model.reading_ids()[1]
        editing.edit_reading(cli, reading_id, team="team-5")
    qtbot.waitUntil(lambda: window.sessions.tree.currentIndex().siblingAtColumn(2).data() == "Changed by the CLI",
                    timeout=5000)
    qtbot.waitUntil(lambda: window.reading_editor.team.currentText() == "team-5", timeout=5000)
    assert window.readings.model.index(1, 2).data() == "team-5"


def test_bad_file_import_names_file_and_line(qtbot, window, monkeypatch, message_boxes, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("---\nlayout: post\ntitle: [unclosed\nvideo: team-1\n---\n\n## Readings:\n\n### A\n", "utf-8")
    outcome = import_through_menu(qtbot, window, monkeypatch, bad, seed_path(0))
    assert len(message_boxes) == 1
    title, text = message_boxes[0]
    assert title == "Import problems"
    assert f"{bad}: line 4:" in text
    assert "1 failed" in window.statusBar().currentMessage()
    assert [bool(r.error) for r in outcome.results] == [True, False]
    assert window.readings.model.rowCount() == 9  # the good file still came in, and is shown


def test_cancelled_import_keeps_nothing(qtbot, window, monkeypatch, message_boxes):
    monkeypatch.setattr("annotator.ui.operation_runner.Task.cancelled", lambda self: True)
    outcome = import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    assert outcome.results == [] and outcome.changes is None
    assert window.lib.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert window.pages.currentWidget() is window.welcome
    assert "Cancelled" in window.statusBar().currentMessage()


def test_welcome_page_and_sample_session(qtbot, window, message_boxes):
    assert window.pages.currentWidget() is window.welcome
    assert not window.welcome.library_button.isVisible()
    with qtbot.waitSignal(window.import_finished, timeout=30000):
        qtbot.mouseClick(window.welcome.sample_button, Qt.MouseButton.LeftButton)
    assert not message_boxes
    assert window.pages.currentWidget() is window.tabs
    session_id = queries.resolve_session(window.lib.conn, "Sample/sample-session")
    assert window.sessions.selected_session() == session_id
    assert window.readings.model.rowCount() == 3
    detail = queries.session_detail(window.lib.conn, session_id)
    assert detail["readings"][0]["team"] and detail["readings"][0]["videos"] and detail["readings"][0]["notes"]
    window.show_welcome()
    assert window.pages.currentWidget() is window.welcome
    assert window.welcome.recent.count() == 1
    assert "Sample/sample-session" in window.welcome.recent.item(0).text()


def test_export_session_with_preview(qtbot, window, monkeypatch, message_boxes, tmp_path):
    pytest.importorskip("annotator.formats.post_writer")
    import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    out = tmp_path / "site"
    out.mkdir()
    monkeypatch.setattr(import_export, "choose_folder", lambda *args: str(out))
    previews = []

    def accept(dialog):
        previews.append([(r.status, r.diff) for r in dialog.results])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ExportPreviewDialog, "exec", accept)
    with qtbot.waitSignal(window.transfers.exported, timeout=10000) as blocker:
        window.export_session_action.trigger()
    assert previews[0][0][0] == "created" and previews[0][0][1].startswith("--- a/")
    assert [r.status for r in blocker.args[0]] == ["created"]
    written = Path(blocker.args[0][0].path)
    assert written.parent == out
    assert written.read_bytes() == seed_path(0).read_bytes()  # unedited: the same bytes
    assert "1 created" in window.statusBar().currentMessage()


def test_new_and_delete_session_with_undo(qtbot, window, monkeypatch, message_boxes):
    from annotator.ui.session_list import NewSessionDialog

    def fill(dialog):
        dialog.course.setCurrentText("2024 Spring")
        dialog.code.setText("S0-L29")
        dialog.title.setText("Agents")
        dialog.date.setText("2024-04-02")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewSessionDialog, "exec", fill)
    window.new_session_action.trigger()
    settle(qtbot, window.runner)
    session_id = queries.resolve_session(window.lib.conn, "2024 Spring/S0-L29")
    assert window.sessions.selected_session() == session_id
    assert window.pages.currentWidget() is window.tabs
    assert json.loads(window.lib.conn.execute(
        "SELECT front_matter FROM sessions WHERE id = ?", (session_id,)).fetchone()[0])["title"] == "Agents"
    window.sessions.tree.setFocus()
    window.delete_action.trigger()
    settle(qtbot, window.runner)
    assert message_boxes and message_boxes[-1][0] == "Delete session"
    assert window.lib.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert window.readings.model.session_id is None
    window.undo_action.trigger()
    settle(qtbot, window.runner)
    assert window.lib.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    assert window.sessions.model.session_index(session_id).isValid()


def test_settings_remember_last_session(qtbot, library, tmp_path, monkeypatch, message_boxes):
    settings_path = str(tmp_path / "settings.ini")
    _, session_id = editing.new_session(library, "Course", "S1", "One")
    editing.new_session(library, "Course", "S2", "Two")
    assert selected_after_reopening(qtbot, library, settings_path, session_id) == session_id


def selected_after_reopening(qtbot, lib, settings_path: str, session_id: int) -> int | None:
    """Select SESSION_ID in a window on LIB and close it: the session a new window on LIB selects."""
    first = MainWindow(lib, QSettings(settings_path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.sessions.select_session(session_id)
    first.close()
    again = MainWindow(lib, QSettings(settings_path, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    selected = again.sessions.selected_session()
    again.close()
    return selected


def test_the_last_session_of_one_library_is_not_selected_in_another(qtbot, library, tmp_path, message_boxes):
    """Session ids are per library: id 2 of library A is some other session of library B (or none)."""
    settings_path = str(tmp_path / "settings.ini")
    editing.new_session(library, "Course", "S1", "One")
    _, second_id = editing.new_session(library, "Course", "S2", "Two")
    first = MainWindow(library, QSettings(settings_path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.sessions.select_session(second_id)
    first.close()
    with open_library(tmp_path / "other.sqlite", daily_backup=False) as other:
        editing.new_session(other, "Elsewhere", "X1", "Unrelated")
        _, same_id = editing.new_session(other, "Elsewhere", "X2", "Also unrelated")
        assert same_id == second_id
        window = MainWindow(other, QSettings(settings_path, QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        assert window.sessions.selected_session() is None
        window.close()


def test_the_last_session_is_remembered_in_a_folder_whose_name_is_not_utf8(qtbot, tmp_path, message_boxes):
    """A library kept in a folder named in Latin-1 (b"R\\xe9union") opens on its last session like any other."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/R\xe9union"))
    folder.mkdir()
    with open_library(folder / "library.sqlite", daily_backup=False) as lib:
        editing.new_session(lib, "Course", "S1", "One")
        _, second_id = editing.new_session(lib, "Course", "S2", "Two")
        assert selected_after_reopening(qtbot, lib, str(tmp_path / "settings.ini"), second_id) == second_id


def test_daily_backup_is_written_in_the_background(qtbot, tmp_path):
    from annotator.store import backups
    from annotator.ui.main_window import MainWindow

    path = tmp_path / "library.sqlite"
    with open_library(path, daily_backup=False) as lib:
        editing.new_session(lib, "C", "S1", "One")
    lib = open_library(path, daily_backup=False)
    window = MainWindow(lib, settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=10000, check_params_cb=lambda m: "Daily" in m):
        window.start_daily_backup()
    assert len(backups.list_backups(path)) == 1
    window.close()
    lib.close()


def test_back_up_and_restore_from_the_file_menu(qtbot, tmp_path, monkeypatch):
    from annotator.store import backups
    from annotator.ui.main_window import MainWindow

    path = tmp_path / "library.sqlite"
    lib = open_library(path, daily_backup=False)
    editing.new_session(lib, "C", "S1", "Kept")
    window = MainWindow(lib, settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    menu_texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Back Up Library Now" in menu_texts and "&Restore from Backup…" in menu_texts
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=10000,
                          check_params_cb=lambda m: m.startswith("Backup written")):
        window.backups.backup_action.trigger()
    [backup] = backups.list_backups(path)
    _, later = editing.new_session(lib, "C", "S2", "Made after the backup")
    window.refresh_everything()
    assert window.sessions.model.session_index(later).isValid()
    monkeypatch.setattr(backup_actions, "choose_file", lambda *args: str(backup))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.backups.restored):
        window.backups.restore_action.trigger()
    assert [s["id"] for s in queries.list_sessions(lib.conn)] == ["S1"]
    assert not window.sessions.model.session_index(later).isValid()
    assert len(backups.list_backups(path)) == 2  # the library before the restore was kept
    window.close()
    lib.close()


def test_a_bad_video_link_on_a_laptop_screen_scrolls_its_message_into_view(qtbot, window, monkeypatch, message_boxes):
    window.resize(1256, 640)  # a laptop's window: with a long title and many authors the paper's form scrolls
    import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    first = window.readings.model.reading(0)
    window.runner.edit(editing.edit_paper, first["paper_id"], {  # a survey's long title and many authors
        "title": "A Comprehensive Survey of LLM Alignment Techniques: RLHF, RLAIF, PPO, DPO and More",
        "authors": "Zhichao Wang, Bin Bi, Shiva Kumar Pentyala, Kiran Ramnath, Sougata Chaudhuri, Shubham Mehrotra, "
                   "Zixu (James)Zhu, Xiang-Bo Mao, Sitaram Asur, Na (Claire)Cheng"}).run_in_background()
    settle(qtbot, window.runner)
    window.readings.select_reading(first["reading_id"])
    editor = window.reading_editor
    editor.video_url.setFocus()
    qtbot.keyClicks(editor.video_url, "ftp://youtube.com/watch?v=abc")
    qtbot.keyClick(editor.video_url, Qt.Key.Key_Return)
    settle(qtbot, window.runner)
    label = editor.video_problem.label
    assert "not a web link" in editor.video_problem.message
    # The message under the field is read without scrolling: the whole of it shows, not only the field's icon.
    qtbot.waitUntil(lambda: label.visibleRegion().boundingRect().height() == label.height(), timeout=3000)


def test_in_the_library_tab_the_status_bar_keeps_saying_what_was_undone(qtbot, window, monkeypatch, message_boxes):
    import_through_menu(qtbot, window, monkeypatch, seed_path(0))
    view = window.library_view
    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 9 and not view.is_loading())
    view.table.selectRow(0)
    paper_id = view.current_paper()
    window.runner.edit(editing.edit_paper, paper_id, {"authors": "Ada Lovelace"}).run_in_background()
    settle(qtbot, window.runner)
    window.undo()
    settle(qtbot, window.runner)
    qtbot.waitUntil(lambda: not view.is_loading() and "Ada Lovelace" not in view.detail.toHtml())
    # The table was re-read for the undo, but the same papers are shown: no "9 papers" over the undo's message.
    assert window.statusBar().currentMessage().startswith("Undid: ")
