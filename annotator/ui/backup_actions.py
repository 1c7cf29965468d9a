"""File ▸ Back Up Library Now and Restore from Backup…: the GUI side of store/backups.py and store/restoring.py."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow

from annotator.store import backups, restoring
from annotator.store.library import Library
from annotator.ui.file_dialogs import choose_file
from annotator.ui.operation_runner import OperationRunner
from annotator.ui.plain_text import ask


class LibraryBackups(QObject):
    """Two actions: a verified backup written off the GUI thread, and a confirmed restore."""

    restored = Signal()  # the library's content was replaced: every view and the undo history are stale

    def __init__(self, window: QMainWindow, lib: Library, runner: OperationRunner):
        super().__init__(window)
        self._window = window
        self._lib = lib
        self._runner = runner
        self._backing_up = False
        self.backup_action = QAction("&Back Up Library Now", self)
        self.backup_action.setToolTip("Write a verified copy of the library into its backups folder")
        self.backup_action.triggered.connect(self.back_up)
        self.restore_action = QAction("&Restore from Backup…", self)
        self.restore_action.setToolTip("Replace the library with a backup (the current library is backed up first)")
        self.restore_action.triggered.connect(self.choose_and_restore)

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 10000)

    def back_up(self) -> None:
        """Write a backup off the GUI thread; the status bar says where it went."""
        if self._backing_up:
            return
        self._backing_up = True
        path = Path(self._lib.path)
        self._runner.query_op(self._window, lambda conn, _task: backups.make_backup(conn, path, "manual"),
                              lambda written: self._status(f"Backup written: {written}"), title="Back up") \
            .after(self._backed_up).run_in_background()

    def _backed_up(self) -> None:
        self._backing_up = False

    def choose_and_restore(self) -> None:
        folder = backups.backup_dir(Path(self._lib.path))
        name = choose_file(self._window, "Restore from Backup", str(folder),
                           "annotator libraries (*.sqlite);;All files (*)")
        if name:
            self.restore(Path(name))

    def restore(self, source: Path) -> bool:
        """Ask, then replace the library with SOURCE (`restored` fires when done); True when it was asked for."""
        if not ask(self._window, "Restore from Backup",
                   f"Replace the whole library with the backup\n{source.name}?\n\n"
                   "The library as it is now is backed up first, so this can be reversed by restoring that copy."):
            return False

        def restored(safety: Path) -> None:
            self.restored.emit()
            self._status(f"Restored {source.name}; the library before it is in {safety.name}")

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self._runner.collection_op(self._window, lambda lib, _task: (None, restoring.restore_backup(lib, source)),
                                   title="Restore from Backup") \
            .success(restored).after(QGuiApplication.restoreOverrideCursor).run_in_background()
        return True
