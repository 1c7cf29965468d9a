"""Export preview, crash report, import report."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton

from annotator.errors import AnnotatorError
from annotator.store.exporting import ExportResult
from annotator.store.importing import FileResult
from annotator.ui import dialogs
from annotator.ui.theme import diff_colours

DIFF = "--- a/S0-L1.md\n+++ b/S0-L1.md\n@@ -1,2 +1,3 @@\n title: x\n-video: \n+video: team-3\n+  + Team: <b>\n"


def test_export_preview_shows_colored_diff(qtbot):
    results = [ExportResult("C/S0-L0", "/site/S0-L0.md", "unchanged"),
               ExportResult("C/S0-L1", "/site/S0-L1.md", "updated", DIFF)]
    dialog = dialogs.ExportPreviewDialog(results, "/site")
    qtbot.addWidget(dialog)
    assert dialog.files.currentRow() == 1  # the first file that changes
    assert dialog.diff_view.toPlainText() == DIFF  # shown as text, never interpreted
    colours = [s.format.background().color().name() for s in dialog.diff_view.extraSelections()]
    tints = {kind: colour.name() for kind, colour in diff_colours(dialog.diff_view.palette()).items()}
    assert colours == [tints["@"], tints["-"], tints["+"], tints["+"]]  # hunk, removed, added, added
    assert dialog.write_button.isEnabled()
    assert dialog.diff_view.font().fixedPitch() or dialog.diff_view.font().styleHint()
    dialog.files.setCurrentRow(0)
    assert "unchanged" in dialog.diff_view.toPlainText()


def test_export_preview_with_nothing_to_write(qtbot):
    dialog = dialogs.ExportPreviewDialog([ExportResult("C/S0-L0", "/site/S0-L0.md", "unchanged")], "/site")
    qtbot.addWidget(dialog)
    assert not dialog.write_button.isEnabled()


def test_import_report_lists_every_error(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: shown.append(args[1:])))
    ok = FileResult("a.md", kind="session_post", session="C/a", readings=3, papers_new=3)
    bad = FileResult("b.md", error="b.md: line 4: YAML error in front matter")
    assert dialogs.show_import_report(None, [ok]) is False
    assert dialogs.show_import_report(None, [ok, bad]) is True
    assert len(shown) == 1 and "b.md: line 4: YAML error" in shown[0][1]
    assert dialogs.import_summary([ok, bad]) == (
        "Imported 1 of 2 files: 1 sessions, 0 paper lists, 3 new papers; 1 failed")


def test_excepthook_user_mistake_is_a_message(monkeypatch):
    shown, crashes = [], []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: shown.append(args[2])))
    monkeypatch.setattr(dialogs, "show_crash_report", lambda report, parent=None: crashes.append(report))
    hook = dialogs.make_excepthook()
    error = AnnotatorError("bad thing", "x.md", 3)
    hook(AnnotatorError, error, None)
    assert shown == ["x.md: line 3: bad thing"] and not crashes
    try:
        raise ValueError("a real bug")
    except ValueError:
        hook(*sys.exc_info())
    assert len(crashes) == 1 and "ValueError: a real bug" in crashes[0] and "Traceback" in crashes[0]


def test_crash_dialog_copy(qtbot):
    dialog = dialogs.CrashReportDialog("Traceback (most recent call last):\nValueError: x")
    qtbot.addWidget(dialog)
    assert dialog.report.isReadOnly()
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Copy").click()
    assert "ValueError: x" in QGuiApplication.clipboard().text()


@pytest.mark.parametrize("title,url,ok", [("T", "", True), ("", "https://arxiv.org/abs/1", True),
                                          ("", "", False), ("T", "ftp://x", False)])
def test_new_paper_dialog_validates(qtbot, monkeypatch, title, url, ok):
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: None))
    dialog = dialogs.NewPaperDialog()
    qtbot.addWidget(dialog)
    dialog.title.setText(title)
    dialog.url.setText(url)
    dialog.accept()
    assert (dialog.result() == dialogs.NewPaperDialog.DialogCode.Accepted) is ok
    if ok:
        assert dialog.paper().title == (title or url)
