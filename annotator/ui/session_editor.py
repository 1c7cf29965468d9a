"""The session editor: title, date, lecture, lead and blog teams, tags, and every other front-matter key.

Each field is saved when it is left (one undoable operation per committed edit); nothing is saved
when the value did not change.
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.store import editing
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.pane_rows import session_with_course
from annotator.store.workload import course_team_names
from annotator.ui.field_problem import FieldProblem
from annotator.ui.operation_runner import OperationRunner
from annotator.ui.plain_text import escape, tooltip, warn
from annotator.ui.window_layout import scrolled

# Keys with a field of their own; every other key is a row of the table.
OWN_FIELDS = ("title", "date", "lecture", "video", "notes", "tags")
ORIGINAL_KEY_ROLE = Qt.ItemDataRole.UserRole


def value_text(value: Any) -> str:
    """A front-matter value as one line of text (lists comma-separated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def value_from_text(text: str, old: Any) -> Any:
    """TEXT read back in the type the value had (a list stays a list, a number a number)."""
    text = text.strip()
    if isinstance(old, list):
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(old, bool) and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if isinstance(old, int) and not isinstance(old, bool) and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


class SessionEditor(QWidget):
    """Front matter of the selected session as a form plus a key/value table."""

    def __init__(self, lib: Library, runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._lib = lib
        self._runner = runner
        self._queued: list[tuple[int, dict[str, Any]]] = []  # edits not applied yet (the fields still show them)
        self.session_id: int | None = None
        self._front: dict[str, Any] = {}
        self._row: dict[str, Any] | None = None
        self._loading = False

        self.heading = QLabel(textFormat=Qt.TextFormat.RichText)  # library text in it is escaped
        # However long the course, id and source, the heading never widens the window (the tooltip has it all).
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading.setWordWrap(True)
        self.title = QLineEdit(placeholderText="Session title")
        self.date = QLineEdit(placeholderText="YYYY-MM-DD")
        self.lecture = QLineEdit(placeholderText="slide deck name, e.g. W9-T2-domain-LLM")
        self.lead_team = QComboBox(editable=True, insertPolicy=QComboBox.InsertPolicy.NoInsert)
        self.lead_team.setToolTip("The lead (presenting) team: the post's `video` key")
        self.blog_team = QComboBox(editable=True, insertPolicy=QComboBox.InsertPolicy.NoInsert)
        self.blog_team.setToolTip("The blog team: the post's `notes` key")
        self.tags = QLineEdit(placeholderText="comma-separated, e.g. Safety, BasicLLM")
        for field, commit in ((self.title, self._commit_title), (self.date, self._commit_date),
                              (self.lecture, lambda: self._commit_key("lecture", self.lecture.text().strip())),
                              (self.tags, self._commit_tags)):
            field.editingFinished.connect(commit)
        for combo, key in ((self.lead_team, "video"), (self.blog_team, "notes")):
            combo.lineEdit().setPlaceholderText("none")
            combo.activated.connect(lambda _i, c=combo, k=key: self._commit_key(k, c.currentText().strip()))
            combo.lineEdit().editingFinished.connect(lambda c=combo, k=key: self._commit_key(k, c.currentText().strip()))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Title:", self.title)
        form.addRow("Date:", self.date)
        self.date_problem = FieldProblem(self.date)
        form.addRow("", self.date_problem.label)
        form.addRow("Lecture:", self.lecture)
        form.addRow("Lead team:", self.lead_team)
        form.addRow("Blog team:", self.blog_team)
        form.addRow("Tags:", self.tags)

        self.other = QTableWidget(0, 2)
        self.other.setHorizontalHeaderLabels(["Key", "Value"])
        self.other.verticalHeader().hide()
        self.other.verticalHeader().setDefaultSectionSize(self.other.fontMetrics().height() + 10)
        self.other.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.other.horizontalHeader().resizeSection(0, 140)
        self.other.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.other.setToolTip("Other front-matter keys, kept as they are in the post; double-click to edit")
        self.other.itemChanged.connect(self._other_changed)
        self.add_key_button = QPushButton("Add Key", toolTip="Add a front-matter key")
        self.add_key_button.clicked.connect(self.add_key_row)
        self.remove_key_button = QPushButton("Remove Key", toolTip="Remove the selected key from the post")
        self.remove_key_button.clicked.connect(self.remove_key_row)
        key_buttons = QHBoxLayout()
        key_buttons.addWidget(self.add_key_button)
        key_buttons.addWidget(self.remove_key_button)
        key_buttons.addStretch(1)

        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Other front-matter keys</b>"))
        layout.addWidget(self.other, 1)
        layout.addLayout(key_buttons)
        placeholder = QLabel("Select a session to edit its title, date, teams and tags.",
                             alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        placeholder.setStyleSheet("color: gray;")
        self.pages = QStackedLayout(self)
        self.pages.addWidget(placeholder)
        self.pages.addWidget(scrolled(editor))

    def show_session(self, session_id: int | None) -> None:
        """Show SESSION_ID's front matter (the placeholder when None)."""
        self.session_id = session_id
        self._reload()

    def refresh(self, changes: Changes | None) -> None:
        """Re-read the session when CHANGES names it (or its course's roster)."""
        if self.session_id is None:
            return
        if changes is None or self.session_id in changes.sessions or changes.teams or changes.courses:
            self._reload()

    def _reload(self) -> None:
        row = None if self.session_id is None else session_with_course(self._lib.conn, self.session_id)
        names = course_team_names(self._lib.conn, row["course_id"]) if row is not None else []
        if (row is not None and self._row is not None and row == self._row
                and names == [self.lead_team.itemText(i) for i in range(self.lead_team.count())]):
            return  # another session changed, not this one: leave the fields as the user has them
        if row is None or self._row is None or row["id"] != self._row["id"]:
            self.date_problem.clear()  # another session: its own date is shown
        self._row = row
        self.pages.setCurrentIndex(0 if row is None else 1)
        if row is None:
            self.session_id = None
            return
        self._front = json.loads(row["front_matter"])
        self._loading = True
        try:
            # The id first and words between the parts: a narrow pane wraps the course's long name, not the id.
            self.heading.setText(f"<b>{escape(row['code'])}</b> <span style='color:gray'>in {escape(row['course'])}"
                                 + (f", from {escape(row['source'])}" if row["source"] else "") + "</span>")
            self.heading.setToolTip(tooltip(f"{row['course']}/{row['code']}"
                                            + (f" from {row['source']}" if row["source"] else "")))
            self._set_text(self.title, row["title"])
            self._set_text(self.date, row["date"])
            self._set_text(self.lecture, value_text(self._front.get("lecture")))
            self._set_text(self.tags, value_text(self._front.get("tags")))
            for combo, key in ((self.lead_team, "video"), (self.blog_team, "notes")):
                if [combo.itemText(i) for i in range(combo.count())] != names:
                    combo.clear()
                    combo.addItems(names)
                if combo.currentText() != value_text(self._front.get(key)):
                    combo.setCurrentText(value_text(self._front.get(key)))
            self._fill_other()
        finally:
            self._loading = False

    @staticmethod
    def _set_text(field: QLineEdit, text: str) -> None:
        if field.hasFocus() and field.isModified():
            return  # the user is typing here; their edit is saved when they leave the field
        if field.text() != text:
            field.setText(text)
            field.setCursorPosition(0)

    def _fill_other(self) -> None:
        self.other.setRowCount(0)
        for key, value in self._front.items():
            if key in OWN_FIELDS:
                continue
            row = self.other.rowCount()
            self.other.insertRow(row)
            key_item = QTableWidgetItem(key)
            key_item.setData(ORIGINAL_KEY_ROLE, key)
            self.other.setItem(row, 0, key_item)
            self.other.setItem(row, 1, QTableWidgetItem(value_text(value)))

    # --- commits ---------------------------------------------------------------------------------

    def _edit(self, **kwargs: Any) -> None:
        if self.session_id is None:
            return
        edit = (self.session_id, kwargs)
        if edit in self._queued:
            return  # a combo box says `activated` and `editingFinished` for one choice: one step
        self._queued.append(edit)
        self._runner.edit(editing.edit_session, self.session_id, **kwargs) \
            .after(lambda: self._queued.remove(edit)).run_in_background()

    def _commit_title(self) -> None:
        if not self._loading and self._row is not None and self.title.text().strip() != self._row["title"]:
            self._edit(title=self.title.text().strip())

    def _commit_date(self) -> None:
        if self._loading or self._row is None:
            return
        date = self.date.text().strip()
        if date == self._row["date"]:
            return
        if date and not QDate.fromString(date[:10], "yyyy-MM-dd").isValid():
            self.date_problem.show(f"Not saved: a date is written YYYY-MM-DD, like 2024-03-05 (not {date!r}).")
            return
        self.date_problem.clear()
        self._edit(date=date)

    def _commit_tags(self) -> None:
        if self._loading or self._row is None:
            return
        tags = value_from_text(self.tags.text(), [])
        if tags != (self._front.get("tags") or []) or ("tags" not in self._front and tags):
            self._edit(front_matter={"tags": tags})

    def _commit_key(self, key: str, text: str) -> None:
        if self._loading or self._row is None:
            return
        old = self._front.get(key)
        if text == value_text(old) or (old is None and not text):
            return
        self._edit(front_matter={key: value_from_text(text, old)})

    def _other_changed(self, item: QTableWidgetItem) -> None:
        if not self._loading and self._row is not None:
            # Later: saving rebuilds the table, which must not happen inside the item's own signal.
            QTimer.singleShot(0, lambda row=item.row(): self._commit_other_row(row))

    def _commit_other_row(self, row: int) -> None:
        if self._row is None or not 0 <= row < self.other.rowCount():
            return
        key_item, value_item = self.other.item(row, 0), self.other.item(row, 1)
        key = key_item.text().strip() if key_item else ""
        original = key_item.data(ORIGINAL_KEY_ROLE) if key_item else None
        value_text_now = value_item.text() if value_item else ""
        if not key:
            return  # a new row: saved once it has a key
        if key in OWN_FIELDS or (key != original and key in self._front):
            warn(self, "Front matter", f"The session already has a {key!r} key.")
            self._reload()
            return
        if original is None:
            self._edit(front_matter={key: value_from_text(value_text_now, None)})
        elif key != original:
            self._edit(front_matter={original: None, key: value_from_text(value_text_now, self._front.get(original))})
        elif value_text_now != value_text(self._front.get(key)):
            self._edit(front_matter={key: value_from_text(value_text_now, self._front.get(key))})

    def add_key_row(self) -> None:
        """Append an empty row and start editing its key."""
        self._loading = True
        row = self.other.rowCount()
        self.other.insertRow(row)
        self.other.setItem(row, 0, QTableWidgetItem(""))
        self.other.setItem(row, 1, QTableWidgetItem(""))
        self._loading = False
        self.other.setCurrentCell(row, 0)
        self.other.editItem(self.other.item(row, 0))

    def remove_key_row(self) -> None:
        """Remove the selected key from the post."""
        row = self.other.currentRow()
        if row < 0:
            return
        original = self.other.item(row, 0).data(ORIGINAL_KEY_ROLE)
        if original is None:
            self.other.removeRow(row)
        else:
            self._edit(front_matter={original: None})
