"""The Library tab: every paper in one table, full-text search as you type, imported paper lists.

Ids come from the runner's "newest" queries (a keystroke never waits for 100k rows, and a newer
one interrupts an older), the table reads rows lazily (PaperTableModel), and refresh(changes)
re-reads only what an operation changed.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.store import queries
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.paper_browser import (
    PaperQuery,
    first_matches,
    match_count,
    paper_detail,
    paper_ids,
    ranked_page,
    session_of_hit,
)
from annotator.store.queries import SearchCut
from annotator.store.read_connection import Connection
from annotator.store.search_pages import PAGE_SIZE, kept_page, remember_page, same_search
from annotator.ui.column_state import ColumnState
from annotator.ui.operation_runner import OperationRunner, Task
from annotator.ui.organise_menus import PaperListMenus
from annotator.ui.paper_actions import FIND_ON_ARXIV, add_paper_actions
from annotator.ui.paper_detail_pane import PaperDetailPane
from annotator.ui.paper_editor import PaperEditorDialog, open_paper_editor
from annotator.ui.paper_table_model import COLUMNS, PaperTableModel
from annotator.ui.plain_text import SteadyLabel, menu_text, tooltip

SEARCH_DELAY_MS = 150
HITS_SHOWN = 100
FIRST_MATCHES = PAGE_SIZE  # rows shown before the whole ranked list: its best page (or, cut short, the first matches)
HIT_KINDS = ("session", "notes")  # papers are ranked in the table itself
_HIT_LABELS = {"paper": "Paper", "session": "Session", "notes": "Notes"}
SEARCH_GROUP = "library search"
LIST_NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # a paper list's own name; the box shows it with its count
TARGET_WIDTH_CHARS = 24  # the Add button's session id is shortened to about this (a 20-character hash id fits)
ADD_TIP = "Add the selected papers as readings of the session selected on the Sessions tab"
SEARCH_MIN_CHARS = 16
COUNT_ROOM_FOR = "100,000 papers match"  # the count's width at least, whatever it says: the search box must not move
DETAILS_BESIDE_CHARS = 150  # a narrower tab shows a paper's details under the table


def hit_cells(hit: dict[str, Any]) -> tuple[str, str, str]:
    """The results list's (kind, where, match) cells for a queries.search hit."""
    kind = _HIT_LABELS.get(hit["type"], hit["type"])
    snippet = " ".join(str(hit["snippet"]).split())
    if hit["type"] == "session":
        return kind, str(hit["id"]), snippet
    return kind, " ".join(str(hit["title"]).split()), snippet


def _library_job(conn: Connection, task: Task, query: PaperQuery, with_hits: bool, typing: bool = False) -> None:
    """Answer the table's "ids" for QUERY, then (a search) the sessions and notes "hits".

    A search in relevance order that matches more papers than a page answers its best page first
    ("page": (ids, how many match or None)), then "count", then the whole ranked list: bm25 scores
    every match (about 1 µs each, and a one-letter prefix matches most of 100k papers), so a page
    is quicker than all. While the user is TYPING, the rest waits for a pause in the typing: ranked
    at once, it would slow down the painting of the page (a laptop's cores are few), and the next
    keystroke would throw it away. The page may come from rankings kept while the window was idle
    (store/search_pages.py: one half-typed word, or several words whose others are common), and is
    then answered at once.
    """
    searching = bool(query.text.strip())
    ids = page = count = None
    try:
        if searching and query.sort is None and query.list_id is None:
            page, count = kept_page(conn, query.text) or (_ranked_as_typed(conn, query.text), None)
            if len(page) < FIRST_MATCHES:
                ids = page  # every match: the whole list
            else:
                task.answer("page", (page, count))
                if count is None:
                    task.answer("count", count := match_count(conn, query.text))
                if typing and task.cancelled_within(SEARCH_DELAY_MS / 1000):
                    return  # the user typed on
        task.answer("ids", ids if ids is not None else paper_ids(conn, query))
    except SearchCut as cut:  # over its time budget: the best page, or else the first matches, is what there is
        if page is not None:
            of = f" of {count:,}" if count is not None else ""
            task.answer("cut", (page, f"{cut}: showing the best {len(page):,}{of} matches"))
        else:
            found = first_matches(conn, query.text, FIRST_MATCHES, list_id=query.list_id)
            task.answer("cut", (found, f"{cut}: showing the first {len(found):,} matches, not the best"))
    if with_hits and searching:  # after the ids: the table is what the user waits for
        task.answer("hits", queries.search(conn, query.text, HITS_SHOWN, HIT_KINDS))


