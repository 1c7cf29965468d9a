"""The Post tab: the selected session's whole post, exactly as `annotator export` would write it.

Read-only, monospace, plain text. It is rendered off the GUI thread (a post of a long session with
its abstracts takes a while), only while the tab is shown, and again when an operation changes that
session or any paper (a paper's title or link is written in the post).
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from annotator.store.exporting import render_stored_session
from annotator.store.operations import Changes
from annotator.store.read_connection import Connection
from annotator.ui.operation_runner import OperationRunner, Task
from annotator.ui.plain_text import plain_label, set_plain


def _render(conn: Connection, _task: Task, session_id: int) -> tuple[int, str]:
    return session_id, render_stored_session(conn, session_id)[1]


class PostView(QWidget):
    """The session post as it will be exported; `text()` is that text, character for character."""

    def __init__(self, runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self.editor = QPlainTextEdit(readOnly=True)
        self.editor.setObjectName("postText")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText("Select a session to see its post as it will be exported")
        self.editor.setToolTip("The session's post exactly as Export writes it (read-only)")
        self.problem = plain_label()  # why the post cannot be written (export would say the same)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.copy_button = QPushButton("Copy Post")
        self.copy_button.setToolTip("Copy the whole post, exactly as Export writes it")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._text))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.problem)
        layout.addWidget(self.editor, 1)
        layout.addLayout(buttons)
        self._session: int | None = None
        self._text = ""
        self._stale = False
        self._shown: int | None = None  # the session whose post the editor holds

    def text(self) -> str:
        """The post shown (its line breaks as written, which the editor would not keep)."""
        return self._text

    def show_session(self, session_id: int | None) -> None:
        """Show SESSION_ID's post (nothing for None); rendered when the tab is shown."""
        self._session = session_id
        self._stale = True
        self._render_if_shown()

    def refresh(self, changes: Changes | None) -> None:
        """Render again when CHANGES (None: anything) can change the post shown."""
        if self._session is None:
            return
        if changes is None or self._session in changes.sessions or changes.papers:
            self._stale = True
            self._render_if_shown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._render_if_shown()

    def _render_if_shown(self) -> None:
        if not (self._stale and self.isVisible()):
            return
        self._stale = False
        if self._session is None:
            self._show(None, "")
            return
        session_id = self._session
        self.runner.query_op(self, lambda conn, task: _render(conn, task, session_id), self._rendered) \
            .failure(lambda exc: self._show(session_id, "", str(exc))).run_in_background()

    def _rendered(self, result: tuple[int, str]) -> None:
        self._show(*result)

    def _show(self, session_id: int | None, text: str, problem: str = "") -> None:
        if session_id != self._session:
            return  # an answer for a session no longer selected
        self._text = text
        self.copy_button.setEnabled(bool(text))
        set_plain(self.problem, problem)
        self.problem.setVisible(bool(problem))
        scroll = self.editor.verticalScrollBar().value() if session_id == self._shown else 0
        self._shown = session_id
        self.editor.setPlainText(text)
        self.editor.verticalScrollBar().setValue(scroll)  # an edit re-renders: keep the place being read
