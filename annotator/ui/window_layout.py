"""The window's layout: the Sessions tab's panes, and what is remembered of it all between runs.

The Sessions tab shows sessions | readings | reading editor, or, in a narrow window, sessions above
readings beside the editor (a laptop's half screen keeps readable columns that way). Two splitters:
the outer one holds the lists and the editor, the inner one the sessions and the readings. Only the
inner one's orientation changes with the width, so no widget changes parent and a pane the user has
sized keeps its size until the window crosses the threshold.

A window saved on a big screen, or the first-start size on a small or scaled one (QT_SCALE_FACTOR
2 on 1920×1080 leaves 960×540), is fitted into the screen's free area, so that it never runs off
the edge. QSettings keep the size, the panes, each table's columns and the notes layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QWidget

from annotator.ui.column_state import ColumnState

if TYPE_CHECKING:
    from annotator.ui.main_window import MainWindow

STACKED_BELOW_CHARS = 150  # a workspace narrower than this many average characters stacks its lists
FIRST_SIZE = QSize(1280, 800)
SCREEN_SHARE = 0.92  # of the free area, for a window that does not fit: its frame and title bar come on top
WORKSPACE_KEYS = ("window/workspaceSplitter", "window/listsSplitter")
NOTES_SPLITTER_KEY = "window/notesSplitter"
NOTES_LAYOUT_KEY = "window/notesLayout"


def scrolled(page: QWidget) -> QScrollArea:
    """PAGE in a frameless scroll area: a short window scrolls a form instead of setting its own minimum height."""
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class Workspace(QSplitter):
    """SESSIONS and CENTRE (the lists) beside EDITOR; the lists side by side when there is room, else stacked."""

    def __init__(self, sessions: QWidget, centre: QWidget, editor: QWidget, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("workspaceSplitter")
        self.lists = QSplitter(Qt.Orientation.Horizontal)
        self.lists.setObjectName("listsSplitter")
        for splitter in (self, self.lists):
            splitter.setChildrenCollapsible(False)
        self.lists.addWidget(sessions)
        self.lists.addWidget(centre)
        self.addWidget(self.lists)
        self.addWidget(editor)
        self.setContentsMargins(6, 6, 6, 6)
        # A narrower window takes width from every pane, the sessions' least: no pane goes first.
        self.lists.setStretchFactor(0, 2)
        self.lists.setStretchFactor(1, 3)
        self.setStretchFactor(0, 5)
        self.setStretchFactor(1, 4)
        sessions_width = min(max(sessions.sizeHint().width(), 300), 480)  # whole ids, and some of the titles
        self.lists.setSizes([sessions_width, 420])
        self.setSizes([sessions_width + 420, 560])

    def stacked_below(self) -> int:
        """The width under which the sessions go above the readings."""
        return STACKED_BELOW_CHARS * self.fontMetrics().averageCharWidth()

    def lists_stacked(self) -> bool:
        return self.lists.orientation() == Qt.Orientation.Vertical

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        orientation = Qt.Orientation.Vertical if self.width() < self.stacked_below() else Qt.Orientation.Horizontal
        if self.lists.orientation() == orientation:
            return
        self.lists.setOrientation(orientation)
        self._split_lists()

    def _split_lists(self) -> None:
        """Two fifths to the sessions (their rows are short), more when their ids and dates need it, the rest
        to the readings."""
        stacked = self.lists_stacked()
        length = self.lists.height() if stacked else self.lists.width()
        sessions = length * 2 // 5 if stacked else min(max(length * 2 // 5, self.lists.widget(0).sizeHint().width()),
                                                         length // 2)
        self.lists.setSizes([sessions, length - sessions])

    def save_state(self) -> list[QByteArray]:
        """The pane sizes, for QSettings."""
        return [self.saveState(), self.lists.saveState()]

    def restore_state(self, states: list[object]) -> None:
        """Take back sizes saved by save_state; the orientation stays the one the width asks for."""
        for splitter, state in zip((self, self.lists), states, strict=False):
            if isinstance(state, QByteArray) and not state.isEmpty():
                orientation = splitter.orientation()
                splitter.restoreState(state)
                if splitter.orientation() != orientation:  # saved in another width: its sizes do not apply
                    splitter.setOrientation(orientation)
                    self._split_lists()


def _columns(window: MainWindow) -> list[tuple[ColumnState, str]]:
    """Each table's columns with its settings key."""
    return [(window.sessions.columns, "columns/sessions"), (window.readings.columns, "columns/readings"),
            (window.library_view.columns, "columns/papers"), (window.workload_view.columns, "columns/workload")]


def fit_to_screen(window: QWidget) -> None:
    """Shrink WINDOW (never below its minimum) when it is larger than its screen's free area, and move it onto it."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    free = screen.availableGeometry()
    if window.width() > free.width() or window.height() > free.height():
        most = QSize(int(free.width() * SCREEN_SHARE), int(free.height() * SCREEN_SHARE))
        window.resize(window.size().boundedTo(most).expandedTo(window.minimumSizeHint()))
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
