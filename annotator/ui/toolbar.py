"""The main toolbar: Import, Export, Sync, Undo, Redo, Search, as icons with short labels.

The icons are small SVGs shipped in resources/icons, drawn in `currentColor`; each is tinted with the
toolbar's text colour when built and again when the palette changes, so that they read in light and
dark mode alike (freedesktop icon themes are missing on most machines, so none is relied on).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QToolBar, QWidget

from annotator.resources_path import shipped_dir

ICON_SIZES = (16, 20, 24, 32, 40, 48)  # rendered from the SVG at each, so that scaled screens stay sharp


def icon_path(name: str) -> str:
    """The shipped SVG of icon NAME (import, export, sync, undo, redo, search)."""
    return str(shipped_dir("resources") / "icons" / f"{name}.svg")


def tinted_icon(name: str, colour: QColor) -> QIcon:
    """Icon NAME drawn in COLOUR."""
    with open(icon_path(name), encoding="utf-8") as file:
        svg = file.read().replace("currentColor", colour.name())
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        pixmap.loadFromData(QByteArray(svg.replace('width="24" height="24"', f'width="{size}" height="{size}"')
                                       .encode()), "SVG")
        icon.addPixmap(pixmap)
    return icon


class MainToolBar(QToolBar):
    """The window's toolbar over actions it shares with the menus (so they are enabled alike)."""

    def __init__(self, entries: list[tuple[QAction, str, str]], parent: QWidget | None = None):
        """ENTRIES: (action, icon name, short label) in toolbar order."""
        super().__init__("Toolbar", parent)
        self.setObjectName("mainToolBar")
        self.setMovable(False)
        self.setIconSize(QSize(20, 20))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.entries = entries
        for action, _icon, label in entries:
            action.setIconText(label)  # short and fixed: the Undo action's own text grows with what it undoes
            self.addAction(action)
        self._tint()

    def _tint(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.ButtonText)
        for action, icon, _label in self.entries:
            action.setIcon(tinted_icon(icon, colour))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: tint the icons again
            self._tint()
