"""The library-changed poll: another process's commits, and a connection that lost its share of the library."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.errors import AnnotatorError
from annotator.store.library import Library
from annotator.store.read_connection import LibraryError


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
        """The views are up to date with the library as it is now."""
        self._seen = self._lib.data_version()

    def pause(self) -> None:
        """Our own operations are about to commit: report what happened elsewhere until now, then stop polling."""
        self.check()
        self.timer.stop()

    def resume(self, changed_elsewhere: bool = False) -> None:
        """Our operations were applied: take their commits as seen (CHANGED_ELSEWHERE: another process's
        commits came in between them, so refresh everything) and poll again."""
        self.acknowledge()
        if changed_elsewhere:
            self.changed_elsewhere.emit()
        self.timer.start()

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
