"""Library text in widgets, shown as the text it is: never as HTML that loads files.

Qt shows a label, a tooltip or a message box as HTML whenever its text merely looks like HTML
(Qt.mightBeRichText: a known tag before the first line break), and HTML loads what it names:
`<img src="file:///…">` or `<style>@import url(…)</style>` in a paper title, a session title or a
reading's notes would read a file from the user's disk. Titles come from imported files and notes
from anyone, so every widget showing library text goes through one of these:

- `plain_label` / `set_plain`: a QLabel that never guesses (Qt.TextFormat.PlainText);
- `tooltip`: tooltips always guess, so library text goes in escaped, as rich text that shows it
  literally (line breaks kept);
- `escape`: library text inside the app's own rich text (headings, the paper pane);
- `menu_text`: library text in a menu entry, a button or a field's label, where an & would be a shortcut;
- `warn`, `inform`, `ask`, `critical`: QMessageBox's static dialogs with TEXT made safe for its guess.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtGui import Qt as GuiQt  # Qt's namespace functions of QtGui (mightBeRichText)
from PySide6.QtWidgets import QLabel, QMessageBox, QSizePolicy, QWidget


def escape(text: str) -> str:
    """TEXT for use inside rich text: every <, >, & and quote escaped."""
    return html.escape(text, quote=True)


def as_rich_text(text: str) -> str:
    """Rich text showing TEXT literally, line breaks and runs of spaces kept."""
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>"


def menu_text(text: str) -> str:
    """TEXT for a menu entry, a button or a field's label, shown as it is: a single & there underlines the
    next letter (a shortcut) and vanishes ("R&D" showed as "RD"), && shows one &."""
    return text.replace("&", "&&")


def shown_menu_text(text: str) -> str:
    """What a menu entry, button or field's label whose text is TEXT shows: its & marks gone, && as one &."""
    return "&".join(part.replace("&", "") for part in text.split("&&"))


def tooltip(text: str | None) -> str:
    """A tooltip showing TEXT literally ("" for none). Qt guesses every tooltip's format, and
    only the first line counts in that guess, so the text always goes in escaped."""
    return as_rich_text(text) if text and text.strip() else ""


def safe_auto_text(text: str) -> str:
    """TEXT for a widget that guesses its format: unchanged when Qt would show it as plain text
    (its own guess decides), else escaped rich text that shows it literally."""
    return as_rich_text(text) if GuiQt.mightBeRichText(text) else text


def set_plain(label: QLabel, text: str) -> None:
    """Show TEXT in LABEL as plain text, whatever it looks like."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows its text as plain text, whatever it looks like."""
    label = QLabel(parent)
    set_plain(label, text)
    return label


class SteadyLabel(QWidget):
    """One line of plain text painted in the palette's quiet colour, as wide as ROOM_FOR (or what
    its layout gives it: narrower, down to nothing, only when its row has no room) whatever it says:
    for a text that changes with every keystroke (a search's match count).

    A QLabel asks its window to lay itself out again each time its text changes (4–5 ms at 100k
    papers, every keystroke), and moves the widgets beside it when its width changes; this only
    repaints itself. What does not fit is elided, and the tooltip shows it whole.
    """

    def __init__(self, room_for: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._room_for = room_for
        self._text = self._short = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str, short: str = "") -> None:
        """Show TEXT, or SHORT (its gist: "28,602 papers") when TEXT does not fit."""
        self._text, self._short = text, short
        self.setAccessibleName(text)
        self._show()

    def shown(self) -> str:
        """The text as painted: whole, else the short one, else elided."""
        metrics = self.fontMetrics()
        for text in (self._text, self._short):
            if text and metrics.horizontalAdvance(text) <= self.width():
                return text
        return metrics.elidedText(self._short or self._text, Qt.TextElideMode.ElideRight, self.width())

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._room_for), self.fontMetrics().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance(self._room_for[:12]), self.fontMetrics().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.shown())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def _show(self) -> None:
        self.setToolTip(tooltip(self._text) if self.shown() != self._text else "")
        self.update()


def warn(parent: QWidget | None, title: str, text: str) -> None:
    """QMessageBox.warning with TEXT shown literally."""
    QMessageBox.warning(parent, title, safe_auto_text(text))


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """QMessageBox.information with TEXT shown literally."""
    QMessageBox.information(parent, title, safe_auto_text(text))


def critical(parent: QWidget | None, title: str, text: str) -> None:
    """QMessageBox.critical with TEXT shown literally."""
    QMessageBox.critical(parent, title, safe_auto_text(text))


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """QMessageBox.question (Yes / No) with TEXT shown literally; True for Yes."""
    return QMessageBox.question(parent, title, safe_auto_text(text)) == QMessageBox.StandardButton.Yes
