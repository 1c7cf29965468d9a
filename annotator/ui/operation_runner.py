"""The one way the UI runs work on the library, after Anki's CollectionOp and QueryOp.

    runner.edit(editing.edit_reading, reading_id, team="team-2").success(select).run_in_background()
    runner.collection_op(window, import_op).with_progress("Importing…").run_in_background()
    runner.query_op(window, export_op, show_results).run_in_background()
    runner.query_op(view, search, show_ids).newest("library search").run_in_background()

*Operations* (`CollectionOp`: edits, undo, redo, imports, restores) change the library. They
run one at a time, in the order they were asked for, in a worker thread that opens its own
`Library` for each burst of work and closes it when the queue is empty (so that the window's
connection can be reopened if it lost its locks: see store/sharing.py). An operation returns
`(Changes, value)`; back on the GUI thread the Changes go onto the undo stack (`UndoHistory`)
at once. Their announcement (`changed`, which refreshes the views) and the callbacks wait until
the queue is empty, then run for each piece of work in order: a view never re-reads the library
while an edit it has shown is still queued, so a refresh never puts back a value just typed.

*Queries* (`QueryOp`: exports, backups, the Library tab's search) only read, each on a read-only
connection of its own. By default they join the same queue, so that an export or a backup sees
every edit asked for before it. A query of a `newest(group)` runs at once in a small pool
instead: a newer query of its group interrupts it, and its answers are dropped. A `long_running()`
query (minutes of network: arXiv look-ups) runs beside the queue, one at a time, so that edits
asked for meanwhile land at once; its progress dialog does not block the window.

Errors are reported in one place (`report`): an AnnotatorError is a message box, a database
error (locked, read-only, disk full) the `database_problem` line, anything else goes to
sys.excepthook (the crash report). `failure(cb)` replaces the box for the first two only: a bug
is never swallowed. Cancel (`Cancelled`) is a status-bar line.

The views still read on the GUI thread when they refresh: the course tree, a session's
readings, one reading or paper, a page of paper rows, a course's roster and workload. Each is a
few indexed queries over what one screen shows, so it stays well under 50 ms, and reading it
there keeps a view and the undo stack in step with the Changes that triggered the refresh.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.errors import AnnotatorError
from annotator.store.library import Library, SharingLost, database_problem, open_library
from annotator.store.operations import Changes
from annotator.store.read_connection import Connection, DatabaseError, open_read_only
from annotator.ui.library_watcher import LibraryWatcher
from annotator.ui.plain_text import plain_label, warn
from annotator.ui.undo import Steps, UndoHistory

T = TypeVar("T")
READ_TIMEOUT_S = 5.0
CLOSE_WAIT_MS = 20_000  # longer than the library's busy timeout (15 s): a waiting edit still lands


class Cancelled(Exception):
    """The user pressed Cancel; the work was rolled back."""


class Task:
    """What running work may use, from its thread: progress, Cancel, and early answers."""

    def __init__(self, signals: _Signals, work: _Work[Any]):
        self._signals = signals
        self._work = work
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._conn: Connection | None = None

    def report(self, done: int, total: int, what: str = "") -> None:
        """Progress: DONE of TOTAL, WHAT (a file name) being worked on."""
        self._signals.progressed.emit(self._work, done, total, what)

    def answer(self, name: str, value: Any) -> None:
        """A partial result the GUI may show before the work ends (a search's best page).

        Raises Cancelled once the work was cancelled: nobody wants its answers any more, and an
        interrupt stops only the statement running when it comes, not the next one.
        """
        if self.cancelled():
            raise Cancelled()
        self._signals.answered.emit(self._work, name, value)

    def cancel(self) -> None:
        """Ask the work to stop: the store checks `cancelled()` between files; a query is interrupted."""
        self._cancel.set()
        with self._lock:
            if self._conn is not None:
                self._conn.interrupt()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancelled_within(self, seconds: float) -> bool:
        """Wait SECONDS, or less when the work is cancelled meanwhile; True when it was."""
        return self._cancel.wait(seconds)

    def read(self, path: Path, work: Callable[[Connection, Task], T]) -> T:
        """WORK(conn, self) on a fresh read-only connection to the library at PATH (worker thread)."""
        conn = open_read_only(path, READ_TIMEOUT_S)
        try:
            with self._lock:
                self._conn = conn
            if self.cancelled():
                raise Cancelled()
            return work(conn, self)
        finally:
            with self._lock:
                self._conn = None
            conn.close()


class _Work(Generic[T]):
    """What CollectionOp and QueryOp share: the callbacks, the message box's parent and title, progress."""

    def __init__(self, runner: OperationRunner, parent: QWidget | None, title: str):
        self.runner = runner
        self.parent = parent
        self.title = title
        self.task = Task(runner._signals, self)
        self.progress_label: str | None = None
        self.on_progress: Callable[[int, int, str], Any] | None = None
        self.on_answer: Callable[[str, Any], Any] | None = None
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[Exception], Any] | None = None
        self._after: list[Callable[[], Any]] = []

    def success(self, callback: Callable[[T], Any]) -> _Work[T]:
        """Call CALLBACK(value) on the GUI thread when the work succeeded."""
        self._success = callback
        return self

    def failure(self, callback: Callable[[Exception], Any]) -> _Work[T]:
        """Handle a user mistake or database error with CALLBACK(exc) instead of the message box."""
        self._failure = callback
        return self

    def after(self, callback: Callable[[], Any]) -> _Work[T]:
        """Call CALLBACK() once the work is over, whatever its outcome (after success or failure)."""
        self._after.append(callback)
        return self

    def with_progress(self, label: str) -> _Work[T]:
        """Show a progress dialog with Cancel (after 400 ms) while the work runs."""
        self.progress_label = label
        return self

    def run_in_background(self) -> _Work[T]:
        self.runner._submit(self)
        return self


