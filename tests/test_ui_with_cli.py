"""The app and the `annotator` command on one library at once: both writes land, the app shows the CLI's."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings

from annotator.store import editing, queries
from annotator.store.library import open_library
from annotator.ui.main_window import MainWindow
from tests.ui_helpers import edit, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_gui_and_cli_write_at_once_and_the_gui_shows_the_cli_change(qtbot, tmp_path):
    path = tmp_path / "library.sqlite"
    lib = open_library(path)
    _, session_id = editing.new_session(lib, "Course", "S1", "Shared session")
    _, reading_id = editing.add_reading(lib, session_id, paper=editing.Paper("A paper", "https://arxiv.org/abs/2401.00001"))
    window = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), poll_interval_ms=100)
    qtbot.addWidget(window)
    window.show()
    cli = [sys.executable, "-m", "annotator", "--db", str(path)]
    commands = [subprocess.Popen([*cli, "new-session", f"Course/CLI{n}", "--title", f"From the CLI {n}"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(3)]
    for number in range(20):  # the GUI keeps writing while the commands run
        window.runner.edit(editing.edit_reading, reading_id, notes=f"GUI note {number}").run_in_background()
    settle(qtbot, window.runner, timeout=60000)
    outputs = [c.communicate(timeout=60) for c in commands]
    assert [c.returncode for c in commands] == [0, 0, 0], outputs
    assert not any("locked" in err for _, err in outputs)
    assert queries.session_readings(lib.conn, session_id)[0]["notes"] == "GUI note 19"
    model = window.sessions.model

    def cli_sessions_shown() -> bool:
        ids = [s["row_id"] for s in queries.list_sessions(lib.conn) if s["id"].startswith("CLI")]
        return len(ids) == 3 and all(model.session_index(i).isValid() for i in ids)

    qtbot.waitUntil(cli_sessions_shown, timeout=10000)
    window.close()
    lib.close()


def test_typing_survives_a_change_made_elsewhere(qtbot, tmp_path):
    path = tmp_path / "library.sqlite"
    lib = open_library(path)
    _, first = editing.new_session(lib, "Course", "S1", "Typed here")
    editing.new_session(lib, "Course", "S2", "Changed elsewhere")
    window = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), poll_interval_ms=50)
    qtbot.addWidget(window)
    window.show()
    window.show_session(first)
    window.centre.setCurrentWidget(window.session_editor)
    title = window.session_editor.title
    title.setFocus()
    qtbot.waitUntil(title.hasFocus)
    title.selectAll()
    qtbot.keyClicks(title, "Half-typed new title")
    other = open_library(path, daily_backup=False)
    editing.edit_session(other, queries.resolve_session(other.conn, "S2"), title="Renamed by the CLI")
    other.close()
    model = window.sessions.model
    course = model.index(0, 0)
    qtbot.waitUntil(lambda: any(model.data(model.index(r, 2, course)) == "Renamed by the CLI" for r in range(2)),
                    timeout=5000)
    assert title.text() == "Half-typed new title"
    window.close()
    lib.close()


def test_a_full_disk_during_an_edit_is_a_message_not_a_crash(qtbot, tmp_path, monkeypatch):
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    lib = open_library(tmp_path / "library.sqlite")
    _, session_id = editing.new_session(lib, "Course", "S1", "Title")
    window = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))

    def full_disk(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    assert edit(qtbot, window.runner, full_disk, session_id) is None
    assert shown == [f"{lib.path}: the disk is full (database or disk is full); nothing was changed"]
    window.close()
    lib.close()