def _ranked_as_typed(conn: Connection, text: str) -> list[int]:
    """The best page of a search no kept ranking answers, remembered for the next keystrokes that are
    the same search (when the library did not change meanwhile: what it searches for names its state)."""
    search = same_search(conn, text)
    page = ranked_page(conn, text, FIRST_MATCHES)
    if search is not None and same_search(conn, text) == search:
        remember_page(search, page)
    return page


class LibraryView(QWidget):
    """All papers: search, paper lists, details, and "Add to session…"."""

    add_to_session_requested = Signal(list)  # paper ids
    status_message = Signal(str)
    session_requested = Signal(int)  # a session row id the user asked to open (hit or detail link)
    arxiv_requested = Signal(int)  # paper id to look up on arXiv

    def __init__(self, lib: Library, runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.lib = lib
        self.runner = runner
        self.model = PaperTableModel(lib, self)
        self._query = PaperQuery(sort="title")
        self._announced: PaperQuery | None = None  # the search whose count the status bar was last told
        self._ids_stale = True  # read on the first show: building the main window costs nothing
        self._lists_stale = True
        self._restore: tuple[list[int], int | None] = ([], None)
        self._target: str | None = None  # the code of the session Add adds to
        self._hits_due = False  # the search text's hits are asked for and not shown yet

        self.lists = QComboBox()
        self.lists.setToolTip("Show all papers, or one imported paper list in its own order")
        # A long list name must not set the window's minimum width; the open list shows names whole.
        self.lists.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.lists.setMinimumContentsLength(14)
        self.search = QLineEdit(placeholderText="Search papers, sessions and notes (Ctrl+F)")
        self.search.setToolTip("Search titles, abstracts, authors, sessions and notes as you type")
        self.search.setClearButtonEnabled(True)
        # In a narrow window the search box keeps room for a few words; the count beside it gives
        # way first (the status bar says it whole too).
        self.search.setMinimumWidth(self.search.fontMetrics().averageCharWidth() * SEARCH_MIN_CHARS)
        self.add_button = QPushButton("Add to session…")
        self.add_button.setToolTip(ADD_TIP)
        self.add_button.setEnabled(False)
        self.edit_button = QPushButton("Edit Paper…")
        self.edit_button.setToolTip("Correct the selected paper's title, URL, authors or abstract")
        self.edit_button.setEnabled(False)
        self.count_label = SteadyLabel(COUNT_ROOM_FOR)  # names a paper list and the search text

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setObjectName("paperTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row size hints over 100k rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        for column, width in enumerate((0, 160, 90, 130, 110)):
            if width:
                header.resizeSection(column, width)
        self.columns = ColumnState(self.table, keep=(0,))  # (no fit to contents: rows are read lazily)
        self.table.setSortingEnabled(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.hits = QTreeWidget()
        self.hits.setObjectName("searchHits")
        self.hits.setHeaderLabels(["Also found in", "Where", "Match"])
        self.hits.setToolTip("Sessions and reading notes that match; Enter or double-click opens the session")
        self.hits.setRootIsDecorated(False)
        self.hits.setUniformRowHeights(True)
        self.hits.setColumnWidth(0, 110)
        self.hits.setColumnWidth(1, 300)
        self.hits.hide()
        self.detail = PaperDetailPane()

        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.lists)
        top.addWidget(self.search, 2)  # room to spare goes two parts to the search box, one to the count
        top.addWidget(self.count_label, 1)
        top.addWidget(self.edit_button)
        top.addWidget(self.add_button)
        results = QSplitter(Qt.Orientation.Vertical)
        results.addWidget(self.table)
        results.addWidget(self.hits)
        results.setStretchFactor(0, 3)
        results.setStretchFactor(1, 1)
        results.setChildrenCollapsible(False)
        self.panes = QSplitter(Qt.Orientation.Horizontal)
        self.panes.addWidget(results)
        self.panes.addWidget(self.detail)
        self.panes.setStretchFactor(0, 5)
        self.panes.setStretchFactor(1, 2)
        self.panes.setSizes([900, 360])
        self.panes.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.panes, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_now)
        self.search.textChanged.connect(self._text_changed)
        self.search.returnPressed.connect(self._search_now)
        for key, slot in ((Qt.Key.Key_Escape, self.search.clear), (Qt.Key.Key_Down, self._focus_table)):
            QShortcut(QKeySequence(key), self.search, slot, context=Qt.ShortcutContext.WidgetShortcut)
        self.lists.currentIndexChanged.connect(self._list_chosen)
        self.model.sort_requested.connect(self._sort)
        self.model.modelReset.connect(self._model_reset)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.add_button.clicked.connect(self._request_add)
        self.edit_button.clicked.connect(self.edit_current_paper)
        self.hits.itemActivated.connect(lambda item, _column: self._hit_activated(item))
        self.detail.session_requested.connect(self.session_requested)
        self.list_menus = PaperListMenus(self)

    # --- public --------------------------------------------------------------------------------

    def refresh(self, changes: Changes | None) -> None:
        """Re-read what CHANGES touched (None: everything); hidden, it waits until shown."""
        if changes is None or changes.lists:
            self._lists_stale = True
        if changes is None or changes.papers or changes.lists:
            self._ids_stale = True
        elif changes.sessions or changes.courses:
            self.model.invalidate_rows()  # the sessions column; rows are re-read as they are painted
            self._show_detail(self.current_paper())
        if self._query.text.strip() and (changes is None or changes.sessions or changes.courses):
            # the hits name a session by course and id (a renamed course's would open nothing) and quote notes
            self._hits_due = self._ids_stale = True
        if self.isVisible():
            self._load_stale()

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Ctrl+F)."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def selected_paper_ids(self) -> list[int]:
        """The selected papers, in table order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return list(dict.fromkeys(self.model.paper_id(row) for row in rows))

    def current_paper(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.paper_id(index.row()) if index.isValid() else None

    def is_loading(self) -> bool:
        """True while a search or sort has not answered yet."""
        return self.runner.is_searching(SEARCH_GROUP)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # In a narrow window the details go under the table: the titles keep a readable width.
        beside = self.width() >= DETAILS_BESIDE_CHARS * self.fontMetrics().averageCharWidth()
        orientation = Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical
        if self.panes.orientation() != orientation:
            self.panes.setOrientation(orientation)
            length = self.panes.width() if beside else self.panes.height()
            self.panes.setSizes([length * 5 // 7, length - length * 5 // 7])

    # --- loading -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_stale()

    def _load_stale(self) -> None:
        if self._lists_stale:
            self._lists_stale = False
            self._reload_lists()
        if self._ids_stale:
            self._ids_stale = False
            self._run_query(with_hits=False)

    def _reload_lists(self) -> None:
        chosen = self.lists.currentData()
        self.lists.blockSignals(True)
        self.lists.clear()
        self.lists.addItem("All papers", None)
        for paper_list in queries.paper_lists(self.lib.conn):
            self.lists.addItem(f"{paper_list['name']} ({paper_list['papers']})", paper_list["id"])
            self.lists.setItemData(self.lists.count() - 1, paper_list["name"], LIST_NAME_ROLE)
        found = self.lists.findData(chosen)
        self.lists.setCurrentIndex(max(found, 0))
        self.lists.blockSignals(False)
        if found < 0 and chosen is not None:  # the shown list was deleted (or its import undone)
            self._list_chosen()

    def _run_query(self, with_hits: bool, typing: bool = False) -> None:
        """Ask for the ids of self._query (and the search hits) in the background; TYPING: the
        user is typing the search (see _library_job)."""
        selected, current = self.selected_paper_ids(), self.current_paper()
        if not selected and current is None and self.is_loading():
            selected, current = self._restore  # only a best page is shown: what was selected before it
        self._restore = (selected if len(selected) <= 1000 else [], current)
        query = self._query
        # a sort, a list or a refresh interrupts a search still owing its hits: this query owes them then
        with_hits = with_hits or self._hits_due
        self._hits_due = with_hits and bool(query.text.strip())
        self.runner.query_op(self, partial(_library_job, query=query, with_hits=with_hits, typing=typing),
                             lambda _none: None) \
            .newest(SEARCH_GROUP).answers(self._answered) \
            .failure(lambda exc: self.status_message.emit(f"cannot read the library: {exc}")).run_in_background()
        if with_hits and not query.text.strip():
            self.hits.clear()
            self.hits.hide()

    def _answered(self, name: str, result: Any) -> None:
        if name == "page":  # (the best ids, how many match or None): the rest follows in "ids"
            ids, count = result
            self.model.set_ids(ids)
            if count is None:
                self.count_label.setText("ranking…")
            else:
                self._announce(count)
        elif name == "count":
            self._announce(result)
        elif name in ("ids", "cut"):  # "cut": (the first matches, why) when ranking ran out of time
            ids, cut = (result, "") if name == "ids" else result
            selected, current = self._restore
            added_below = self.model.set_ids(ids)  # below the best page: no reset, so select them here
            if added_below and (selected or current is not None) and not self.table.selectionModel().hasSelection():
                self._model_reset()
            self._restore = ([], None)
            self._show_detail(self.current_paper())  # the same rows keep their current one: its fields may have changed
            if cut:
                self.count_label.setText(cut)
                self.status_message.emit(cut)
            else:
                self._announce(len(ids))
        elif name == "hits":
            self._hits_due = False
            self._show_hits(result)

    def _announce(self, count: int) -> None:
        noun = "paper" if count == 1 else "papers"
        text = self._query.text.strip()
        where = f" in “{self.lists.currentData(LIST_NAME_ROLE)}”" if self._query.list_id is not None else ""
        verb = "matches" if count == 1 else "match"
        message = f"{count:,} {noun}{where} {verb} “{text}”" if text else f"{count:,} {noun}{where}"
        if queries.words_left_out(text):
            message += f" (its first {queries.MAX_WORDS} distinct words)"
        self.count_label.setText(message, short=f"{count:,} {noun}")
        if self._query != self._announced:  # a re-read of the same search leaves the status bar to the edit that caused it
            self._announced = self._query
            self.status_message.emit(message)
        if count == 0 and not text and self._query.list_id is None:
            self.detail.show_placeholder("No papers yet: import a session post or a paper list (File ▸ Import…).")

    def _model_reset(self) -> None:
        """Re-select what was selected before the ids changed, when it is still shown."""
        selected, current = self._restore
        wanted = set(selected) | ({current} if current is not None else set())
        if not wanted:
            self._show_detail(None)
            return
        rows = {pid: row for row, pid in enumerate(self.model.paper_ids()) if pid in wanted}
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        for pid in selected:
            if pid in rows:
                selection.select(self.model.index(rows[pid], 0), self.model.index(rows[pid], last_column))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(selection, flags)
        if current in rows:
            index = self.model.index(rows[current], 0)
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(index)
        else:
            self._show_detail(None)

    # --- user actions --------------------------------------------------------------------------

    def _text_changed(self, _text: str) -> None:
        self._search_timer.start()
        if self._query.text.strip() and self.is_loading():
            # What the running search still works out (the rest of its list, its hits) is for the old
            # text: stop it now rather than when the next search starts, which it would slow down.
            self.runner.cancel_newest(SEARCH_GROUP)
            self._ids_stale = True  # (the same text typed back must be searched again)

    def _search_now(self) -> None:
        self._search_timer.stop()
        text = self.search.text()
        if text == self._query.text and not self._ids_stale:
            return
        self._set_filter(text, self._query.list_id)
        self._run_query(with_hits=True, typing=True)

    def _list_chosen(self, _index: int = 0) -> None:
        self._set_filter(self._query.text, self.lists.currentData())
        self._run_query(with_hits=False)

    def _set_filter(self, text: str, list_id: int | None) -> None:
        """Filter by TEXT and LIST_ID; starting or ending a search, or changing list, resets the order
        to that filter's own (relevance, list order, or titles A–Z)."""
        sort, descending = self._query.sort, self._query.descending
        if bool(text.strip()) != bool(self._query.text.strip()) or list_id != self._query.list_id:
            sort, descending = (None if text.strip() or list_id is not None else "title"), False
        self._query = PaperQuery(text, list_id, sort, descending)
        column = next((i for i, (_, key) in enumerate(COLUMNS) if key == sort), -1)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)  # _sort sees nothing new: no query

    def _sort(self, key: str | None, descending: bool) -> None:
        if (key, descending) == (self._query.sort, self._query.descending):
            return
        self._query = PaperQuery(self._query.text, self._query.list_id, key, descending)
        if not self._ids_stale:  # before the first show, the first load uses this order
            self._run_query(with_hits=False)

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            # The view keeps a current row through a search without selecting it: select it, so that
            # Edit Paper and Add to Session work on the row the details show.
            current = self.table.currentIndex()
            self.table.selectRow(current.row() if current.isValid() else 0)

    def edit_current_paper(self) -> PaperEditorDialog | None:
        """Open the editor on the current paper (window-modal); the dialog, or None."""
        paper_id = self.current_paper()
        return open_paper_editor(self.lib, paper_id, self.runner, self) if paper_id is not None else None

    def context_menu_for(self, paper_id: int) -> QMenu:
        """The menu a right-click on a paper shows: its link, Add to Session, Edit Paper."""
        menu = QMenu(self)
        add_paper_actions(menu, paper_detail(self.lib.conn, paper_id) or {})
        menu.addSeparator()
        add = menu.addAction(self.add_button.text(), self._request_add)  # (its "&&" shows as one "&" here too)
        add.setEnabled(self.add_button.isEnabled())
        menu.addAction("Edit Paper…", lambda: open_paper_editor(self.lib, paper_id, self.runner, self))
        menu.addAction(FIND_ON_ARXIV, lambda: self.arxiv_requested.emit(paper_id))
        return menu

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        paper_id = self.model.paper_id(index.row()) if index.isValid() else None
        if paper_id is not None:
            if not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
                self.table.selectRow(index.row())
            self.context_menu_for(paper_id).exec(self.table.viewport().mapToGlobal(position))

    def _request_add(self) -> None:
        ids = self.selected_paper_ids()
        if ids:
            self.add_to_session_requested.emit(ids)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        count = len(self.table.selectionModel().selectedRows())
        self.add_button.setEnabled(count > 0)
        self.edit_button.setEnabled(count == 1)
        self._name_add_button()

    def set_target_session(self, code: str | None) -> None:
        """The session the Sessions tab has selected, which Add adds to (CODE None: none is selected)."""
        self._target = code
        self._name_add_button()

    def _name_add_button(self) -> None:
        """"Add 3 to W05.1" names where the papers go; without a session, "Add to session…" asks for one."""
        count = len(self.table.selectionModel().selectedRows())
        what = f"Add {count}" if count > 1 else "Add"
        # An id may be a post's whole file name: shortened, so that the button cannot widen the window.
        metrics = self.add_button.fontMetrics()
        code = metrics.elidedText(self._target or "", Qt.TextElideMode.ElideMiddle,
                                  TARGET_WIDTH_CHARS * metrics.averageCharWidth())
        where = f"to {menu_text(code)}" if self._target else "to session…"
        self.add_button.setText(f"{what} {where}")
        self.add_button.setToolTip(tooltip(f"Add the selected papers as readings of {self._target}" if self._target
                                           else ADD_TIP))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(self.model.paper_id(current.row()) if current.isValid() else None)

    def _show_detail(self, paper_id: int | None) -> None:
        paper = paper_detail(self.lib.conn, paper_id) if paper_id is not None else None
        if paper is None:
            self.detail.show_placeholder("Select a paper to see its details.")
        else:
            self.detail.show_paper(paper)

    # --- search hits ---------------------------------------------------------------------------

    def _show_hits(self, hits: list[dict[str, Any]]) -> None:
        self.hits.clear()
        items = []
        for hit in hits:
            item = QTreeWidgetItem(list(hit_cells(hit)))
            item.setData(0, Qt.ItemDataRole.UserRole, hit)
            item.setToolTip(2, tooltip(str(hit["snippet"])))
            items.append(item)
        self.hits.addTopLevelItems(items)
        self.hits.setVisible(bool(items))  # no empty pane under the table

    def _hit_activated(self, item: QTreeWidgetItem) -> None:
        hit = item.data(0, Qt.ItemDataRole.UserRole)
        session_id = session_of_hit(self.lib.conn, hit) if hit else None
        if session_id is not None:
            self.session_requested.emit(session_id)
