from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QDialog, QMainWindow

from annotator.errors import AnnotatorError
from annotator.store import queries
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.read_connection import Connection
from annotator.ui.dialogs import ExportPreviewDialog, import_summary, show_import_report
from annotator.ui.file_dialogs import choose_files, choose_folder
from annotator.ui.operation_runner import Cancelled, OperationRunner, Task

IMPORT_FILTER = "Posts and lists (*.md *.markdown *.txt);;All files (*)"


def export_counts(results: list[Any]) -> str:
    """'1 created, 2 updated, 3 unchanged'."""
    return ", ".join(f"{sum(1 for r in results if r.status == s)} {s}" for s in ("created", "updated", "unchanged"))


@dataclass
class ImportOutcome:
    """What an import did: one FileResult per file and the change summary of the one step."""

    results: list[Any] = field(default_factory=list)
    changes: Changes | None = None


def import_op(paths: list[str], course: str | None) -> Any:
    """The operation importing PATHS as one undo step (recursively for folders), with progress and Cancel."""

    def op(lib: Library, task: Task) -> tuple[Changes | None, ImportOutcome]:
        from annotator.store.importing import ImportCancelled, import_paths

        try:
            results, changes = import_paths(lib, list(paths), course, recursive=True, one_step=True,
                                            progress=task.report, cancelled=task.cancelled)
        except ImportCancelled:
            raise Cancelled() from None
        return changes, ImportOutcome(results, changes)

    return op


def export_query(session_ids: list[int], folder: str, preview: bool) -> Any:
    """The query exporting SESSION_IDS to FOLDER (PREVIEW: diffs only, nothing written).

    One session at a time (progress, Cancel), so the check export_sessions makes across all of
    them, that no two share a file, is made first: else the second would overwrite the first.
    """

    def query(conn: Connection, task: Task) -> list[Any]:
        from annotator.store.exporting import check_targets, export_sessions

        check_targets(conn, session_ids, folder)
        results = []
        for number, session_id in enumerate(session_ids):
            if task.cancelled():
                raise Cancelled()
            task.report(number, len(session_ids), "")
            results += export_sessions(conn, [session_id], folder, diff=preview)
        task.report(len(session_ids), len(session_ids), "")
        return results

    return query


class FileTransfers(QObject):
    """Runs imports and exports for the main window through its runner; one at a time.

    `imported(ImportOutcome)` fires when an import has been applied (or cancelled, or failed, with
    an empty outcome), `exported(results)` after a write.
    """

    imported = Signal(object)
    exported = Signal(object)
    session_imported = Signal(int)  # the session to select after an import

    def __init__(self, window: QMainWindow, lib: Library, runner: OperationRunner, settings: QSettings):
        super().__init__(window)
        self._window = window
        self._lib = lib
        self._runner = runner
        self._settings = settings
        self._busy = False

    def busy(self) -> bool:
        """True while an import or a course export runs (with its progress dialog)."""
        return self._busy

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 15000)

    def _claim(self) -> bool:
        if self._busy:
            self._status("Please wait: another import or export is still running")
            return False
        self._busy = True
        return True

    def _release(self) -> None:
        self._busy = False

    # --- import ----------------------------------------------------------------------------------

    def choose_and_import(self) -> None:
        """File ▸ Import…: pick files, then import them."""
        start = str(self._settings.value("import/lastFolder", str(Path.home())))
        paths = choose_files(self._window, "Import files", start, IMPORT_FILTER)
        if paths:
            self._settings.setValue("import/lastFolder", str(Path(paths[0]).parent))
            self.import_paths(paths)

    def choose_folder_and_import(self) -> None:
        """File ▸ Import Folder…: pick a folder, then import every file in it and its subfolders."""
        start = str(self._settings.value("import/lastFolder", str(Path.home())))
        folder = choose_folder(self._window, "Import a folder (and its subfolders)", start)
        if folder:
            self._settings.setValue("import/lastFolder", folder)
            self.import_paths([folder])

    def import_paths(self, paths: list[str], course: str | None = None) -> bool:
        """Import PATHS (files or folders) off the GUI thread, as one undo step."""
        if not self._claim():
            return False
        outcome: list[ImportOutcome] = []
        self._runner.collection_op(self._window, import_op(paths, course)) \
            .with_progress(f"Importing {len(paths)} item{'s' if len(paths) != 1 else ''}…") \
            .success(outcome.append) \
            .after(lambda: self._import_done(outcome[0] if outcome else ImportOutcome())).run_in_background()
        self._status("Importing…")
        return True

    def _import_done(self, outcome: ImportOutcome) -> None:
        self._release()
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
                except AnnotatorError:  # (deleted meanwhile: try the next one; nothing to report)
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
        """File ▸ Export Session…: preview the diff, then write."""
        folder = self._choose_folder()
        if not folder:
            return

        def confirmed(preview: list[Any]) -> None:
            if self._confirm(preview, folder):
                self._runner.query_op(self._window, export_query([session_id], folder, preview=False), self._exported,
                                      title="Export").run_in_background()

        self._runner.query_op(self._window, export_query([session_id], folder, preview=True), confirmed,
                              title="Export").run_in_background()

    def export_course(self, course_id: int) -> None:
        """File ▸ Export Course…: preview and write every session of the course in a worker."""
        ids = [r["row_id"] for r in queries.list_sessions(self._lib.conn, course_id)]
        if not ids:
            self._status("That course has no sessions to export")
            return
        folder = self._choose_folder()
        if not folder:
            return

        if not self._claim():
            return
        previews: list[list[Any]] = []
        self._runner.query_op(self._window, export_query(ids, folder, preview=True), previews.append) \
            .with_progress("Comparing with the folder…") \
            .after(lambda: self._confirm_and_write(previews, ids, folder)).run_in_background()

    def _confirm_and_write(self, previews: list[list[Any]], ids: list[int], folder: str) -> None:
        if not (previews and self._confirm(previews[0], folder)):
            self._release()
            return
        self._runner.query_op(self._window, export_query(ids, folder, preview=False), self._exported) \
            .with_progress("Writing posts…").after(self._release).run_in_background()

    def _confirm(self, preview: list[Any], folder: str) -> bool:
        dialog = ExportPreviewDialog(preview, folder, self._window)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted

    def _exported(self, results: list[Any]) -> None:
        self._status(f"Exported: {export_counts(results)}")
        self.exported.emit(results)
