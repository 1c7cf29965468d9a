"""The Sessions tab's panes: sessions | readings | reading editor, or, in a narrow window, sessions
above readings beside the editor (a laptop's half screen keeps readable columns that way).

Two splitters: the outer one holds the lists and the editor, the inner one the sessions and the
readings. Only the inner one's orientation changes with the width, so no widget changes parent
and a pane the user has sized keeps its size until the window crosses the threshold.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QWidget

STACKED_BELOW_CHARS = 150  # a workspace narrower than this many average characters stacks its lists


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
