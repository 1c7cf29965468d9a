"""File ▸ New Library…, Open Library… and Open Recent: switching the window to another library.

A window is built over one library, so switching is Anki's profile switch: the new library is opened
(and refused with one message, the current one staying open, when it is not an annotator library),
then a new window is shown on it and the old window closes the way it always does (typed notes and
queued edits land first) before its library is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from annotator.errors import AnnotatorError, is_utf8
from annotator.store.library import Library, open_library
from annotator.store.sharing import is_library_file
from annotator.ui.file_dialogs import choose_file, safe_file_dialog
from annotator.ui.plain_text import critical, menu_text, tooltip, warn

if TYPE_CHECKING:  # (main_window imports this module)
    from annotator.ui.main_window import MainWindow

RECENT_KEY = "libraries/recent"
MAX_RECENT = 10
LIBRARY_FILTER = "annotator libraries (*.sqlite *.db);;All files (*)"

# The windows opened by a switch: Python must hold a top-level window, or it is deleted with its last reference.
_switched_windows: list[MainWindow] = []


def switched_windows() -> list[MainWindow]:
    """The windows (MainWindow) opened by New / Open Library that are still open, oldest first."""
    return list(_switched_windows)


def recent_libraries(settings: QSettings) -> list[str]:
    """The libraries opened lately, most recent first."""
    value = settings.value(RECENT_KEY) or []
    return [str(path) for path in ([value] if isinstance(value, str) else value)]


def remember_library(settings: QSettings, path: str) -> None:
    """Put PATH first in the recent libraries."""
    path = str(Path(path).absolute())
    if not is_utf8(path):  # a folder's name that is not UTF-8: settings would keep another path
        return
    recent = [path] + [other for other in recent_libraries(settings) if other != path]
    settings.setValue(RECENT_KEY, recent[:MAX_RECENT])


def window_title(path: str, settings: QSettings) -> str:
    """The library's file name, with its folder when another recent library has the same name (Qt appends
    ' — annotator', the application's display name, as desktops show a document's window)."""
    path = str(Path(path).absolute())
    name = Path(path).name
    if any(Path(other).name == name and other != path for other in recent_libraries(settings)):
        return f"{name} ({Path(path).parent})"
    return name


class LibraryFiles(QObject):
    """The New / Open / Open Recent actions of WINDOW, a MainWindow over LIB."""

    def __init__(self, window: MainWindow, lib: Library, settings: QSettings,
                 make_window: Callable[[Library], MainWindow]):
        """MAKE_WINDOW(library) builds the window that replaces WINDOW (not shown yet)."""
        super().__init__(window)
        self.window = window
        self.lib = lib
        self.settings = settings
        self.make_window = make_window
        remember_library(settings, str(lib.path))
        window.setWindowTitle(window_title(str(lib.path), settings))
        window.setWindowFilePath(str(lib.path))
        self.new_action = self._action("New &Library…", self.choose_new, "Create an empty library file and switch to it")
        self.open_action = self._action("&Open Library…", self.choose_existing, "Switch to another library file")
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        window.addAction(self.open_action)  # (its shortcut works, and Help ▸ Keyboard Shortcuts lists it)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()

    def _action(self, text: str, slot: Callable[[], object], tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _folder(self) -> str:
        return str(Path(self.lib.path).parent)

    def choose_new(self) -> None:
        """File ▸ New Library…: a new file's name (an existing file is never replaced), then switch to it."""
        dialog = safe_file_dialog(self.window, "New Library", self._folder(), LIBRARY_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)  # refused below, with a clearer message
        dialog.setDefaultSuffix("sqlite")
        dialog.selectFile("library.sqlite")
        try:
            chosen = dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
        finally:
            dialog.deleteLater()
        if chosen:
            self.create(chosen[0])

    def create(self, path: str) -> MainWindow | None:
        """Make an empty library at PATH and switch to it; the new window, or None when refused."""
        if Path(path).exists():
            warn(self.window, "New Library", f"{path} already exists, and annotator never replaces a file.\n\n"
                 "Choose another name, or open it with File ▸ Open Library…")
            return None
        return self.switch_to(path, create=True)

    def choose_existing(self) -> None:
        """File ▸ Open Library…: pick a library file and switch to it."""
        path = choose_file(self.window, "Open Library", self._folder(), LIBRARY_FILTER)
        if path:
            self.switch_to(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        current = str(Path(self.lib.path).absolute())
        for number, path in enumerate(recent_libraries(self.settings), 1):
            shown = menu_text(f"{Path(path).name} — {Path(path).parent}")
            action = self.recent_menu.addAction(f"&{number} {shown}")
            action.setData(path)
            action.setCheckable(path == current)  # a tick on the open one only
            action.setChecked(path == current)
            exists = Path(path).is_file()
            action.setEnabled(exists)  # (stat only: the file is opened by SQLite alone)
            action.setToolTip(tooltip(path if exists else f"{path} (missing)"))
            action.triggered.connect(lambda _checked=False, path=path: self.switch_to(path))
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("&Clear Menu")
        clear.setEnabled(len(recent_libraries(self.settings)) > 1)
        clear.triggered.connect(self.clear_recent)

    def clear_recent(self) -> None:
        """Forget every recent library but the open one."""
        self.settings.setValue(RECENT_KEY, [])
        remember_library(self.settings, str(self.lib.path))

    def switch_to(self, path: str, create: bool = False) -> MainWindow | None:
        """Show the library at PATH in a new window and close this one; the new window, or None when refused."""
        # By identity, links too: one connection per file; and its -shm, which SQLite opening (to refuse it) would
        # close again, dropping the locks this process holds on it.
        if is_library_file(path, Path(self.lib.path)):
            if Path(path).samefile(self.lib.path):
                self.window.statusBar().showMessage(f"{path} is the library open in this window", 8000)
                return None
            critical(self.window, "Open Library", f"Cannot open this library:\n\n{path} is a file SQLite keeps beside "
                     f"the library open in this window, not a library.\n\nThe library {self.lib.path} stays open.")
            return None
        try:
            lib = open_library(path, create=create, daily_backup=False)  # made in the background once it shows
        except AnnotatorError as exc:
            critical(self.window, "Open Library", f"Cannot open this library:\n\n{exc}\n\n"
                     f"The library {self.lib.path} stays open.")
            return None
        old = self.window
        old.reading_editor.flush_notes()
        old.save_settings()  # the new window takes its size and splitters
        window = self.make_window(lib)
        window.show()  # before the old one closes, or closing the last window would quit
        old.close()
        old.lib.close()
        if old in _switched_windows:
            _switched_windows.remove(old)
        old.deleteLater()
        _switched_windows.append(window)
        window.start_daily_backup()
        return window
