"""A problem shown at the field that has it: a warning icon in the field and a line under it.

What the user typed stays in the field, to be corrected; nothing pops up. The message may quote
that text, so it is shown as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QScrollArea, QStyle

from annotator.ui.plain_text import plain_label, tooltip


class FieldProblem:
    """Marks FIELD while what it holds cannot be saved; typing in it again clears the mark."""

    def __init__(self, field: QLineEdit):
        self.field = field
        self.label: QLabel = plain_label()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #c62828;")  # readable on light and dark palettes
        self.label.hide()
        icon = field.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._icon = field.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self._icon.setVisible(False)
        self._tooltip = field.toolTip()
        field.textEdited.connect(lambda _text: self.clear())

    def show(self, message: str) -> None:
        """Say MESSAGE at the field (its text is left as typed)."""
        self.label.setText(message)
        self.label.show()
        self._icon.setVisible(True)
        self._icon.setToolTip(tooltip(message))
        self.field.setToolTip(tooltip(message))
        self._scroll_into_view()

    def _scroll_into_view(self) -> None:
        """Scroll the form holding the field (a short window scrolls it) down to the message: else only
        the field's icon may show, with the message under the fold."""
        area = self.label.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is None or area.widget() is None:
            return
        # Once the label shown just now has its place: the form grows (the scroll area resizes it) only
        # after the layout requests queued by show() are handled.
        QTimer.singleShot(0, self.label, lambda: area.ensureWidgetVisible(self.label, 0, 0))

    def clear(self) -> None:
        """The field holds nothing wrong (any more)."""
        if self.label.isVisible() or self._icon.isVisible():
            self.label.hide()
            self._icon.setVisible(False)
            self.field.setToolTip(self._tooltip)

    @property
    def message(self) -> str:
        """The problem shown now ('' when none)."""
        return "" if self.label.isHidden() else self.label.text()
