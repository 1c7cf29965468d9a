"""Read queries run off the GUI thread, each on its own read-only connection; stale answers dropped.

A job is `work(conn, report)`: it calls `report(name, result)` for each answer as soon as it has
it (a search reports its table ids, then its hits), in order. Every `run()` starts a new
generation: answers of older generations (a keystroke typed since) are dropped, jobs not yet
started are taken off the queue, and running ones are interrupted (the connection's `interrupt()`), so
a slow query for "d" never delays the one for "diffusion".
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from annotator.store.read_connection import Connection, LibraryError, open_read_only

BUSY_TIMEOUT_S = 5.0

Report = Callable[[str, Any], None]
ReadWork = Callable[[Connection, Report], None]


class _JobSignals(QObject):
    answered = Signal(int, str, object)  # generation, answer name, result
    finished = Signal(int)  # generation
    failed = Signal(int, object)  # generation, exception


class _Running:
    """The connections of running jobs by generation, so that a newer run() can interrupt them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[Connection, int] = {}

    def add(self, conn: Connection, generation: int) -> None:
        with self._lock:
            self._connections[conn] = generation

    def remove(self, conn: Connection) -> None:
        with self._lock:
            self._connections.pop(conn, None)

    def interrupt_older(self, generation: int) -> None:
        with self._lock:
            for conn, started in self._connections.items():
                if started < generation:
                    conn.interrupt()


class _ReadJob(QRunnable):
    """WORK(conn, report) on a fresh read-only connection to the library file."""

    def __init__(self, db_path: Path, generation: int, work: ReadWork, signals: _JobSignals, running: _Running):
        super().__init__()
        self._db_path = db_path
        self._generation = generation
        self._work = work
        self._signals = signals
        self._running = running

    def _report(self, name: str, result: Any) -> None:
        self._signals.answered.emit(self._generation, name, result)

    def run(self) -> None:
        try:
            conn = open_read_only(self._db_path, BUSY_TIMEOUT_S)
            self._running.add(conn, self._generation)
            try:
                self._work(conn, self._report)
            finally:
                self._running.remove(conn)
                conn.close()
        except Exception as exc:  # handed to the GUI thread: shown there, never lost in this thread
            self._signals.failed.emit(self._generation, exc)
        else:
            self._signals.finished.emit(self._generation)


class BackgroundQueries(QObject):
    """Runs read jobs in a small thread pool and passes on only the newest generation's answers.

    `answered(name, result)` for each report; `failed(message)` when the library could not be
    read (a LibraryError); any other exception is a bug and goes to sys.excepthook (the crash
    report) from the GUI thread.
    """

    answered = Signal(str, object)
    failed = Signal(str)

    def __init__(self, db_path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self._db_path = db_path
        # The pool is created before the signals object, so it is destroyed first, waiting for
        # running jobs: a job never emits into a deleted object.
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _JobSignals(self)
        self._signals.answered.connect(self._answered)
        self._signals.finished.connect(self._finished)
        self._signals.failed.connect(self._failed)
        self._running = _Running()
        self._generation = 0
        self._pending = 0

    def run(self, work: ReadWork) -> None:
        """Start WORK(conn, report) as a new generation, cancelling older ones."""
        self._generation += 1
        self._pool.clear()
        self._running.interrupt_older(self._generation)
        self._pending = 1
        self._pool.start(_ReadJob(self._db_path, self._generation, work, self._signals, self._running))

    def is_busy(self) -> bool:
        """True until the newest job has finished."""
        return self._pending > 0

    def wait(self, msecs: int = -1) -> bool:
        """Block until every started job is done (for shutdown and benchmarks)."""
        return self._pool.waitForDone(msecs)

    def _answered(self, generation: int, name: str, result: object) -> None:
        if generation == self._generation:
            self.answered.emit(name, result)

    def _finished(self, generation: int) -> None:
        if generation == self._generation:
            self._pending = 0

    def _failed(self, generation: int, exc: object) -> None:
        if generation != self._generation:
            return  # includes the "interrupted" of a cancelled older job
        self._pending = 0
        if isinstance(exc, LibraryError):
            self.failed.emit(f"cannot read the library: {exc}")
        elif isinstance(exc, BaseException):
            sys.excepthook(type(exc), exc, exc.__traceback__)
