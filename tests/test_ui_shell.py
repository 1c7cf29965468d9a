"""Libraries (File ▸ New Library…, Open Library…, Open Recent), the toolbar and About (issue 16)."""

from __future__ import annotations

import os
import sqlite3
from importlib import metadata
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.library import open_library
from annotator.ui import app as app_module
from annotator.ui import library_files
from annotator.ui.main_window import MainWindow
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def library(tmp_path):
    """Course C with session S1 holding one reading (the `window` fixture's library)."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, session = editing.new_session(lib, "C", "S1", "One", "2024-01-10")
    editing.add_reading(lib, session, paper=Paper("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"))
    yield lib
    lib.close()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def first(qtbot, library, settings):
    """A window on `library` that a switch may replace; every window a switch opened is closed afterwards."""
    win = MainWindow(library, settings, poll_interval_ms=100)
    win.show()
    yield win
    for window in [win, *library_files.switched_windows()]:
        if shiboken6.isValid(window):
            window.close()
            window.deleteLater()
        window.lib.close()
    library_files._switched_windows.clear()


def pick_in_file_dialog(monkeypatch, path) -> None:
    """The next file dialog returns PATH as if the user chose it."""
    def exec_(dialog):
        dialog.selectFile(str(path))
        return QFileDialog.DialogCode.Accepted
    monkeypatch.setattr(QFileDialog, "exec", exec_)


def messages(monkeypatch, kind: str) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda *args: shown.append(args[2])))
    return shown


def test_new_library_creates_the_file_and_the_window_shows_it(qtbot, monkeypatch, tmp_path, first):
    target = tmp_path / "courses" / "spring.sqlite"
    target.parent.mkdir()
    pick_in_file_dialog(monkeypatch, target)
    first.library_files.new_action.trigger()
    new = library_files.switched_windows()[-1]
    assert target.is_file()
    assert new.windowTitle() == "spring.sqlite" and new.windowFilePath() == str(target)
    assert new.isVisible() and not first.isVisible()
    assert new.pages.currentWidget() is new.welcome  # an empty library starts at the welcome page
    with pytest.raises(sqlite3.ProgrammingError):  # the library the old window had is closed
        first.lib.conn.execute("SELECT 1")
    settle(qtbot, new.runner)  # (its daily backup)
    assert library_files.recent_libraries(new.settings)[:2] == [str(target), str(tmp_path / "library.sqlite")]


def test_new_library_never_replaces_a_file(monkeypatch, tmp_path, first):
    existing = tmp_path / "notes.sqlite"
    existing.write_bytes(b"my notes")
    shown = messages(monkeypatch, "warning")
    pick_in_file_dialog(monkeypatch, existing)
    first.library_files.new_action.trigger()
    assert existing.read_bytes() == b"my notes"
    assert len(shown) == 1 and "already exists" in shown[0]
    assert first.isVisible() and library_files.switched_windows() == []


@pytest.mark.parametrize("content", ["text", "other application", "newer annotator"])
def test_open_library_on_a_file_that_is_no_library_keeps_the_current_one(monkeypatch, tmp_path, first, content):
    bad = tmp_path / "other.sqlite"
    if content == "text":
        bad.write_bytes(b"this is not SQLite\n" * 200)
    else:
        with sqlite3.connect(bad) as conn:  # (not the library: a file of the test's own)
            conn.execute("CREATE TABLE contacts (name TEXT)" if content == "other application" else "PRAGMA user_version = 999")
        conn.close()
    before = bad.read_bytes()
    shown = messages(monkeypatch, "critical")
    monkeypatch.setattr(library_files, "choose_file", lambda *args: str(bad))
    assert first.library_files.open_action.shortcut() == QKeySequence("Ctrl+O")
    first.library_files.open_action.trigger()
    assert len(shown) == 1 and str(bad) in shown[0] and "stays open" in shown[0]
    assert bad.read_bytes() == before
    assert first.isVisible() and library_files.switched_windows() == []
    assert first.lib.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


@pytest.mark.parametrize("side", ["-shm", "-wal"])
def test_open_library_on_the_open_librarys_own_side_file_keeps_its_locks(monkeypatch, tmp_path, first, side):
    """With "All files" shown, library.sqlite-shm is one click away: opening it (even to refuse it) would close a
    descriptor of a file this process holds SQLite's locks on, and lose them."""
    picked = tmp_path / f"library.sqlite{side}"
    assert picked.exists() and first.lib.sharing.problem() is None
    shown = messages(monkeypatch, "critical")
    monkeypatch.setattr(library_files, "choose_file", lambda *args: str(picked))
    first.library_files.open_action.trigger()
    assert len(shown) == 1 and str(picked) in shown[0] and "stays open" in shown[0]
    assert first.lib.sharing.problem() is None  # still holding its locks: another process may share the library
    assert first.isVisible() and library_files.switched_windows() == []


@pytest.mark.parametrize("link", [Path.symlink_to, Path.hardlink_to])
def test_open_library_on_a_link_to_the_open_library_stays_in_this_window(monkeypatch, tmp_path, first, link):
    other_name = tmp_path / "same.sqlite"
    link(other_name, tmp_path / "library.sqlite")
    monkeypatch.setattr(library_files, "choose_file", lambda *args: str(other_name))
    first.library_files.open_action.trigger()
    assert first.statusBar().currentMessage() == f"{other_name} is the library open in this window"
    assert first.isVisible() and library_files.switched_windows() == []


