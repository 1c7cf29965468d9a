"""File ▸ Import and File ▸ Export: file dialogs, worker jobs with progress, reports.

An import is one undo step; an export shows exactly what will change on disk before writing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QDialog, QMainWindow, QProgressDialog

from annotator.errors import AnnotatorError
from annotator.store import queries
from annotator.store.library import Library
from annotator.ui.dialogs import ExportPreviewDialog, import_summary, show_crash_report, show_import_report
from annotator.ui.file_dialogs import choose_files, choose_folder
from annotator.ui.plain_text import plain_label, warn
from annotator.ui.undo import StoreEdits
from annotator.ui.workers import ImportOutcome, LibraryJob, LibraryWatcher, export_work, import_work

IMPORT_FILTER = "Posts and lists (*.md *.markdown *.txt);;All files (*)"


def export_counts(results: list[Any]) -> str:
    """'1 created, 2 updated, 3 unchanged'."""
    return ", ".join(f"{sum(1 for r in results if r.status == s)} {s}" for s in ("created", "updated", "unchanged"))


class FileTransfers(QObject):
    """Runs imports and exports for the main window; one job at a time.

    `imported(ImportOutcome)` fires when an import has been applied (or cancelled, or failed, with
    an empty outcome), `exported(results)` after a write.
    """

    imported = Signal(object)
    exported = Signal(object)
    session_imported = Signal(int)  # the session to select after an import

    def __init__(self, window: QMainWindow, lib: Library, edits: StoreEdits, watcher: LibraryWatcher,
                 settings: QSettings):
        super().__init__(window)
        self._window = window
        self._lib = lib
        self._edits = edits
        self._watcher = watcher
        self._settings = settings
        self.job: LibraryJob | None = None
        self._progress: QProgressDialog | None = None

    def busy(self) -> bool:
        return self.job is not None

    def stop(self) -> None:
        """Cancel a running job and wait for it (on quit)."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait()

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 15000)

    def _start(self, label: str, work: Callable[[Library, LibraryJob], Any], on_success: Callable[[Any], None],
               on_end: Callable[[], None] = lambda: None) -> bool:
        if self.job is not None:
            self._status("Please wait: another import or export is still running")
            return False
        job = LibraryJob(self._lib.path, work, self)
        progress = QProgressDialog(label, "Cancel", 0, 0, self._window)
        progress.setLabel(plain_label(label))  # it names the files being imported
        progress.setWindowTitle("annotator")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.setMinimumWidth(420)
        progress.canceled.connect(job.cancel)
        job.progressed.connect(lambda done, total, what: self._progressed(progress, done, total, what))
        job.succeeded.connect(on_success)
        job.failed.connect(lambda text: warn(self._window, "annotator", text))
        job.cancelled.connect(lambda: self._status("Cancelled: nothing was changed"))
        job.crashed.connect(lambda report: show_crash_report(report, self._window))
        job.finished.connect(lambda: self._finished(job, progress, on_end))
        self.job, self._progress = job, progress
        self._watcher.timer.stop()  # the job's own commits are not changes from elsewhere
        job.start()
        return True

    @staticmethod
    def _progressed(progress: QProgressDialog, done: int, total: int, what: str) -> None:
        progress.setMaximum(max(total, 1))
        if what:
            progress.setLabelText(f"{Path(what).name}  ({done + 1} of {total})")
        progress.setValue(min(done, total))

    def _finished(self, job: LibraryJob, progress: QProgressDialog, on_end: Callable[[], None]) -> None:
        progress.canceled.disconnect(job.cancel)
        progress.reset()
        progress.deleteLater()
        job.deleteLater()
        self.job = self._progress = None
        self._watcher.acknowledge()
        self._watcher.timer.start()
        on_end()

    # --- import ----------------------------------------------------------------------------------

    def choose_and_import(self) -> None:
        """File ▸ Import…: pick files, then import them."""
        start = str(self._settings.value("import/lastFolder", str(Path.home())))
        paths = choose_files(self._window, "Import files", start, IMPORT_FILTER)
        if paths:
            self._settings.setValue("import/lastFolder", str(Path(paths[0]).parent))
            self.import_paths(paths)

    def import_paths(self, paths: list[str], course: str | None = None) -> bool:
        """Import PATHS (files or folders) in a worker, as one undo step."""
        outcome: list[ImportOutcome] = []
        started = self._start(
            f"Importing {len(paths)} item{'s' if len(paths) != 1 else ''}…", import_work(paths, course),
            lambda result: outcome.append(result),
            lambda: self._import_done(outcome[0] if outcome else ImportOutcome()),
        )
        if started:
            self._status("Importing…")
        return started

    def _import_done(self, outcome: ImportOutcome) -> None:
        if outcome.changes is not None:
            self._edits.record(outcome.changes)
        if outcome.results:
            self._status(import_summary(outcome.results))
            new_session = self._first_session(outcome.results)
            if new_session is not None:
                self.session_imported.emit(new_session)
            show_import_report(self._window, outcome.results)
        self.imported.emit(outcome)

    def _first_session(self, results: list[Any]) -> int | None:
        for result in results:
            if result.session and not result.error:
                try:
                    return queries.resolve_session(self._lib.conn, result.session)
                except AnnotatorError:
                    continue
        return None

    # --- export ----------------------------------------------------------------------------------

    def _choose_folder(self) -> str:
        start = str(self._settings.value("export/lastFolder", str(Path.home())))
        folder = choose_folder(self._window, "Export to folder (e.g. the site's _contents)", start)
        if folder:
            self._settings.setValue("export/lastFolder", folder)
        return folder

    def export_session(self, session_id: int) -> None:
        """File ▸ Export Session…: preview the diff, then write (small: on this thread)."""
        from annotator.store.exporting import export_sessions

        folder = self._choose_folder()
        if not folder:
            return
        try:
            preview = export_sessions(self._lib.conn, [session_id], folder, diff=True)
            if not self._confirm(preview, folder):
                return
            results = export_sessions(self._lib.conn, [session_id], folder)
        except AnnotatorError as exc:
            warn(self._window, "Export", str(exc))
            return
        self._exported(results)

    def export_course(self, course_id: int) -> None:
        """File ▸ Export Course…: preview and write every session of the course in a worker."""
        ids = [r["row_id"] for r in queries.list_sessions(self._lib.conn, course_id)]
        if not ids:
            self._status("That course has no sessions to export")
            return
        folder = self._choose_folder()
        if not folder:
            return

        previews: list[list[Any]] = []
        self._start("Comparing with the folder…", export_work(ids, folder, preview=True), previews.append,
                    lambda: self._confirm_and_write(previews, ids, folder))

    def _confirm_and_write(self, previews: list[list[Any]], ids: list[int], folder: str) -> None:
        if previews and self._confirm(previews[0], folder):
            self._start("Writing posts…", export_work(ids, folder, preview=False), self._exported)

    def _confirm(self, preview: list[Any], folder: str) -> bool:
        dialog = ExportPreviewDialog(preview, folder, self._window)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted

    def _exported(self, results: list[Any]) -> None:
        self._status(f"Exported: {export_counts(results)}")
        self.exported.emit(results)
