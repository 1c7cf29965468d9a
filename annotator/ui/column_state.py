"""Columns the user shows, hides and resizes, remembered by column name (as Zotero's item tree does).

`ColumnState` puts a menu of checkable columns on a table's or tree's header, keeps the widths
the user dragged, and re-applies both whenever the model is reset: the Workload grid's columns
change with the course, so a width belongs to a column's name, not to its position. The view's
own layout (fit to contents, stretch) runs first; the user's choices win over it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QTreeView

_INTERACTIVE = QHeaderView.ResizeMode.Interactive
MAX_WIDTH = 20_000  # px, wider than any screen: a larger saved width is a damaged settings file (Qt's int overflows)


class ColumnState(QObject):
    """Show/hide/resize for VIEW's columns; FIT columns are sized to their contents until the user resizes
    them (MEASURE, when given, says how wide a column's contents are); KEEP columns cannot be hidden
    (a tree's first column holds its branches). `applied` after every (re)sizing of the columns."""

    applied = Signal()

    def __init__(self, view: QTableView | QTreeView, fit: Iterable[int] = (), keep: Iterable[int] = (),
                 measure: Callable[[int], int] | None = None):
        super().__init__(view)
        self.view = view
        self.header: QHeaderView = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
        self._fit = set(fit)
        self._measure = measure
        self._keep = set(keep)
        self._hidden: set[str] = set()  # by the user
        self._unavailable: set[int] = set()  # by the view itself (e.g. Site before a course is linked)
        self._widths: dict[str, int] = {}  # dragged by the user
        self._laying_out = 0
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self._show_menu)
        self.header.sectionResized.connect(self._resized)
        model = view.model()
        model.modelReset.connect(self.apply)
        model.headerDataChanged.connect(lambda *_args: self.apply())

    def name(self, column: int) -> str:
        return str(self.view.model().headerData(column, Qt.Orientation.Horizontal) or "")

    @contextmanager
    def laying_out(self) -> Iterator[None]:
        """Resizes made inside are the view's own, not the user's."""
        self._laying_out += 1
        try:
            yield
        finally:
            self._laying_out -= 1

    def _resized(self, column: int, _old: int, new: int) -> None:
        if not self._laying_out and self.header.sectionResizeMode(column) == _INTERACTIVE and new > 0:
            self._widths[self.name(column)] = new

    # --- showing and hiding ----------------------------------------------------------------------

    def menu(self) -> QMenu:
        """The header's menu: one checkable entry per column the view offers."""
        menu = QMenu(self.header)
        count = self.header.count()
        shown = [c for c in range(count) if not self.header.isSectionHidden(c)]
        for column in range(count):
            if column in self._unavailable:
                continue
            action = menu.addAction(self.name(column) or f"Column {column + 1}")
            action.setCheckable(True)
            action.setChecked(column in shown)
            # The last column shown stays: a header without columns has nowhere to right-click.
            action.setEnabled(column not in self._keep and shown != [column])
            action.toggled.connect(lambda on, c=column: self.set_hidden(c, not on))
        menu.addSeparator()
        menu.addAction("Fit Columns to Contents", self.reset_widths)
        return menu

    def _show_menu(self, position: QPoint) -> None:
        self.menu().exec(self.header.mapToGlobal(position))

    def set_hidden(self, column: int, hidden: bool) -> None:
        """Hide or show COLUMN, as the user chose it (remembered by name)."""
        name = self.name(column)
        if hidden and column not in self._keep:
            self._hidden.add(name)
        else:
            self._hidden.discard(name)
        self.apply()

    def is_hidden(self, column: int) -> bool:
        return self.header.isSectionHidden(column)

    def set_available(self, column: int, available: bool) -> None:
        """Whether the view has COLUMN to show at all (the user's choice applies only then)."""
        if available:
            self._unavailable.discard(column)
        else:
            self._unavailable.add(column)
        self.apply()

    def user_sized(self, column: int) -> bool:
        """Whether the user dragged COLUMN's width (then the view leaves it as it is)."""
        return self.name(column) in self._widths

    def reset_widths(self) -> None:
        """Forget the user's widths: every column takes the view's own size again."""
        self._widths.clear()
        self.apply()

    # --- applying and remembering ----------------------------------------------------------------

    def apply(self) -> None:
        """Hide what the user hid, then size the columns: the user's width, else contents for FIT columns."""
        with self.laying_out():
            for column in range(self.header.count()):
                name = self.name(column)
                hidden = column in self._unavailable or (name in self._hidden and column not in self._keep)
                if self.header.isSectionHidden(column) != hidden:
                    self.header.setSectionHidden(column, hidden)
                if hidden or self.header.sectionResizeMode(column) != _INTERACTIVE:
                    continue
                if name in self._widths:
                    self.header.resizeSection(column, self._widths[name])
                elif column in self._fit:
                    self.fit(column)
        self.applied.emit()

    def fitted_width(self, column: int) -> int:
        """How wide COLUMN is when fitted: its widest cell or its header, whichever is wider."""
        view: QAbstractItemView = self.view
        contents = self._measure(column) if self._measure is not None else view.sizeHintForColumn(column)
        return max(contents, self.header.sectionSizeHint(column))

    def fit(self, column: int) -> None:
        """COLUMN as wide as its widest cell or its header, whichever is wider."""
        self.header.resizeSection(column, self.fitted_width(column))

    def state(self) -> str:
        """The user's choices as one line of JSON, for QSettings."""
        return json.dumps({"hidden": sorted(self._hidden), "widths": self._widths}, sort_keys=True)

    def restore(self, text: object) -> None:
        """Take back choices saved by state(); anything unreadable leaves the defaults."""
        try:
            saved = json.loads(text) if isinstance(text, str) else {}
        except ValueError:
            saved = {}
        if not isinstance(saved, dict):
            saved = {}
        hidden, widths = saved.get("hidden", []), saved.get("widths", {})
        self._hidden = {str(name) for name in hidden} if isinstance(hidden, list) else set()
        self._widths = ({str(k): int(v) for k, v in widths.items() if isinstance(v, int) and 0 < v <= MAX_WIDTH}
                        if isinstance(widths, dict) else {})
        self.apply()
