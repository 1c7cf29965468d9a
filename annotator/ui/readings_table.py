"""The readings of one session, in order: a table you reorder by dragging rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.store import queries
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.pane_rows import session_heading
from annotator.ui.column_state import ColumnState
from annotator.ui.paper_actions import FIND_ON_ARXIV, add_paper_actions
from annotator.ui.plain_text import escape, tooltip

READING_MIME = "application/x-annotator-reading-ids"
READING_ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("#", "Title", "Team", "Videos", "Notes")
TITLE_COLUMN = 1


class ReadingsModel(QAbstractTableModel):
    """Rows are one session's readings; dropping rows asks (via `move_requested`) for a move."""

    move_requested = Signal(int, int)  # reading id, new 1-based position

    def __init__(self, lib: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self._lib = lib
        self.session_id: int | None = None
        self._rows: list[dict[str, Any]] = []

    def show_session(self, session_id: int | None) -> None:
        """Load SESSION_ID's readings (none when None)."""
        self.beginResetModel()
        self.session_id = session_id
        self._rows = queries.session_readings(self._lib.conn, session_id) if session_id is not None else []
        self.endResetModel()

    def reload(self) -> None:
        """Re-read the session: in place when the same readings are in the same order."""
        if self.session_id is None:
            return
        rows = queries.session_readings(self._lib.conn, self.session_id)
        if [r["reading_id"] for r in rows] != [r["reading_id"] for r in self._rows]:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return
        old, self._rows = self._rows, rows
        for row, (before, after) in enumerate(zip(old, rows, strict=True)):
            if before != after:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def reading_ids(self) -> list[int]:
        return [r["reading_id"] for r in self._rows]

    def reading(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def row_of(self, reading_id: int) -> int:
        """The row showing READING_ID, or -1."""
        return next((i for i, r in enumerate(self._rows) if r["reading_id"] == reading_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r["position"], r["title"], r["team"], len(r["videos"]) or "", "yes" if r["notes"].strip() else "")[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return tooltip("\n".join(x for x in (r["title"], r["url"], r["authors"]) if x))
            if column == 3 and r["videos"]:
                return tooltip("\n".join(r["videos"]))
            if column == 4 and r["notes"].strip():
                return tooltip(r["notes"][:400])
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3, 4):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == READING_ID_ROLE:
            return r["reading_id"]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [READING_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        ids = sorted({self._rows[i.row()]["reading_id"] for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(READING_MIME, QByteArray(",".join(map(str, ids)).encode("ascii")))
        return mime

    def _dropped_ids(self, data: QMimeData) -> list[int]:
        if not data.hasFormat(READING_MIME):
            return []
        text = bytes(data.data(READING_MIME).data()).decode("ascii", "replace")
        return [int(x) for x in text.split(",") if x.isdigit() and int(x) in self.reading_ids()]

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: QModelIndex | QPersistentModelIndex) -> bool:
        return action == Qt.DropAction.MoveAction and len(self._dropped_ids(data)) == 1

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: QModelIndex | QPersistentModelIndex) -> bool:
        """Dropping one reading before ROW (or onto PARENT's row) moves it there."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        reading_id = self._dropped_ids(data)[0]
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self._rows))
        source = self.row_of(reading_id)
        position = target if target > source else target + 1
        if position == source + 1:
            return False
        # After the view has finished its drag handling: the move refreshes (resets) this model.
        QTimer.singleShot(0, lambda: self.move_requested.emit(reading_id, position))
        return False  # the view must not remove the source row: the store moves it


class ReadingsPanel(QWidget):
    """Heading, the readings table and Add / Remove buttons for the selected session."""

    reading_selected = Signal(object)  # reading id or None
    add_from_library_requested = Signal()
    add_by_title_requested = Signal()
    remove_requested = Signal()
    edit_paper_requested = Signal(int)  # paper id
    arxiv_requested = Signal(int)  # paper id to look up on arXiv

    def __init__(self, lib: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self._lib = lib
        self.model = ReadingsModel(lib, self)
        self._heading: tuple[str, str] | None = None  # (code, title) of the session shown, read when it changes
        self.heading = QLabel(textFormat=Qt.TextFormat.RichText)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # One line whatever the title (it is elided, the tooltip has it all): the table below never moves when
        # another session is shown, and the heading never widens the panes.
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropOverwriteMode(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setToolTip("Drag a row to change the order of the readings; right-click for more")
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)  # takes the free width
        self.columns = ColumnState(self.table, fit=(0, 2, 3, 4), keep=(TITLE_COLUMN,))
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self._resetting = False
        self.model.modelAboutToBeReset.connect(lambda: setattr(self, "_resetting", True))
        self.model.modelReset.connect(self._restore_selection)
        # One button with a menu for the rarer way in: two wide buttons would set a narrow pane's minimum.
        self.add_library_button = QToolButton(text="Add from Library…", popupMode=QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.add_library_button.setToolTip("Pick papers of the library to add as readings (the arrow: add by title or URL)")
        self.add_library_button.clicked.connect(self.add_from_library_requested)
        add_menu = QMenu(self.add_library_button)
        add_menu.addAction("Add from Library…", self.add_from_library_requested.emit)
        self.add_title_action = add_menu.addAction("Add by Title/URL…", self.add_by_title_requested.emit)
        self.add_title_action.setToolTip("Add a paper that is not in the library yet")
        self.add_library_button.setMenu(add_menu)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected reading from the session (the paper stays in the library)")
        self.remove_button.clicked.connect(self.remove_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_library_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selected: int | None = None
        self.show_session(None)

    def show_session(self, session_id: int | None) -> None:
        """Show SESSION_ID's readings (nothing selected)."""
        self._selected = None
        self.model.show_session(session_id)
        self._update_heading()
        self.reading_selected.emit(None)

    def _update_heading(self) -> None:
        session_id = self.model.session_id
        self._heading = None if session_id is None else session_heading(self._lib.conn, session_id)
        self._show_heading()
        self.add_library_button.setEnabled(self._heading is not None)
        self.remove_button.setEnabled(self._selected is not None)

    def _show_heading(self) -> None:
        """The session's id, its title elided to the width there is, and its count of readings, on one line."""
        if self._heading is None:
            self.heading.setText("<i>Select a session on the left to see its readings.</i>")
            return
        code, title = self._heading
        count = self.model.rowCount()
        readings = f"{count} reading{'s' if count != 1 else ''}"
        bold = QFont(self.heading.font())
        bold.setBold(True)
        room = self.heading.width() - QFontMetrics(bold).horizontalAdvance(code) \
            - self.heading.fontMetrics().horizontalAdvance(f" —  ({readings})  ")
        shown = self.heading.fontMetrics().elidedText(title or "untitled", Qt.TextElideMode.ElideRight, max(room, 0))
        self.heading.setText(f"<b>{escape(code)}</b> — {escape(shown)} <span style='color:gray'>({readings})</span>")
        self.heading.setToolTip(tooltip(f"{code} — {title} ({readings})"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_heading()  # the title takes the width there is (no query: a drag resizes many times)

    def _current_changed(self, current: QModelIndex) -> None:
        if self._resetting:
            return
        reading_id = current.data(READING_ID_ROLE) if current.isValid() else None
        if reading_id != self._selected:
            self._selected = reading_id
            self.remove_button.setEnabled(reading_id is not None)
            self.reading_selected.emit(reading_id)

    def _restore_selection(self) -> None:
        self._resetting = False
        if self._selected is not None and not self.select_reading(self._selected):
            self._selected = None
            self.remove_button.setEnabled(False)
            self.reading_selected.emit(None)

    def context_menu_for(self, row: int) -> QMenu:
        """The menu a right-click on ROW shows: the paper's link, its place in the session, Edit Paper, Remove."""
        reading = self.model.reading(row)
        menu = QMenu(self)
        add_paper_actions(menu, reading)
        menu.addSeparator()
        up = menu.addAction("Move Up", lambda: self.model.move_requested.emit(reading["reading_id"], row))
        down = menu.addAction("Move Down", lambda: self.model.move_requested.emit(reading["reading_id"], row + 2))
        up.setEnabled(row > 0)
        down.setEnabled(row + 1 < self.model.rowCount())
        menu.addAction("Edit Paper…", lambda: self.edit_paper_requested.emit(reading["paper_id"]))
        menu.addAction(FIND_ON_ARXIV, lambda: self.arxiv_requested.emit(reading["paper_id"]))
        menu.addSeparator()
        menu.addAction("Remove Reading", self.remove_requested.emit)
        return menu

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        self.context_menu_for(index.row()).exec(self.table.viewport().mapToGlobal(position))

    def selected_reading(self) -> int | None:
        return self._selected

    def select_reading(self, reading_id: int) -> bool:
        """Make READING_ID the current row; False when the session does not have it."""
        row = self.model.row_of(reading_id)
        if row < 0:
            return False
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def refresh(self, changes: Changes | None) -> None:
        """Re-read the readings if CHANGES names the shown session (or papers it shows)."""
        session_id = self.model.session_id
        if session_id is None:
            return
        if session_heading(self._lib.conn, session_id) is None:  # deleted (by undo, or elsewhere)
            self.show_session(None)
            return
        shown_papers = {r["paper_id"] for r in (self.model.reading(i) for i in range(self.model.rowCount()))}
        if changes is None or session_id in changes.sessions or shown_papers & changes.papers:
            self.model.reload()
            self.columns.apply()  # a team or videos cell edited in place may be wider now
            self._update_heading()
