"""The welcome page: what an empty library shows, and a way back to recent imports later."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.resources_path import shipped_dir
from annotator.store.library import Library
from annotator.store.pane_rows import library_is_empty, recent_imports

SAMPLE_COURSE = "Sample"
RECENT_LIMIT = 8
_KIND_ROLE = Qt.ItemDataRole.UserRole
_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def sample_session_path() -> Path:
    """The sample session post shipped with the app."""
    return shipped_dir("resources") / "sample" / "sample-session.md"


class WelcomePage(QWidget):
    """Big Import button, the sample session, recent imports."""

    import_requested = Signal()
    sample_requested = Signal()
    site_requested = Signal()
    session_activated = Signal(int)
    library_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel("Welcome to annotator")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Prepare reading-group sessions: import your course's session posts, lecture pages and paper "
            "lists, give each reading a team, video links and notes, and export the posts for your Jekyll site."
        )
        intro.setWordWrap(True)
        self.import_button = QPushButton("Import Files…")
        self.import_button.setToolTip("Import session posts (.md), lecture pages, paper lists (.txt) (Ctrl+I)")
        self.import_button.setMinimumHeight(48)
        big = self.import_button.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.import_button.setFont(big)
        normal = self.import_button.font()
        normal.setPointSizeF(big.pointSizeF() / 1.15)
        self.import_button.clicked.connect(self.import_requested)
        self.sample_button = QPushButton("Open Sample Session")
        self.sample_button.setToolTip("Import a small example session (course “Sample”) to try things out")
        self.sample_button.setMinimumHeight(48)
        self.sample_button.setFont(normal)
        self.sample_button.clicked.connect(self.sample_requested)
        self.site_button = QPushButton("Open Course Site…")
        self.site_button.setToolTip("Make a course from your clone of the course's Jekyll site: link it and import its posts")
        self.site_button.setMinimumHeight(48)
        self.site_button.setFont(normal)
        self.site_button.clicked.connect(self.site_requested)
        self.library_button = QPushButton("Go to Sessions")
        self.library_button.setMinimumHeight(48)
        self.library_button.setFont(normal)
        self.library_button.clicked.connect(self.library_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button, 2)
        buttons.addWidget(self.site_button, 1)
        buttons.addWidget(self.sample_button, 1)
        buttons.addWidget(self.library_button, 1)
        hint = QLabel("You can also drop files or folders anywhere on this window.")
        hint.setStyleSheet("color: gray;")
        self.recent_label = QLabel("<b>Recent imports</b>")
        self.recent = QListWidget()
        self.recent.setToolTip("Double-click a session to open it")
        self.recent.itemActivated.connect(self._activated)

        column = QFrame()
        column.setMaximumWidth(720)
        inner = QVBoxLayout(column)
        inner.setSpacing(14)
        inner.addStretch(1)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addSpacing(8)
        inner.addLayout(buttons)
        inner.addWidget(hint)
        inner.addSpacing(8)
        inner.addWidget(self.recent_label)
        inner.addWidget(self.recent, 4)
        inner.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(column, 4)
        outer.addStretch(1)

    def refresh(self, lib: Library) -> None:
        """Fill the recent imports; the 'Go to Sessions' button only when there is something."""
        self.recent.clear()
        for kind, row_id, label, imported_at in recent_imports(lib.conn, RECENT_LIMIT):
            item = QListWidgetItem(f"{label}    —  {imported_at.replace('T', ' ')}")
            item.setData(_KIND_ROLE, kind)
            item.setData(_ID_ROLE, row_id)
            self.recent.addItem(item)
        has_recent = self.recent.count() > 0
        self.recent_label.setVisible(has_recent)
        self.recent.setVisible(has_recent)
        self.library_button.setVisible(not library_is_empty(lib.conn))

    def _activated(self, item: QListWidgetItem) -> None:
        if item.data(_KIND_ROLE) == "session":
            self.session_activated.emit(item.data(_ID_ROLE))
        else:
            self.library_requested.emit()
