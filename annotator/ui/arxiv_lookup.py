"""Paper ▸ Find on arXiv and Fill in Missing Links: look up in the background, let the user choose, then apply.

A lookup only reads (a QueryOp: the library on a read-only connection, arXiv over the network,
never on the GUI thread), with progress and Cancel. It is `long_running`: at one request per 3 s a
list of 230 papers takes minutes, and the window stays usable meanwhile (an edit made then lands at
once); one lookup runs at a time. What it found is applied only after the user
saw it: at once for one paper whose title matches exactly, else after the candidates or review
dialog; applying is one store operation (`apply_lookups`), so one Edit ▸ Undo step. No request is
sent before the user asks: the client is made on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMenu, QMenuBar

from annotator.arxiv import ArxivClient, ArxivEntry, ArxivOffline, LookupCancelled
from annotator.store.arxiv_cache import Answer, remember
from annotator.store.lookups import ApplySummary, LookupResult, apply_lookups, look_up, owner_of, papers_missing_links
from annotator.store.paper_browser import paper_detail
from annotator.store.read_connection import Connection
from annotator.ui.arxiv_review import CandidatesDialog, LookupReviewDialog
from annotator.ui.library_view import LIST_NAME_ROLE
from annotator.ui.operation_runner import Cancelled, Task
from annotator.ui.plain_text import ask, menu_text

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow


def _look_up(conn: Connection, client: ArxivClient, paper_id: int, task: Task, fetched: list[Answer]) -> LookupResult:
    """One paper's lookup, its network answers added to FETCHED; Cancel while it waited for its turn is Cancelled."""
    if task.cancelled():
        raise Cancelled()
    try:
        result = look_up(conn, client, paper_id, task.cancelled)
    except LookupCancelled:
        raise Cancelled() from None
    fetched.extend(result.fetched)
    return result


def look_up_missing(client: ArxivClient, fetched: list[Answer], session_id: int | None = None,
                    list_id: int | None = None) -> Callable[[Connection, Task], list[LookupResult]]:
    """A query looking up every paper of the session, the list or the library (neither given) that arXiv may
    complete; what came from the network goes into FETCHED as it comes, so that a cancelled batch keeps it."""

    def query(conn: Connection, task: Task) -> list[LookupResult]:
        paper_ids = papers_missing_links(conn, session_id=session_id, list_id=list_id)
        results = []
        for done, paper_id in enumerate(paper_ids):
            task.report(done, len(paper_ids))  # no title: the progress line shows file names (a "/" would cut it)
            results.append(_look_up(conn, client, paper_id, task, fetched))
        if task.cancelled():  # the last answer came after Cancel: nothing is shown, nothing applied
            raise Cancelled()
        return results

    return query


def applied_message(summary: ApplySummary) -> str:
    """What Apply did, in one status-bar line."""
    filled = len(set(summary.filled))
    parts = [f"Filled in {filled} paper{'s' if filled != 1 else ''} from arXiv"]
    if summary.merged:
        parts.append(f"merged {len(summary.merged)} into the paper already in the library")
    if summary.not_merged:
        parts.append(f"left {len(summary.not_merged)} apart from the paper with the same arXiv id")
    if summary.unchanged:
        parts.append(f"{len(summary.unchanged)} had every field already")
    return "; ".join(parts)


