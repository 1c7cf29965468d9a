"""File dialogs that never open a file: Qt's own dialog, with icons and types told from names only.

Qt's file dialog asks its icon provider for every file's icon and type, and the default provider
finds them with QMimeDatabase, which opens each file to sniff its content. When the folder
holds the library, that open and close drops every SQLite lock this process has on it (see
store/sharing.py), and the next `annotator` command to exit deletes the WAL the window still
uses. A native dialog can sniff files inside this process too (GTK's does), so annotator always
uses Qt's widget dialog, with `NameOnlyIconProvider`.
"""

from __future__ import annotations

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget


class NameOnlyIconProvider(QFileIconProvider):
    """A folder icon or a file icon, and a type from the file name's extension: nothing is read from disk."""

    def icon(self, what: QFileInfo | QAbstractFileIconProvider.IconType) -> QIcon:  # type: ignore[override]
        if isinstance(what, QAbstractFileIconProvider.IconType):
            return super().icon(what)
        kind = QAbstractFileIconProvider.IconType.Folder if what.isDir() else QAbstractFileIconProvider.IconType.File
        return super().icon(kind)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


def safe_file_dialog(parent: QWidget | None, title: str, folder: str, name_filter: str = "") -> QFileDialog:
    """A QFileDialog that opens no file to show a folder (Qt's own dialog with NameOnlyIconProvider)."""
    dialog = QFileDialog(parent, title, folder, name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    provider = NameOnlyIconProvider()
    dialog.setIconProvider(provider)
    dialog._icon_provider = provider  # type: ignore[attr-defined]  # Qt does not own it: it lives with the dialog
    return dialog


def _run(dialog: QFileDialog) -> list[str]:
    try:
        return dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
    finally:
        dialog.deleteLater()


def choose_files(parent: QWidget | None, title: str, folder: str, name_filter: str) -> list[str]:
    """Existing files the user picks (none when cancelled)."""
    dialog = safe_file_dialog(parent, title, folder, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _run(dialog)


def choose_file(parent: QWidget | None, title: str, folder: str, name_filter: str) -> str:
    """One existing file the user picks ('' when cancelled)."""
    dialog = safe_file_dialog(parent, title, folder, name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _run(dialog)
    return chosen[0] if chosen else ""


def choose_folder(parent: QWidget | None, title: str, folder: str) -> str:
    """An existing folder the user picks ('' when cancelled)."""
    dialog = safe_file_dialog(parent, title, folder)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run(dialog)
    return chosen[0] if chosen else ""
