"""Keeps the library's best pages of one- and two-letter searches current (store/search_pages.py).

After the window opens and after every change (its own or another process's), the kept pages may
be stale. Once nothing has changed and nothing was typed in a search box for IDLE_MS, they are
ranked again off the GUI thread and kept through the operation queue. Until then a search ranks
as it is typed, as it always did: the pages only make the first keystrokes quicker.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from annotator.store.operations import Changes
from annotator.store.read_connection import LibraryError
from annotator.store.search_pages import RankedPages, due, keep_pages, rank_pages
from annotator.ui.operation_runner import OperationRunner, QueryOp

IDLE_MS = 2000  # ranking takes a core for seconds at 100k papers: not while the user types or imports
GROUP = "search pages"


class SearchPagesKeeper(QObject):
    """Ranks and keeps the search pages whenever they are stale and the window is idle."""

    kept = Signal()  # the pages of the library as it is now are kept (what tests and the benchmark wait for)

    def __init__(self, runner: OperationRunner, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = runner
        self._idle = QTimer(self, singleShot=True, interval=IDLE_MS)
        self._idle.timeout.connect(self._rank_if_due)
        self._stopped = False
        self._ranking: QueryOp[RankedPages | None] | None = None
        runner.changed.connect(self.schedule)
        self._idle.start()  # the library may have changed since it was last open (the CLI, another laptop's sync)

    def schedule(self, changes: Changes | None = None) -> None:
        """Rank the pages once the window has been idle for IDLE_MS: CHANGES (None: anything, made
        anywhere) may have made them stale. A ranking under way stops if papers may have changed."""
        if self._ranking is not None and (changes is None or changes.papers):
            self._ranking.task.cancel()
            self._ranking = None
        if not self._stopped:
            self._idle.start()

    def postpone(self) -> None:
        """The user is typing a search: wait until they have stopped for IDLE_MS."""
        if self._idle.isActive():
            self._idle.start()

    def stop(self) -> None:
        """The window is closing: rank nothing more."""
        self._stopped = True
        self._idle.stop()
        self.schedule()

    def _rank_if_due(self) -> None:
        lib = self._runner.lib
        try:
            if lib.read_only or not due(lib.conn):
                return
        except LibraryError:  # (the library is being reopened, or was closed): the next change tries again
            return
        self._ranking = self._runner.query_op(None, lambda conn, task: rank_pages(conn, task.cancelled), self._ranked) \
            .newest(GROUP).failure(self._failed)
        self._ranking.run_in_background()

    def _ranked(self, ranked: RankedPages | None) -> None:
        self._ranking = None
        if ranked is None:
            return
        self._runner.collection_op(None, lambda lib, _task: keep_pages(lib, ranked)) \
            .success(self._kept).failure(self._failed).run_in_background()

    def _kept(self, kept: bool) -> None:
        if kept:
            self.kept.emit()
        else:  # a paper changed while they were ranked (here or elsewhere): rank them again
            self.schedule()

    def _failed(self, _exc: Exception) -> None:
        """A locked or read-only library: the searches rank as they are typed, and the next change tries again."""
