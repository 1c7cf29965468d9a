"""The library table's model: it holds only paper ids and reads rows a page at a time (as Anki's browser).

Opening 100k papers costs one list of ints; a row is read from the library when it first
scrolls into view, a page of PAGE_SIZE rows per query, and the last CACHED_PAGES pages are kept.
Sorting asks the owner (LibraryView) to re-query the ids in the new order: `sort_requested`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from annotator.store.library import Library
from annotator.store.paper_browser import PaperRow, paper_rows
from annotator.ui.plain_text import tooltip

PAGE_SIZE = 100
CACHED_PAGES = 30
SESSION_NAMES_SHOWN = 2

# (header, sort key in paper_browser.SORT_SQL)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Title", "title"),
    ("Authors", "authors"),
    ("arXiv", "arxiv"),
    ("Sessions", "sessions"),
    ("Lists", "lists"),
)
PAPER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ROLES = frozenset((int(_DISPLAY), int(_TOOLTIP), int(PAPER_ID_ROLE)))
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable  # computed once: painting asks per cell

_Index = QModelIndex | QPersistentModelIndex


def _names_cell(names: list[str]) -> str:
    if len(names) <= SESSION_NAMES_SHOWN:
        return ", ".join(names)
    return f"{len(names)}: " + ", ".join(names[:SESSION_NAMES_SHOWN]) + ", …"


class PaperTableModel(QAbstractTableModel):
    """Papers by id; cells are read lazily from the library in pages."""

    sort_requested = Signal(object, bool)  # sort key (None: natural order), descending

    def __init__(self, lib: Library, parent: Any = None):
        super().__init__(parent)
        self._lib = lib
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[PaperRow | None]] = OrderedDict()

    # --- contents ------------------------------------------------------------------------------

    def paper_ids(self) -> list[int]:
        """The ids shown, in row order."""
        return self._ids

    def paper_id(self, row: int) -> int:
        return self._ids[row]

    def set_ids(self, ids: list[int]) -> bool:
        """Show IDS; when they are the rows already shown, only their contents are re-read, and when
        they start with them (the rest of a ranked list after its best page), rows are added below:
        selection and scrolling stay. True in that last case."""
        if ids == self._ids:
            self.invalidate_rows()
            return False
        shown = len(self._ids)
        if 0 < shown < len(ids) and ids[:shown] == self._ids:
            self._pages.pop(shown // PAGE_SIZE, None)  # a page that was cut short
            self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
            return True
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()
        return False

    def invalidate_rows(self) -> None:
        """Forget the cached rows (paper fields, sessions or lists changed) and repaint."""
        self._pages.clear()
        if self._ids:
            last = self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def _row(self, row: int) -> PaperRow | None:
        page_number = row // PAGE_SIZE
        page = self._pages.get(page_number)
        if page is None:
            ids = self._ids[page_number * PAGE_SIZE:(page_number + 1) * PAGE_SIZE]
            fetched = paper_rows(self._lib.conn, ids)
            page = [fetched.get(paper_id) for paper_id in ids]  # None: deleted since the ids were read
            self._pages[page_number] = page
            if len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[row % PAGE_SIZE]

    # --- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():  # first: painting asks a dozen roles per cell
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        if role == PAPER_ID_ROLE:
            return self._ids[row]
        paper = self._row(row)
        if paper is None:
            return "(removed)" if index.column() == 0 and role == _DISPLAY else None
        column = COLUMNS[index.column()][1]
        if column == "title":
            text = paper.title
        elif column == "authors":
            text = paper.authors
        elif column == "arxiv":
            text = paper.arxiv_id
        else:
            names = paper.sessions if column == "sessions" else paper.lists
            text = "\n".join(names) if role == _TOOLTIP else _names_cell(names)
        return (tooltip(text) or None) if role == _TOOLTIP else text

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _CELL_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask for the ids in COLUMN's order (-1: natural order); the owner re-queries them."""
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)
