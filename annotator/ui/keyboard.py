"""The keyboard: Edit ▸ Cut/Copy/Paste/Select All for whatever has the focus, and Help ▸ Keyboard Shortcuts.

The Edit menu's clipboard actions act on the focused widget. A text field or editor does it
itself (it takes its own standard keys first); a table of readings or papers copies its selected
papers as Markdown links, as a post writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.plain_text import plain_label, shown_menu_text

EDIT_COMMANDS = ("cut", "copy", "paste", "selectAll")


def edit_focused(command: str, copy_papers: Callable[[QWidget], str | None]) -> bool:
    """Run COMMAND (one of EDIT_COMMANDS) on the focused widget; True when something took it.

    A widget without that command is asked COPY_PAPERS(widget) for Copy: the Markdown of the papers
    it has selected, or None.
    """
    widget = QApplication.focusWidget()
    if widget is None:
        return False
    method = getattr(widget, command, None)
    if callable(method):
        method()
        return True
    if command == "copy":
        text = copy_papers(widget)
        if text:
            QGuiApplication.clipboard().setText(text)
            return True
    return False


SHORT_NAME = "short name"  # QAction.data() of an action listed by its icon text (its menu text changes)


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what it does, its keys) for each action that has a shortcut, without the menus' `&` marks, by name."""
    rows = {}
    for action in actions:
        keys = ", ".join(sequence.toString() for sequence in action.shortcuts() if not sequence.isEmpty())
        if keys:
            # The menu's text without its `&` marks (`&&` stays a literal `&`), but for Undo and Redo, whose menu
            # text names the step they take: their short (toolbar) name. A toolbar's short "Export" would not
            # say which export, so the menu's text is the name otherwise.
            name = action.iconText() if action.data() == SHORT_NAME else shown_menu_text(action.text())
            rows[name.rstrip("…").strip()] = keys
    return sorted(rows.items(), key=lambda row: row[0].casefold())


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard Shortcuts: every shortcut of the window, in a table that reads like a menu."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        # Compact, like a menu: rows one line high, no grid, the names taking the width and the keys beside them.
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        also = plain_label("Also: Down in a filter or search box moves into its list; "
                           "Delete removes the selected reading or session (Ctrl+Z brings it back).")
        also.setWordWrap(True)
        layout.addWidget(also)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(460, 520)
