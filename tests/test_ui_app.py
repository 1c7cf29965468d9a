"""Starting the app: a library that cannot be opened is one message and exit code 1."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.ui import app as app_module
from annotator.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_unopenable_library_is_one_message(qtbot, monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *args: shown.append(args[2])))
    bad = tmp_path / "not-a-library.sqlite"
    bad.write_bytes(b"this is not SQLite" * 100)
    assert app_module.run_app(str(bad)) == 1
    assert len(shown) == 1 and str(bad) in shown[0]


def test_run_app_shows_the_main_window(qtbot, monkeypatch, tmp_path):
    seen = []

    def fake_exec(self) -> int:
        seen.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        seen[0].close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setattr(MainWindow, "__init__", _with_test_settings(MainWindow.__init__, tmp_path))
    hook_before = sys.excepthook
    assert app_module.run_app(str(tmp_path / "library.sqlite")) == 0
    assert len(seen) == 1
    assert QApplication.instance().organizationName() == "annotator"
    assert sys.excepthook is hook_before  # restored after the window closed
    seen[0].deleteLater()


def _with_test_settings(init, tmp_path):
    """MainWindow.__init__ with settings in TMP_PATH (never the user's own)."""

    def wrapped(self, lib, settings=None, poll_interval_ms=1000):
        init(self, lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), poll_interval_ms)
    return wrapped