def test_open_recent_lists_libraries_most_recent_first_and_opens_one(qtbot, tmp_path, settings, first):
    other = tmp_path / "2023" / "library.sqlite"
    other.parent.mkdir()
    open_library(other, daily_backup=False).close()
    gone = tmp_path / "gone.sqlite"
    for path in (gone, other):
        library_files.remember_library(settings, str(path))
    menu = first.library_files.recent_menu
    menu.aboutToShow.emit()
    entries = [a for a in menu.actions() if a.data()]
    assert [a.data() for a in entries] == [str(other), str(gone), str(tmp_path / "library.sqlite")]
    assert [a.isEnabled() for a in entries] == [True, False, True]  # a missing file cannot be chosen
    assert [a.isChecked() for a in entries] == [False, False, True]  # the library open now
    entries[0].trigger()
    new = library_files.switched_windows()[-1]
    assert Path(new.lib.path) == other
    # Two libraries named library.sqlite: the title says which folder.
    assert new.windowTitle() == f"library.sqlite ({other.parent})"
    settle(qtbot, new.runner)
    clear = [a for a in new.library_files.recent_menu.actions() if a.text() == "&Clear Menu"][0]
    clear.trigger()
    new.library_files.recent_menu.aboutToShow.emit()
    assert [a.data() for a in new.library_files.recent_menu.actions() if a.data()] == [str(other)]


def test_open_recent_shows_a_folder_with_an_ampersand_or_markup_in_its_name_as_it_is(tmp_path, settings, first):
    folder = tmp_path / "R&D <b>2024"
    folder.mkdir()
    other = folder / "library.sqlite"
    open_library(other, daily_backup=False).close()
    library_files.remember_library(settings, str(other))
    menu = first.library_files.recent_menu
    menu.aboutToShow.emit()
    entry = next(a for a in menu.actions() if a.data() == str(other))
    assert entry.iconText() == f"1 library.sqlite — {folder}"  # the text the menu shows (no "&D" shortcut)
    tip = QTextDocument()
    tip.setHtml(entry.toolTip()) if GuiQt.mightBeRichText(entry.toolTip()) else tip.setPlainText(entry.toolTip())
    assert tip.toPlainText() == str(other)  # not "R&D 2024", 2024 in bold


def test_toolbar_has_the_actions_enabled_as_in_the_menus(qtbot, window):
    toolbar = window.toolbar
    actions = toolbar.actions()
    assert [a.iconText() for a in actions] == ["Import", "Export", "Sync", "Undo", "Redo", "Search"]
    assert actions == [window.import_action, window.export_session_action, window.site.sync_action,
                       window.undo_action, window.redo_action, window.find_action]
    assert all(not a.icon().isNull() for a in actions)
    button = {a.iconText(): toolbar.widgetForAction(a) for a in actions}
    assert not button["Undo"].isEnabled() and not button["Sync"].isEnabled()  # nothing to undo; no site linked
    session_id = window.lib.conn.execute("SELECT id FROM sessions").fetchone()[0]
    window.show_session(session_id)
    assert button["Export"].isEnabled() == window.export_session_action.isEnabled() is True
    with qtbot.waitSignal(window.runner.changed):
        window.runner.edit(editing.edit_session, session_id, title="First").run_in_background()
    assert button["Undo"].isEnabled()
    button["Undo"].click()
    settle(qtbot, window.runner)
    assert window.lib.conn.execute("SELECT title FROM sessions").fetchone()[0] == "One"
    button["Search"].click()
    assert window.sessions.filter.hasFocus()


def test_about_names_version_library_licence_and_project_link(monkeypatch, window):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    window.about_action.trigger()
    text = shown[0]
    assert metadata.version("annotator") in text
    assert str(window.lib.path) in text
    assert "MIT" in text
    assert "no public project page" in text  # the package names none: said, not invented


def test_quitting_after_a_switch_closes_the_library_open_then(qtbot, monkeypatch, tmp_path):
    second = tmp_path / "second.sqlite"
    test_settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    init = MainWindow.__init__
    monkeypatch.setattr(MainWindow, "__init__", lambda self, lib, settings=None, poll_interval_ms=1000:
                        init(self, lib, test_settings, poll_interval_ms))

    def use_the_app(app) -> int:
        first = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        new = first.library_files.create(str(second))
        settle(qtbot, new.runner)
        assert (tmp_path / "second.sqlite-wal").exists()  # open, in WAL mode
        new.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", use_the_app)
    try:
        assert app_module.run_app(str(tmp_path / "library.sqlite")) == 0
    finally:
        library_files._switched_windows.clear()
    # SQLite removes the WAL when the last connection closes: both libraries were closed.
    assert not (tmp_path / "second.sqlite-wal").exists() and not (tmp_path / "library.sqlite-wal").exists()


def test_a_library_in_a_folder_whose_name_is_not_utf8_is_not_listed_as_another(qtbot, tmp_path, settings, first):
    """Settings keep text only: b"R\\xe9union" came back as "Runion", an entry for a library that is not there
    (or, worse, for another one); such a library is left out of Open Recent instead."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/R\xe9union"))
    folder.mkdir()
    with open_library(folder / "library.sqlite", daily_backup=False) as lib:
        window = MainWindow(lib, settings, poll_interval_ms=100)
        qtbot.addWidget(window)
        window.library_files.recent_menu.aboutToShow.emit()
        listed = [a.data() for a in window.library_files.recent_menu.actions() if a.data()]
        assert listed == [str(tmp_path / "library.sqlite")]
        window.close()