class CollectionOp(_Work[T]):
    """A change to the library: OP(lib, task) -> (Changes | Steps | None, value), in the queue's order."""

    def __init__(self, runner: OperationRunner, parent: QWidget | None,
                 op: Callable[[Library, Task], tuple[Changes | Steps | None, T]], title: str = "annotator"):
        super().__init__(runner, parent, title)
        self.op = op


class QueryOp(_Work[T]):
    """A read: OP(conn, task) -> value on a read-only connection; SUCCESS(value) on the GUI thread."""

    def __init__(self, runner: OperationRunner, parent: QWidget | None, op: Callable[[Connection, Task], T],
                 success: Callable[[T], Any], title: str = "annotator"):
        super().__init__(runner, parent, title)
        self.op = op
        self.group: str | None = None
        self.long = False
        self._success = success

    def newest(self, group: str) -> QueryOp[T]:
        """Run at once, beside the queue; a newer query of GROUP interrupts this one and drops its answers."""
        self.group = group
        return self

    def long_running(self) -> QueryOp[T]:
        """Run beside the queue, after any long query asked for before; the window stays usable meanwhile."""
        self.long = True
        return self

    def answers(self, callback: Callable[[str, Any], Any]) -> QueryOp[T]:
        """CALLBACK(name, value) for each `task.answer`, unless a newer query of the group started."""
        self.on_answer = callback
        return self


class _Signals(QObject):
    """Carries outcomes from worker threads to the GUI thread. Owned by no parent: a thread emitting
    into it after the runner is gone finds it alive (the connection to the runner is simply gone)."""

    done = Signal(object, object, bool)  # the work, its outcome (a value or an exception), foreign commits seen
    progressed = Signal(object, int, int, str)  # the work, done, total, what
    answered = Signal(object, str, object)  # the work, name, value


