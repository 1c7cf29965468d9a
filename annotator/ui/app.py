"""Starting the desktop app: QApplication, the library, the crash handler, the main window."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from annotator import __version__
from annotator.errors import AnnotatorError
from annotator.resources_path import shipped_dir
from annotator.store.library import open_library
from annotator.ui.dialogs import make_excepthook
from annotator.ui.library_files import switched_windows
from annotator.ui.plain_text import critical
from annotator.ui.theme import ColourSchemeFollower

ORGANIZATION = "annotator"
APPLICATION = "annotator"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), named so that QSettings has a home."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("annotator")
    app.setApplicationVersion(__version__)
    icon = shipped_dir("resources") / "annotator.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    if app.findChild(ColourSchemeFollower) is None:
        ColourSchemeFollower(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def run_app(db_path: str | None) -> int:
    """Open the library at DB_PATH (default location when None) in the main window; the exit code."""
    app = make_application()
    try:
        lib = open_library(db_path, daily_backup=False)  # made in the background once the window shows
    except AnnotatorError as exc:
        critical(None, "annotator", f"Cannot open the library:\n\n{exc}")
        return 1
    from annotator.ui.main_window import MainWindow

    previous_hook = sys.excepthook
    sys.excepthook = make_excepthook()
    try:
        window = MainWindow(lib)
        window.show()
        window.start_daily_backup()
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        for window in switched_windows():  # File ▸ Open Library… replaced the first window and closed its library
            window.lib.close()
        lib.close()
