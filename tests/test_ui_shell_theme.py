"""Dark mode (issue 16): the notes preview, the diff of the export preview and the toolbar's icons take their
colours from the palette, and take them again when the platform switches between light and dark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QTextBrowser

from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.exporting import ExportResult
from annotator.store.library import open_library
from annotator.ui.dialogs import ExportPreviewDialog
from annotator.ui.theme import ColourSchemeFollower, dark_palette, is_dark

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform

NOTES = "> Attention replaces recurrence.\n\n| Model | Params |\n|---|---|\n| GPT-3 | 175B |\n\n" \
        "```python\ndef attend(q, k, v):\n    return q\n```\n"
DIFF = "--- a/S1.md\n+++ b/S1.md\n@@ -1,2 +1,2 @@\n title: x\n-video: \n+video: team-3\n"


@pytest.fixture
def library(tmp_path):
    """Session S1 whose one reading has notes with a quote, a table and code."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, session = editing.new_session(lib, "C", "S1", "One", "2024-01-10")
    _, reading = editing.add_reading(lib, session, paper=Paper("Attention Is All You Need"))
    editing.edit_reading(lib, reading, notes=NOTES)
    yield lib
    lib.close()


@pytest.fixture
def light_then_dark():
    """Switches the application to a dark palette (as a platform in dark mode does); light again afterwards."""
    app = QApplication.instance()
    light = app.palette()
    assert not is_dark(light)

    def switch() -> None:
        app.setPalette(dark_palette())
        app.processEvents()  # Qt delivers the widgets' PaletteChange as posted events

    yield switch
    app.setPalette(light)
    app.processEvents()


def lightness(colour: QColor) -> float:
    return colour.lightnessF()


def code_block_colours(preview: QTextBrowser) -> tuple[QColor, QColor]:
    """The background and text colour of the code block ("def attend…") as the preview lays it out."""
    block = preview.document().begin()
    while block.isValid() and not block.text().startswith("def attend"):
        block = block.next()
    assert block.isValid()
    ink = block.charFormat().foreground()
    text = ink.color() if ink.style() != Qt.BrushStyle.NoBrush else preview.palette().color(QPalette.ColorRole.Text)
    return block.blockFormat().background().color(), text


def test_notes_preview_follows_dark_mode(qtbot, window, light_then_dark):
    window.show_session(window.lib.conn.execute("SELECT id FROM sessions").fetchone()[0])
    window.readings.select_reading(window.lib.conn.execute("SELECT id FROM readings").fetchone()[0])
    preview = window.reading_editor.preview
    assert "def attend" in preview.toPlainText()
    light_css = preview.document().defaultStyleSheet()
    light_code, _ = code_block_colours(preview)
    assert lightness(light_code) > 0.8  # a light grey behind code on white

    light_then_dark()
    dark_css = preview.document().defaultStyleSheet()
    assert dark_css != light_css
    dark_code, text = code_block_colours(preview)
    assert lightness(dark_code) < 0.3 and lightness(text) > 0.7  # light text on a dark block: readable
    assert "def attend" in preview.toPlainText()  # the same notes, shown again


def test_export_preview_diff_follows_dark_mode(qtbot, light_then_dark):
    dialog = ExportPreviewDialog([ExportResult("C/S1", "/site/S1.md", "updated", DIFF)], "/site")
    qtbot.addWidget(dialog)

    def line_backgrounds() -> list[float]:
        return [lightness(s.format.background().color()) for s in dialog.diff_view.extraSelections()]

    assert len(line_backgrounds()) == 3 and min(line_backgrounds()) > 0.8  # pale tints on light
    light_status = dialog.files.item(0).foreground().color()
    light_then_dark()
    assert len(line_backgrounds()) == 3 and max(line_backgrounds()) < 0.35  # deep tints under light text
    assert lightness(dialog.diff_view.palette().color(QPalette.ColorRole.Text)) > 0.7
    assert dialog.files.item(0).foreground().color() != light_status
    assert lightness(dialog.files.item(0).foreground().color()) > 0.5


def test_toolbar_icons_are_redrawn_for_dark_mode(window, light_then_dark):
    def brightest_ink(action) -> float:
        image = action.icon().pixmap(24, 24).toImage()
        inks = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
        return max(lightness(c) for c in inks if c.alpha() > 200)

    assert brightest_ink(window.import_action) < 0.3  # dark strokes on a light toolbar
    light_then_dark()
    assert brightest_ink(window.import_action) > 0.7


def test_the_app_turns_dark_when_the_platform_scheme_does(light_then_dark):
    app = QApplication.instance()
    follower = ColourSchemeFollower(app)
    try:
        follower.follow(Qt.ColorScheme.Dark)
        assert is_dark(app.palette())
        follower.follow(Qt.ColorScheme.Light)
        assert not is_dark(app.palette())
    finally:
        follower.deleteLater()
