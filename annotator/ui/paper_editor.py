"""Edit a paper's title, URL, authors and abstract; when the URL names a paper the library already has, offer to merge.

The edit and the merge are store operations run by the operation runner, so each is one undo
step. Library text goes into editable fields only (plain text), never into rich-text labels.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from annotator.store import editing
from annotator.store.library import Library
from annotator.store.paper_browser import paper_detail
from annotator.store.papers import DuplicatePaper
from annotator.ui.operation_runner import OperationRunner
from annotator.ui.plain_text import ask


class PaperEditorDialog(QDialog):
    """The four fields of one paper; OK saves what changed as one operation."""

    def __init__(self, paper: dict[str, Any], runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit Paper")
        self.paper_id: int = paper["id"]
        self._runner = runner
        self._before = {key: paper.get(key) or "" for key in ("title", "url", "authors", "abstract")}
        self.title = QLineEdit(self._before["title"])
        self.url = QLineEdit(self._before["url"])
        self.url.setPlaceholderText("https://arxiv.org/abs/…")
        self.authors = QLineEdit(self._before["authors"])
        self.abstract = QPlainTextEdit(self._before["abstract"])
        self.abstract.setTabChangesFocus(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        form = QFormLayout(self)
        form.addRow("Title:", self.title)
        form.addRow("URL:", self.url)
        form.addRow("Authors:", self.authors)
        form.addRow("Abstract:", self.abstract)
        form.addRow(self.buttons)
        self.resize(620, 420)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def fields(self) -> dict[str, str]:
        """The fields the user changed, with their new values."""
        now = {"title": self.title.text().strip(), "url": self.url.text().strip(),
               "authors": self.authors.text().strip(), "abstract": self.abstract.toPlainText().strip()}
        return {key: value for key, value in now.items() if value != self._before[key].strip()}

    def accept(self) -> None:
        """Save the changed fields; a mistake leaves the dialog open, a duplicate URL offers to merge."""
        fields = self.fields()
        if not fields:
            super().accept()
            return
        if "title" in fields and not fields["title"]:
            self.title.setFocus()
            self.title.setPlaceholderText("A paper needs a title")
            return
        self.buttons.setEnabled(False)
        self._runner.edit(editing.edit_paper, self.paper_id, fields) \
            .success(lambda _none: super(PaperEditorDialog, self).accept()) \
            .failure(self._failed) \
            .after(lambda: self.buttons.setEnabled(True)).run_in_background()

    def _failed(self, exc: Exception) -> None:
        if not isinstance(exc, DuplicatePaper):
            self._runner.report(exc, self, "Paper not saved")
            return
        if ask(self, "Same paper", f"{exc}.\n\nThey are the same paper. Merge this one into it? Its readings, "
                                    "notes and list places move there, and the fields it lacks are filled in."):
            self.buttons.setEnabled(False)
            self._runner.edit(editing.merge_papers, exc.other_id, self.paper_id) \
                .success(lambda _none: super(PaperEditorDialog, self).accept()) \
                .after(lambda: self.buttons.setEnabled(True)).run_in_background()


def open_paper_editor(lib: Library, paper_id: int, runner: OperationRunner, parent: QWidget) -> PaperEditorDialog | None:
    """Open the editor on PAPER_ID, window-modal (it closes itself once saved); None when the paper is gone."""
    paper = paper_detail(lib.conn, paper_id)
    if paper is None:
        return None
    dialog = PaperEditorDialog(paper, runner, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
