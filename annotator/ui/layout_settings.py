"""What the main window remembers of its layout between runs (QSettings): size, panes, columns, notes.

A window saved on a big screen, or the first-start size on a small or scaled one (QT_SCALE_FACTOR
2 on 1920×1080 leaves 960×540), is fitted into the screen's free area, so that it never runs
off the edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtWidgets import QWidget

from annotator.ui.column_state import ColumnState

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

FIRST_SIZE = QSize(1280, 800)
SCREEN_SHARE = 0.92  # of the free area, at most: the window frame and title bar come on top
NOTES_LAYOUT_KEY = "window/notesLayout"
NOTES_SPLITTER_KEY = "window/notesSplitter"


WORKSPACE_KEYS = ("window/workspaceSplitter", "window/listsSplitter")


def _columns(window: MainWindow) -> list[tuple[ColumnState, str]]:
    """Each table's columns with its settings key."""
    return [(window.sessions.columns, "columns/sessions"), (window.readings.columns, "columns/readings"),
            (window.library_view.columns, "columns/papers"), (window.workload_view.columns, "columns/workload")]


def fit_to_screen(window: QWidget) -> None:
    """Shrink WINDOW (never below its minimum) until it fits its screen's free area, and move it onto it."""
    screen = window.screen()
    if screen is None:
        return
    free = screen.availableGeometry()
    most = QSize(int(free.width() * SCREEN_SHARE), int(free.height() * SCREEN_SHARE))
    size = window.size().boundedTo(most).expandedTo(window.minimumSizeHint())
    if size != window.size():
        window.resize(size)
    geometry = window.frameGeometry()
    if not free.contains(geometry):
        left = min(max(geometry.left(), free.left()), max(free.right() - geometry.width(), free.left()))
        top = min(max(geometry.top(), free.top()), max(free.bottom() - geometry.height(), free.top()))
        window.move(left, top)


def restore_layout(window: MainWindow, settings: QSettings) -> None:
    """Give WINDOW the size, panes, columns and notes layout saved in SETTINGS (first-start ones when none)."""
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    else:
        window.resize(FIRST_SIZE)
    fit_to_screen(window)
    window.workspace.restore_state([settings.value(key) for key in WORKSPACE_KEYS])
    notes = settings.value(NOTES_SPLITTER_KEY)
    if isinstance(notes, QByteArray) and not notes.isEmpty():
        window.reading_editor.notes_splitter.restoreState(notes)
    window.reading_editor.set_notes_layout(str(settings.value(NOTES_LAYOUT_KEY, "auto")))
    for columns, key in _columns(window):
        columns.restore(settings.value(key))


def save_layout(window: MainWindow, settings: QSettings) -> None:
    """Keep WINDOW's size, panes, columns and notes layout in SETTINGS."""
    settings.setValue("window/geometry", window.saveGeometry())
    for key, state in zip(WORKSPACE_KEYS, window.workspace.save_state(), strict=True):
        settings.setValue(key, state)
    settings.setValue(NOTES_SPLITTER_KEY, window.reading_editor.notes_splitter.saveState())
    settings.setValue(NOTES_LAYOUT_KEY, window.reading_editor.notes_layout())
    for columns, key in _columns(window):
        settings.setValue(key, columns.state())
