"""Colours from the palette, so that light and dark mode both read well; following the platform's colour scheme.

Widgets that paint their own colours (the diff views, the notes preview) take them from their palette
here and take them again on QEvent.PaletteChange, which Qt sends when the scheme changes at run time.
Where the platform reports a dark scheme but its theme gives no dark palette (Fusion on a bare X11
or Wayland session), `ColourSchemeFollower` sets a dark palette itself.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole

# The hue of each kind of diff line, blended into the view's background: pale on light, deep on dark.
_DIFF_HUES = {"+": QColor("#22c55e"), "-": QColor("#ef4444"), "@": QColor("#6366f1")}
_STATUS_HUES = {"created": QColor("#16a34a"), "updated": QColor("#d97706"), "unchanged": QColor("#6b7280")}


def mix(first: QColor, second: QColor, amount: float) -> QColor:
    """FIRST moved AMOUNT (0..1) of the way towards SECOND."""
    return QColor.fromRgbF(*(a + (b - a) * amount for a, b in (
        (first.redF(), second.redF()), (first.greenF(), second.greenF()), (first.blueF(), second.blueF()))))


def is_dark(palette: QPalette) -> bool:
    """Whether PALETTE is a dark one (light text on a dark window)."""
    return palette.color(Role.Window).lightnessF() < palette.color(Role.WindowText).lightnessF()


def diff_colours(palette: QPalette) -> dict[str, QColor]:
    """Line backgrounds of a unified diff ('+', '-', '@'), each a tint of the view's base colour."""
    amount = 0.32 if is_dark(palette) else 0.17
    base = palette.color(Role.Base)
    return {kind: mix(base, hue, amount) for kind, hue in _DIFF_HUES.items()}


def status_colour(palette: QPalette, status: str) -> QColor:
    """The text colour of an export status (created, updated, unchanged) that reads on PALETTE's base."""
    hue = _STATUS_HUES.get(status, palette.color(Role.Text))
    return mix(hue, palette.color(Role.Text), 0.45) if is_dark(palette) else hue


def preview_css(palette: QPalette) -> str:
    """The notes preview's style sheet: quotes, code and table rules in shades of PALETTE's text on its base."""
    base, text = palette.color(Role.Base), palette.color(Role.Text)
    quote = mix(text, base, 0.35).name()
    shade = mix(base, text, 0.08).name()
    rule = mix(base, text, 0.35).name()
    link = palette.color(Role.Link).name()
    return (
        f"blockquote {{ margin-left: 8px; margin-right: 0px; color: {quote}; }}"
        f"pre {{ font-family: monospace; background-color: {shade}; padding: 4px; }}"
        f"code {{ font-family: monospace; background-color: {shade}; }}"
        "ul, ol { margin-left: 0px; } h1 { font-size: x-large; }"
        f"table {{ border-collapse: collapse; }} th, td {{ border: 1px solid {rule}; padding: 3px; }}"
        f"th {{ background-color: {shade}; }} a {{ color: {link}; }}"
    )


def dark_palette() -> QPalette:
    """A dark palette for Fusion, for platforms that report a dark scheme without giving one."""
    palette = QPalette()
    colours = {
        Role.Window: "#2b2b2e", Role.WindowText: "#e6e6e6", Role.Base: "#1e1e21", Role.AlternateBase: "#27272b",
        Role.ToolTipBase: "#3a3a3f", Role.ToolTipText: "#f0f0f0", Role.PlaceholderText: "#9a9aa0",
        Role.Text: "#e6e6e6", Role.Button: "#35353a", Role.ButtonText: "#e6e6e6", Role.BrightText: "#ff6b6b",
        Role.Light: "#4a4a50", Role.Midlight: "#3e3e44", Role.Mid: "#2f2f34", Role.Dark: "#18181a",
        Role.Shadow: "#000000", Role.Highlight: "#3d6fd8", Role.HighlightedText: "#ffffff", Role.Link: "#7fb0ff",
        Role.LinkVisited: "#c49bff",
    }
    for role, name in colours.items():
        palette.setColor(role, QColor(name))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a80"))
    return palette


class ColourSchemeFollower(QObject):
    """Keeps the application's palette dark while the platform's colour scheme is dark."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self._app = app
        self._own_palette = False  # whether the palette in use is the one set here
        app.styleHints().colorSchemeChanged.connect(self.follow)
        self.follow(app.styleHints().colorScheme())

    def follow(self, scheme: Qt.ColorScheme) -> None:
        """Take SCHEME: a dark palette when the platform's own is light, the platform's back when light."""
        if scheme == Qt.ColorScheme.Dark and not is_dark(self._app.palette()):
            self._app.setPalette(dark_palette())
            self._own_palette = True
        elif scheme != Qt.ColorScheme.Dark and self._own_palette:
            self._own_palette = False
            self._app.setPalette(self._app.style().standardPalette())