class ArxivLookups(QObject):
    """The window's arXiv actions: Find on arXiv for one paper, Fill in Missing Links for many."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.runner = window.runner
        self.client: ArxivClient | None = None  # made on first use (it reads ANNOTATOR_ARXIV_API then)
        self.dialog: QDialog | None = None  # the candidates or review dialog shown last
        make = window._action  # the window's own way to make an action: its tooltip and status tip
        self.find_action = make("Find on &arXiv…", self.find_selected, None,
                                "Fill in the selected paper's link, authors and abstract from arXiv")
        self.fill_session_action = make("Fill in Missing Links for &Session…", self.fill_session, None,
                                        "Look up on arXiv every paper of the selected session without a link")
        self.fill_list_action = make("Fill in Missing Links for &List…", self.fill_list, None,
                                     "Look up on arXiv every paper without a link of the list shown on the Library tab")
        self.fill_library_action = make("Fill in Missing Links for the &Whole Library…", self.fill_library, None,
                                        "Look up on arXiv every paper of the library without a link")

    def add_menu(self, bar: QMenuBar) -> QMenu:
        """The Paper menu on BAR; its actions are enabled for what is selected when it opens."""
        menu = bar.addMenu("&Paper")
        menu.addAction(self.find_action)
        menu.addSeparator()
        menu.addActions([self.fill_session_action, self.fill_list_action, self.fill_library_action])
        menu.aboutToShow.connect(self.update_actions)
        return menu

    def update_actions(self) -> None:
        idle = not self.runner.is_busy_long()  # one lookup at a time
        self.find_action.setEnabled(idle and self.selected_paper() is not None)
        self.fill_session_action.setEnabled(idle and self.window.sessions.selected_session() is not None)
        self.fill_library_action.setEnabled(idle)
        name = menu_text(str(self.window.library_view.lists.currentData(LIST_NAME_ROLE) or ""))
        list_shown = self.window.library_view.lists.currentData() is not None
        self.fill_list_action.setEnabled(idle and list_shown)
        self.fill_list_action.setText(f"Fill in Missing Links for &List “{name}”…" if list_shown
                                      else "Fill in Missing Links for &List…")

    def selected_paper(self) -> int | None:
        """The paper of the Library tab's current row when that tab is shown, else of the selected reading."""
        window = self.window
        if window.tabs.currentWidget() is window.library_view:
            return window.library_view.current_paper()
        reading_id = window.readings.selected_reading()
        row = window.readings.model.row_of(reading_id) if reading_id is not None else -1
        return window.readings.model.reading(row)["paper_id"] if row >= 0 else None

    def _client(self) -> ArxivClient:
        if self.client is None:
            self.client = ArxivClient()
        return self.client

    def _title(self, paper_id: int) -> str:
        paper = paper_detail(self.window.lib.conn, paper_id)
        return " ".join(paper["title"].split()) if paper else f"paper {paper_id}"

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 15000)

    def _busy(self) -> bool:
        """Whether a lookup is running already (then say so: a second one would wait for it, unseen)."""
        if self.runner.is_busy_long():
            self._say("A lookup on arXiv is running: wait for it, or press Cancel in its progress window")
            return True
        return False

    def _failed(self, exc: Exception) -> None:
        """Offline (or arXiv busy) is one status-bar line; a bad answer or a database error a message box."""
        if isinstance(exc, ArxivOffline):
            self._say(str(exc))
        else:
            self.runner.report(exc, self.window, "arXiv")

    # --- one paper -----------------------------------------------------------------------------

    def find_selected(self) -> None:
        paper_id = self.selected_paper()
        if paper_id is not None:
            self.find(paper_id)

    def find(self, paper_id: int) -> None:
        """Look PAPER_ID up on arXiv (by its arXiv id, else its title) and apply an exact match."""
        paper = paper_detail(self.window.lib.conn, paper_id)
        if paper is None or self._busy():  # deleted meanwhile (by the CLI), or a lookup running
            return
        client = self._client()
        title = " ".join(paper["title"].split())
        fetched: list[Answer] = []
        self.runner.query_op(self.window, lambda conn, task: _look_up(conn, client, paper_id, task, fetched),
                             self._found, "Find on arXiv").long_running() \
            .with_progress(f"Looking up “{title}” on arXiv…").failure(self._failed) \
            .after(lambda: self._remember(fetched)).run_in_background()

    def _found(self, result: LookupResult) -> None:
        if result.status == "match" and result.entry is not None:
            self._apply_one(result.paper_id, result.entry, result.duplicate_of)
        elif result.status == "ambiguous":
            dialog = CandidatesDialog(result.title, list(result.candidates), self.window)
            dialog.accepted.connect(lambda: self._picked(result.paper_id, dialog.chosen()))
            self._show(dialog)
        else:
            self._say(f"arXiv has no paper “{' '.join(result.title.split())}”: nothing was changed")

    def _picked(self, paper_id: int, entry: ArxivEntry | None) -> None:
        if entry is not None:
            self._apply_one(paper_id, entry, owner_of(self.window.lib.conn, entry.arxiv_id, paper_id))

    def _apply_one(self, paper_id: int, entry: ArxivEntry, duplicate_of: int | None) -> None:
        """Apply ENTRY to PAPER_ID; when DUPLICATE_OF already has its arXiv id, ask whether to merge the two."""
        merge = duplicate_of is not None and ask(
            self.window, "Same paper", f"arXiv {entry.arxiv_id} is already in the library as “{self._title(duplicate_of)}”."
            "\n\nMerge the two? Readings and list places move to the paper already there; nothing is lost.")
        self._apply([(paper_id, entry)], merge=merge)

    # --- many papers ---------------------------------------------------------------------------

    def fill_session(self) -> None:
        session_id = self.window.sessions.selected_session()
        if session_id is not None:
            self.fill_in("the session", session_id=session_id)

    def fill_list(self) -> None:
        list_id = self.window.library_view.lists.currentData()
        if list_id is not None:
            self.fill_in("the list", list_id=list_id)

    def fill_library(self) -> None:
        self.fill_in("the library")

    def fill_in(self, where: str, session_id: int | None = None, list_id: int | None = None) -> None:
        """Look up the papers of WHERE in the background with progress and Cancel, then show the review dialog."""
        if self._busy():
            return
        fetched: list[Answer] = []
        query = look_up_missing(self._client(), fetched, session_id=session_id, list_id=list_id)
        self.runner.query_op(self.window, query, lambda results: self._review(results, where), "Fill in Missing Links") \
            .long_running().with_progress(f"Looking up the papers of {where} without a link on arXiv…") \
            .failure(self._failed).after(lambda: self._remember(fetched)).run_in_background()

    def _review(self, results: list[LookupResult], where: str) -> None:
        if not results:
            self._say(f"Every paper of {where} has a link already")
            return
        duplicates = {r.duplicate_of: self._title(r.duplicate_of) for r in results if r.duplicate_of is not None}
        dialog = LookupReviewDialog(results, duplicates, self.window)
        dialog.accepted.connect(lambda: self._apply(dialog.chosen(), dialog.overwrite.isChecked(),
                                                    dialog.merge.isChecked()))
        self._show(dialog)

    # --- applying ------------------------------------------------------------------------------

    def _remember(self, fetched: list[Answer]) -> None:
        """Keep arXiv's answers in the library's cache (no undo step), even after Cancel or going offline."""
        if fetched:
            self.runner.collection_op(self.window, lambda lib, _task: remember(lib, fetched), "arXiv") \
                .run_in_background()

    def _show(self, dialog: QDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()  # window-modal but not exec: the runner's other results are delivered meanwhile

    def _apply(self, chosen: list[tuple[int, ArxivEntry]], overwrite: bool = False, merge: bool = False) -> None:
        """CHOSEN as one operation (one undo step)."""
        if chosen:
            self.runner.collection_op(self.window, lambda lib, _task: apply_lookups(lib, chosen, overwrite=overwrite,
                                                                                   merge=merge), "arXiv") \
                .success(lambda summary: self._say(applied_message(summary))).run_in_background()