class _Operations(threading.Thread):
    """The worker thread: runs queued work in order, on a Library of its own opened for each burst."""

    def __init__(self, main: Library, signals: _Signals):
        super().__init__(name="annotator operations", daemon=True)
        self._main = main
        self._signals = signals
        self.jobs: queue.SimpleQueue[_Work[Any] | None] = queue.SimpleQueue()

    def run(self) -> None:
        lib: Library | None = None
        version = 0
        while (work := self.jobs.get()) is not None:
            foreign = False
            try:
                if isinstance(work, QueryOp):
                    outcome: Any = work.task.read(self._main.path, work.op)
                else:
                    # A connection opened after the process lost its locks cannot see that they are lost:
                    # the window's connection can, so it is asked first.
                    problem = self._main.sharing_problem()
                    if problem:
                        raise SharingLost(f"{problem}; nothing was written. annotator opens the library again "
                                          "in a moment: please make that change again then", self._main.path)
                    if lib is None:
                        lib = open_library(self._main.path, create=False, daily_backup=False)
                        version = lib.data_version()
                    outcome = work.op(lib, work.task)
                    now = lib.data_version()  # changes only when another connection committed
                    foreign, version = now != version, now
            except Exception as exc:  # handed to the GUI thread, reported there
                outcome = exc
            if lib is not None and (self.jobs.empty() or isinstance(outcome, SharingLost)):
                lib.close()  # between bursts the window's connection is the only one (it may need a reopen)
                lib = None
            self._signals.done.emit(work, outcome, foreign)
        if lib is not None:
            lib.close()


class _PoolQuery(QRunnable):
    """A `newest` or `long_running` query in a pool of its own; skipped when cancelled before it started."""

    def __init__(self, work: QueryOp[Any], path: Path, signals: _Signals):
        super().__init__()
        self._work, self._path, self._signals = work, path, signals

    def run(self) -> None:
        try:
            outcome: Any = self._work.task.read(self._path, self._work.op)
        except Exception as exc:
            outcome = exc
        self._signals.done.emit(self._work, outcome, False)


