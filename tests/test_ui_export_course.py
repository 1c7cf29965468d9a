"""Export Course in the window refuses what `annotator export --course` refuses, before writing anything."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from annotator.store import editing
from annotator.store.library import open_library
from annotator.ui import import_export
from annotator.ui.dialogs import ExportPreviewDialog
from annotator.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def window(qtbot, tmp_path):
    lib = open_library(tmp_path / "library.sqlite")
    win = MainWindow(lib, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    lib.close()


def test_two_sessions_for_one_posts_file_are_refused_and_nothing_is_written(qtbot, window, monkeypatch, tmp_path):
    # Two sessions of one course with the same date and title: in _posts both are 2024-03-01-agents.md.
    _, first = editing.new_session(window.lib, "2024 Spring", "S1", "Agents", "2024-03-01")
    editing.new_session(window.lib, "2024 Spring", "S2", "Agents", "2024-03-01")
    window.apply_changes(None)
    window.show_session(first)
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    monkeypatch.setattr(import_export, "choose_folder", lambda *args: str(posts))
    previews = []
    monkeypatch.setattr(ExportPreviewDialog, "exec",
                        lambda dialog: previews.append(dialog.results) or QDialog.DialogCode.Accepted)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: warnings.append(text)))

    window.export_course_action.trigger()
    qtbot.waitUntil(lambda: not window.transfers.busy(), timeout=20000)

    assert list(posts.iterdir()) == []
    assert not previews  # refused before the preview, like the command line
    assert len(warnings) == 1
    assert "2024 Spring/S1 and 2024 Spring/S2 would both be written to this file" in warnings[0]
    assert "2024-03-01-agents.md" in warnings[0]


def test_a_course_whose_sessions_fit_is_still_exported(qtbot, window, monkeypatch, tmp_path):
    _, first = editing.new_session(window.lib, "2024 Spring", "S1", "Agents", "2024-03-01")
    editing.new_session(window.lib, "2024 Spring", "S2", "Agents", "2024-03-08")
    window.apply_changes(None)
    window.show_session(first)
    posts = tmp_path / "_posts"
    monkeypatch.setattr(import_export, "choose_folder", lambda *args: str(posts))
    monkeypatch.setattr(ExportPreviewDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)

    with qtbot.waitSignal(window.transfers.exported, timeout=20000) as blocker:
        window.export_course_action.trigger()

    assert [r.status for r in blocker.args[0]] == ["created", "created"]
    assert sorted(p.name for p in posts.iterdir()) == ["2024-03-01-agents.md", "2024-03-08-agents.md"]
