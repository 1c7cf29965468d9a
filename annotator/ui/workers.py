"""Work off the GUI thread, each job on its own library connection; and the library-changed poll."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from annotator.errors import AnnotatorError
from annotator.store.library import Library, open_library
from annotator.store.operations import Changes
from annotator.store.read_connection import LibraryError


class JobCancelled(Exception):
    """The user pressed Cancel; the job's work was rolled back."""


class LibraryJob(QThread):
    """Runs WORK(lib, job) in a thread with a connection of its own (never the GUI's).

    Exactly one of `succeeded(result)`, `failed(message)` (a user mistake), `cancelled()` or
    `crashed(traceback)` (a bug) is emitted, then QThread.finished.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    crashed = Signal(str)

    def __init__(self, lib_path: Path, work: Callable[[Library, LibraryJob], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._lib_path = lib_path
        self._work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop; the work checks `is_cancelled()` between files."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, what: str) -> None:
        """Progress callback for the store (called in the worker thread)."""
        self.progressed.emit(done, total, what)

    def run(self) -> None:
        try:
            lib = open_library(self._lib_path, create=False, daily_backup=False)
            try:
                result = self._work(lib, self)
            finally:
                lib.close()
        except JobCancelled:
            self.cancelled.emit()
        except AnnotatorError as exc:
            self.failed.emit(str(exc))
        except Exception:  # a bug: shown as a crash report by the GUI thread
            self.crashed.emit(traceback.format_exc())
        else:
            self.succeeded.emit(result)


@dataclass
class ImportOutcome:
    """What an import job did: one FileResult per file and the change summary of the one step."""

    results: list[Any] = field(default_factory=list)
    changes: Changes | None = None


def import_work(paths: list[str], course: str | None = None) -> Callable[[Library, LibraryJob], ImportOutcome]:
    """The job body importing PATHS as one undo step (recursively for folders)."""

    def work(lib: Library, job: LibraryJob) -> ImportOutcome:
        from annotator.store.importing import ImportCancelled, import_paths

        try:
            results, changes = import_paths(
                lib, list(paths), course, recursive=True, one_step=True,
                progress=job.report, cancelled=job.is_cancelled,
            )
        except ImportCancelled:
            raise JobCancelled() from None
        return ImportOutcome(results, changes)

    return work


def export_work(session_ids: list[int], folder: str, preview: bool) -> Callable[[Library, LibraryJob], list[Any]]:
    """The job body exporting SESSION_IDS to FOLDER (PREVIEW: diffs only, nothing written).

    One session at a time (progress, Cancel), so the check export_sessions makes across all of
    them, that no two share a file, is made first: else the second would overwrite the first.
    """

    def work(lib: Library, job: LibraryJob) -> list[Any]:
        from annotator.store.exporting import check_targets, export_sessions

        check_targets(lib.conn, session_ids, folder)
        results = []
        for number, session_id in enumerate(session_ids):
            if job.is_cancelled():
                raise JobCancelled()
            job.report(number, len(session_ids), "")
            results += export_sessions(lib.conn, [session_id], folder, diff=preview)
        job.report(len(session_ids), len(session_ids), "")
        return results

    return work


class LibraryWatcher(QObject):
    """Polls Library.data_version(): `changed_elsewhere` fires when another process (the CLI) committed.

    Each poll also asks whether this process still shares the library safely (store/sharing.py):
    if its locks or its -wal/-shm are gone, the library is opened again before anything else is
    read or written, and `reopened(reason)` says why.
    """

    changed_elsewhere = Signal()
    reopened = Signal(str)
    failed = Signal(str)

    def __init__(self, lib: Library, interval_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        self._lib = lib
        self._seen = lib.data_version()
        self._generation = lib.generation
        self._last_failure = ""
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def acknowledge(self) -> None:
        """The views are up to date with the library as it is now (e.g. after our own worker wrote)."""
        self._seen = self._lib.data_version()

    def check(self) -> bool:
        """Emit `changed_elsewhere` if the library changed since last seen; True when it did."""
        try:
            if self._lib.generation == self._generation:
                problem = self._lib.sharing_problem()
                if problem and self._lib.reopen():
                    self.reopened.emit(problem)
            if self._lib.generation != self._generation:  # reopened: what the old connection showed may be stale
                self._generation = self._lib.generation
                self._seen = self._lib.data_version()
                self.changed_elsewhere.emit()
                return True
            version = self._lib.data_version()
        except (AnnotatorError, LibraryError) as exc:  # (e.g. the folder is gone): say it once, try again later
            if str(exc) != self._last_failure:
                self._last_failure = str(exc)
                self.failed.emit(str(exc))
            return False
        if version == self._seen:
            return False
        self._seen = version
        self.changed_elsewhere.emit()
        return True
