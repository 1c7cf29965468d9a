"""File ▸ Back Up Library Now and Restore from Backup…: the GUI side of store/backups.py and store/restoring.py."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow

from annotator.errors import AnnotatorError
from annotator.store import backups, restoring
from annotator.store.library import Library
from annotator.ui.file_dialogs import choose_file
from annotator.ui.plain_text import ask, critical, warn
from annotator.ui.workers import LibraryJob


class LibraryBackups(QObject):
    """Two actions: a verified backup written off the GUI thread, and a confirmed restore."""

    restored = Signal()  # the library's content was replaced: every view and the undo history are stale

    def __init__(self, window: QMainWindow, lib: Library):
        super().__init__(window)
        self._window = window
        self._lib = lib
        self._job: LibraryJob | None = None
        self.backup_action = QAction("&Back Up Library Now", self)
        self.backup_action.setToolTip("Write a verified copy of the library into its backups folder")
        self.backup_action.triggered.connect(self.back_up)
        self.restore_action = QAction("&Restore from Backup…", self)
        self.restore_action.setToolTip("Replace the library with a backup (the current library is backed up first)")
        self.restore_action.triggered.connect(self.choose_and_restore)

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 10000)

    def back_up(self) -> None:
        """Write a backup in a worker thread; the status bar says where it went."""
        if self._job is not None and self._job.isRunning():
            return
        job = LibraryJob(Path(self._lib.path), lambda lib, _job: backups.make_backup(lib.conn, lib.path, "manual"), self)
        job.succeeded.connect(lambda path: self._status(f"Backup written: {path}"))
        job.failed.connect(lambda message: warn(self._window, "Back up", message))
        job.crashed.connect(lambda trace: critical(self._window, "Back up", trace))
        self._job = job
        job.start()

    def wait(self) -> None:
        """Let a running backup finish (before the window closes)."""
        if self._job is not None:
            self._job.wait()

    def choose_and_restore(self) -> None:
        folder = backups.backup_dir(Path(self._lib.path))
        name = choose_file(self._window, "Restore from Backup", str(folder),
                           "annotator libraries (*.sqlite);;All files (*)")
        if name:
            self.restore(Path(name))

    def restore(self, source: Path) -> bool:
        """Ask, then replace the library with SOURCE; True when it was restored."""
        if not ask(self._window, "Restore from Backup",
                   f"Replace the whole library with the backup\n{source.name}?\n\n"
                   "The library as it is now is backed up first, so this can be reversed by restoring that copy."):
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            safety = restoring.restore_backup(self._lib, source)
        except AnnotatorError as exc:
            warn(self._window, "Restore from Backup", str(exc))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.restored.emit()
        self._status(f"Restored {source.name}; the library before it is in {safety.name}")
        return True