class OperationRunner(QObject):
    """Runs CollectionOps and QueryOps for one window over one library, and reports their errors.

    `changed(Changes | None)` after every operation, undo and redo; `message(str)` a status-bar
    line; `finished(work)` after each piece of work's callbacks ran; `idle()` when the queue is
    empty (what tests and closing wait for).
    """

    changed = Signal(object)
    message = Signal(str)
    finished = Signal(object)
    idle = Signal()

    def __init__(self, lib: Library, window: QWidget, watcher: LibraryWatcher | None = None):
        super().__init__(window)
        self.lib = lib
        self.window = window
        self.watcher = watcher
        self.history = UndoHistory(self)
        self._signals = _Signals()
        self._signals.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._signals.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._signals.answered.connect(self._answered, Qt.ConnectionType.QueuedConnection)
        self._worker: _Operations | None = None
        self._queued: deque[_Work[Any]] = deque()  # in the worker's queue or running, oldest first
        self._delivered: deque[tuple[_Work[Any], Any]] = deque()  # done, announced when the queue is empty
        self._flushing = False
        self._then: dict[int, list[Callable[[], Any]]] = {}  # id(work) -> called after that work
        self._newest: dict[str, QueryOp[Any]] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(3)  # one per group (library search, site status, search pages): none waits
        self._long: deque[QueryOp[Any]] = deque()  # long-running queries, in the order asked
        self._long_pool = QThreadPool(self)
        self._long_pool.setMaxThreadCount(1)
        self._writing = False
        self._foreign = False
        self._closed = False

    # --- making work -----------------------------------------------------------------------------

    def collection_op(self, parent: QWidget | None,
                      op: Callable[[Library, Task], tuple[Changes | Steps | None, T]],
                      title: str = "annotator") -> CollectionOp[T]:
        return CollectionOp(self, parent, op, title)

    def query_op(self, parent: QWidget | None, op: Callable[[Connection, Task], T], success: Callable[[T], Any],
                 title: str = "annotator") -> QueryOp[T]:
        return QueryOp(self, parent, op, success, title)

    def edit(self, edit: Callable[..., tuple[Changes, T]], *args: Any, **kwargs: Any) -> CollectionOp[T]:
        """A store edit EDIT(lib, *args, **kwargs) -> (Changes, value) as an operation (not started yet)."""
        return CollectionOp(self, self.window, lambda lib, _task: edit(lib, *args, **kwargs))

    def edit_each(self, label: str, edit: Callable[..., tuple[Changes, T]],
                  calls: list[dict[str, Any]]) -> CollectionOp[list[T]]:
        """EDIT once per keyword set in CALLS, one Edit-menu entry; stops at the first error (still reported)."""

        def op(lib: Library, _task: Task) -> tuple[Steps, list[T]]:
            steps = Steps(label)
            values: list[T] = []
            try:
                for kwargs in calls:
                    changes, value = edit(lib, **kwargs)
                    steps.changes.append(changes)
                    values.append(value)
            except Exception as exc:  # the steps made so far are kept (and undoable); the error reported
                steps.error = exc
            return steps, values

        return CollectionOp(self, self.window, op)

    # --- running -----------------------------------------------------------------------------------

    def _submit(self, work: _Work[Any]) -> None:
        if self._closed:
            return
        if work.progress_label is not None:
            self._show_progress(work)
        if isinstance(work, QueryOp) and work.group is not None:
            older = self._newest.get(work.group)
            if older is not None:
                older.task.cancel()
            self._newest[work.group] = work
            self._pool.start(_PoolQuery(work, self.lib.path, self._signals))
            return
        if isinstance(work, QueryOp) and work.long:
            self._long.append(work)
            self._long_pool.start(_PoolQuery(work, self.lib.path, self._signals))
            return
        if isinstance(work, CollectionOp) and not self._writing:
            self._writing = True
            if self.watcher is not None:  # our own commits are not changes made elsewhere
                self.watcher.pause()
        if self._worker is None:
            self._worker = _Operations(self.lib, self._signals)
            self._worker.start()
        self._queued.append(work)
        self._worker.jobs.put(work)

    def then(self, callback: Callable[[], Any]) -> None:
        """Call CALLBACK once every operation and query queued so far is on the undo stack (at once if none is)."""
        if self._queued:
            self._then.setdefault(id(self._queued[-1]), []).append(callback)
        else:
            callback()

    def is_idle(self) -> bool:
        return not self._queued

    def is_busy_long(self) -> bool:
        """True while a `long_running` query is asked for and not delivered."""
        return bool(self._long)

    def cancel_newest(self, group: str) -> None:
        """Stop the newest query of GROUP, if one runs; its answers are dropped."""
        if (work := self._newest.get(group)) is not None:
            work.task.cancel()

    def is_searching(self, group: str) -> bool:
        """True until the newest query of GROUP has answered."""
        return group in self._newest

    def wait_idle(self, timeout_ms: int = CLOSE_WAIT_MS) -> bool:
        """Process events until the queue is empty (results delivered as usual); False on timeout."""
        if self._queued:
            loop = QEventLoop()
            self.idle.connect(loop.quit)
            QTimer.singleShot(timeout_ms, loop.quit)
            loop.exec()
            self.idle.disconnect(loop.quit)
        return not self._queued

    def wait_for_searches(self, timeout_ms: int = -1) -> bool:
        """Block until every `newest` query has stopped (for closing and benchmarks)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        """Before the library closes: cancel long work, let queued edits land (bounded), stop the threads."""
        for work in self._queued:
            if work.progress_label is not None:
                work.task.cancel()
        for work in [*self._newest.values(), *self._long]:
            work.task.cancel()
        self.wait_idle()
        self._closed = True
        if self._worker is not None:
            self._worker.jobs.put(None)
            self._worker.join(CLOSE_WAIT_MS / 1000)
        self._pool.waitForDone()
        self._long_pool.waitForDone()

    def _progressed(self, work: _Work[Any], done: int, total: int, what: str) -> None:
        if work.on_progress is not None and not self._closed:
            work.on_progress(done, total, what)

    def _answered(self, work: _Work[Any], name: str, value: Any) -> None:
        if work.on_answer is not None and not work.task.cancelled() and not self._closed:
            work.on_answer(name, value)

    # --- results -----------------------------------------------------------------------------------

    def _deliver(self, work: _Work[Any], outcome: Any, foreign: bool) -> None:
        if self._closed:
            return
        if isinstance(work, QueryOp) and work.group is not None:
            if self._newest.get(work.group) is work:
                del self._newest[work.group]
            if work.task.cancelled():
                return  # a newer query of its group replaced it
            self._finish(work, outcome)
            return
        if isinstance(work, QueryOp) and work.long:
            self._long.remove(work)
            self._finish(work, outcome)
            return
        self._queued.popleft()
        self._foreign |= foreign
        if isinstance(work, CollectionOp) and not isinstance(outcome, Exception):
            self.history.push(outcome[0])  # now: an undo asked for next must find it on the stack
        self._delivered.append((work, outcome))
        if not self._queued:
            self._flush()

    def _flush(self) -> None:
        """Announce and call back what was delivered, in order (once: a callback's dialog may deliver more)."""
        if self._flushing:
            return
        self._flushing = True
        try:
            while self._delivered:
                work, outcome = self._delivered.popleft()
                try:
                    self._finish(work, outcome)
                finally:
                    for callback in self._then.pop(id(work), []):
                        callback()
        finally:
            self._flushing = False
        if not self._queued:
            self._went_idle()

    def _finish(self, work: _Work[Any], outcome: Any) -> None:
        try:
            if isinstance(outcome, Cancelled):
                self.message.emit("Cancelled: nothing was changed")
            elif isinstance(outcome, (AnnotatorError, DatabaseError)) and work._failure is not None:
                work._failure(outcome)
            elif isinstance(outcome, Exception):
                self.report(outcome, work.parent, work.title)
            else:
                value = outcome
                if isinstance(work, CollectionOp):
                    changes, value = outcome
                    for step in changes.changes if isinstance(changes, Steps) else [changes]:
                        if step is not None:
                            self.changed.emit(step)
                    if isinstance(changes, Steps) and changes.error is not None:
                        self.report(changes.error, work.parent, work.title)
                if work._success is not None:
                    work._success(value)
        finally:
            for callback in work._after:
                callback()
            self.finished.emit(work)

    def _went_idle(self) -> None:
        if self._writing:
            self._writing = False
            if self.watcher is not None:
                self.watcher.resume(changed_elsewhere=self._foreign)
            self._foreign = False
        self.idle.emit()

    def report(self, exc: BaseException, parent: QWidget | None = None, title: str = "annotator") -> None:
        """The one way an error reaches the user: a message box, the database's problem, or the crash report."""
        parent = parent if parent is not None else self.window
        if isinstance(exc, AnnotatorError):
            warn(parent, title, str(exc))
        elif isinstance(exc, DatabaseError):  # locked, read-only, disk full: the user can act on it
            warn(parent, title, f"{self.lib.path}: {database_problem(exc, self.lib.path)}")
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    # --- progress ----------------------------------------------------------------------------------

    def _show_progress(self, work: _Work[Any]) -> None:
        label = work.progress_label or ""
        progress = QProgressDialog(label, "Cancel", 0, 0, self.window)
        progress.setLabel(plain_label(label))  # it names the files being imported
        progress.setWindowTitle("annotator")
        long = isinstance(work, QueryOp) and work.long  # the window is usable meanwhile
        progress.setWindowModality(Qt.WindowModality.NonModal if long else Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.setMinimumWidth(420)
        progress.canceled.connect(work.task.cancel)
        work.on_progress = lambda done, total, what: _show_progress_step(progress, label, done, total, what)

        def close() -> None:
            progress.canceled.disconnect(work.task.cancel)
            progress.reset()
            progress.deleteLater()

        work.after(close)


def _show_progress_step(progress: QProgressDialog, label: str, done: int, total: int, what: str) -> None:
    """DONE of TOTAL: WHAT (a file's name) is being worked on, else LABEL says what is, with the count."""
    progress.setMaximum(max(total, 1))
    if what:
        progress.setLabelText(f"{Path(what).name}  ({done + 1} of {total})")
    elif total:
        progress.setLabelText(f"{label}\n{done} of {total} done")
    progress.setValue(min(done, total))
