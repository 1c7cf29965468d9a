"""Dialogs: import report, export preview with diff, crash report, about, picking and adding papers."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from importlib import metadata
from types import TracebackType
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__
from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.store import queries
from annotator.store.library import Library
from annotator.store.pane_rows import papers_by_title
from annotator.ui.notes_preview import is_web_url
from annotator.ui.plain_text import escape, tooltip, warn
from annotator.ui.theme import diff_colours, status_colour

MAX_LISTED_ERRORS = 25


def lay_out_form(dialog: QDialog, rows: list[tuple[str, QWidget]]) -> None:
    """Give DIALOG a form of labelled ROWS above OK / Cancel buttons wired to accept / reject."""
    form = QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(buttons)


def import_summary(results: list[Any]) -> str:
    """One status-bar line for an import: sessions, lists, readings, papers, failures."""
    ok = [r for r in results if not r.error]
    sessions = sum(1 for r in ok if r.session)
    lists = sum(1 for r in ok if r.list)
    new_papers = sum(r.papers_new for r in ok)
    failed = len(results) - len(ok)
    parts = [f"Imported {len(ok)} of {len(results)} files: {sessions} sessions, {lists} paper lists, "
             f"{new_papers} new papers"]
    if failed:
        parts.append(f"{failed} failed")
    return "; ".join(parts)


def show_import_report(parent: QWidget, results: list[Any]) -> bool:
    """One dialog listing every file that failed (with its line); False when nothing failed."""
    errors = [r.error for r in results if r.error]
    if not errors:
        return False
    shown = errors[:MAX_LISTED_ERRORS]
    more = f"\n… and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
    warn(
        parent, "Import problems",
        f"{len(errors)} of {len(results)} files could not be imported (the others were):\n\n"
        + "\n".join(shown) + more,
    )
    return True


def diff_highlights(view: QPlainTextEdit) -> list[QTextEdit.ExtraSelection]:
    """Whole-line backgrounds for the unified diff shown in VIEW: added green, removed red, hunks blue (tints of its base)."""
    colours = diff_colours(view.palette())
    selections = []
    block = view.document().begin()
    while block.isValid():
        line = block.text()
        colour = None if line.startswith(("+++", "---")) else colours.get(line[:1])
        if colour:
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(colour)
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(block)
            selections.append(selection)
        block = block.next()
    return selections


class DiffView(QPlainTextEdit):
    """A read-only, unwrapped, fixed-width view of a diff, its lines tinted from the palette (again when it changes)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, readOnly=True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

    def show_diff(self, text: str) -> None:
        """Show TEXT (a unified diff, or a message) with its lines tinted."""
        self.setPlainText(text)
        self.setExtraSelections(diff_highlights(self))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: tint again
            self.setExtraSelections(diff_highlights(self))


class ExportPreviewDialog(QDialog):
    """What an export would change on disk, file by file, with Write / Cancel."""

    def __init__(self, results: list[Any], folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export preview")
        self.resize(900, 560)
        self.results = results
        counts = {s: sum(1 for r in results if r.status == s) for s in ("created", "updated", "unchanged")}
        summary = QLabel(
            f"Export {len(results)} session{'s' if len(results) != 1 else ''} to <b>{escape(folder)}</b>: "
            f"{counts['created']} new, {counts['updated']} changed, {counts['unchanged']} unchanged.",
            textFormat=Qt.TextFormat.RichText,
        )
        summary.setWordWrap(True)
        self.files = QListWidget()
        for result in results:
            name = result.path.rsplit("/", 1)[-1]
            item = QListWidgetItem(f"{result.status:<9}  {name}")
            item.setToolTip(tooltip(result.path))
            self.files.addItem(item)
        self.diff_view = DiffView()
        self.files.setFont(self.diff_view.font())
        self.files.currentRowChanged.connect(self._show_diff)
        splitter = QSplitter()
        splitter.addWidget(self.files)
        splitter.addWidget(self.diff_view)
        splitter.setSizes([320, 580])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = buttons.addButton("Write", QDialogButtonBox.ButtonRole.AcceptRole)
        self.write_button.setDefault(True)
        self.write_button.setEnabled(counts["created"] + counts["updated"] > 0)
        if not self.write_button.isEnabled():
            summary.setText(summary.text() + " Nothing to write: the folder is up to date.")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self._colour_statuses()
        changed = next((i for i, r in enumerate(results) if r.status != "unchanged"), 0)
        if results:
            self.files.setCurrentRow(changed)

    def _colour_statuses(self) -> None:
        for row, result in enumerate(self.results):
            self.files.item(row).setForeground(status_colour(self.palette(), result.status))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_statuses()

    def _show_diff(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            self.diff_view.clear()
            return
        result = self.results[row]
        if result.status == "unchanged":
            self.diff_view.show_diff(f"{result.path}\n\nunchanged: the file on disk is already this text.")
        else:
            self.diff_view.show_diff(result.diff)


class CrashReportDialog(QDialog):
    """A bug: the traceback, read-only, with a Copy button."""

    def __init__(self, report: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("annotator hit a bug")
        self.resize(720, 440)
        intro = QLabel(
            "Something went wrong inside annotator. Your library is safe: every change is saved as "
            "it is made. Please send the report below to the maintainers."
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report, readOnly=True)
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.report.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)


def show_crash_report(report: str, parent: QWidget | None = None) -> None:
    """Show REPORT (a traceback) in a CrashReportDialog and wait for it to close."""
    print(report, file=sys.stderr)
    CrashReportDialog(report, parent or QApplication.activeWindow()).exec()


def make_excepthook() -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """sys.excepthook for the app: a user mistake is a message, anything else a crash report."""
    showing = False

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        if showing:  # a bug while showing the report: print only, never loop
            traceback.print_exception(kind, exc, tb)
            return
        showing = True
        try:
            if isinstance(exc, AnnotatorError):
                warn(QApplication.activeWindow(), "annotator", str(exc))
            else:
                show_crash_report("".join(traceback.format_exception(kind, exc, tb)))
        finally:
            showing = False

    return hook


def _package_metadata() -> tuple[str, str, list[str]]:
    """The installed package's version, licence and project links (the source's own version when not installed)."""
    try:
        meta = metadata.metadata("annotator")
    except metadata.PackageNotFoundError:
        return __version__, "MIT", []
    links = [entry.split(",", 1)[-1].strip() for entry in meta.get_all("Project-URL") or []]
    return meta.get("Version") or __version__, meta.get("License") or "MIT", [link for link in links if is_web_url(link)]


def about_text(library_path: str) -> str:
    """Help ▸ About's text (rich text; every value escaped): version, the library's path, licence, project link."""
    version, licence, links = _package_metadata()
    link = ("<br>".join(f"<a href='{escape(url)}'>{escape(url)}</a>" for url in links) if links
            else "annotator has no public project page yet.")
    return (
        f"<h3>annotator {escape(version)}</h3>"
        "<p>Prepare reading-group sessions: papers, notes, teams and video links, "
        "exported as Jekyll posts.</p><p>Your library is a single SQLite file; every change "
        "is saved at once and can be undone.</p>"
        f"<p><b>Library:</b> {escape(library_path)}</p>"
        f"<p><b>Licence:</b> {escape(licence)} (see the LICENSE file shipped with annotator)</p>"
        f"<p><b>Project:</b> {link}</p>"
    )


def about_box(parent: QWidget, library_path: str) -> QMessageBox:
    """The About box: its text can be selected and copied (the path), and its links open in the browser."""
    box = QMessageBox(QMessageBox.Icon.NoIcon, "About annotator", about_text(library_path),
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setIconPixmap(QApplication.windowIcon().pixmap(64, 64))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    return box


def show_about(parent: QWidget, library_path: str) -> None:
    """Help ▸ About."""
    about_box(parent, library_path).exec()


class PaperPickerDialog(QDialog):
    """Choose library papers (search as you type) to add as readings."""

    def __init__(self, lib: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add readings from the library")
        self.resize(640, 480)
        self._lib = lib
        self.search = QLineEdit(placeholderText="Search titles, abstracts, authors…", clearButtonEnabled=True)
        self.papers = QListWidget()
        self.papers.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.papers.setWordWrap(True)
        self.papers.itemDoubleClicked.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("Add", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.papers, 1)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._fill)
        self.papers.itemSelectionChanged.connect(
            lambda: self.add_button.setEnabled(bool(self.papers.selectedItems())))
        self._fill("")

    def _fill(self, text: str) -> None:
        self.papers.clear()
        if text.strip():
            rows = [(r["id"], r["title"]) for r in queries.search(self._lib.conn, text, limit=200) if r["type"] == "paper"]
        else:
            rows = papers_by_title(self._lib.conn, 500)
        for paper_id, title in rows:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, paper_id)
            self.papers.addItem(item)
        self.add_button.setEnabled(False)

    def selected_paper_ids(self) -> list[int]:
        """The chosen papers, in list order."""
        rows = sorted(self.papers.row(i) for i in self.papers.selectedItems())
        return [self.papers.item(r).data(Qt.ItemDataRole.UserRole) for r in rows]


class NewPaperDialog(QDialog):
    """A reading by title and/or URL (a paper not in the library yet)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a reading by title or URL")
        self.resize(520, 0)
        self.title = QLineEdit(placeholderText="Attention Is All You Need")
        self.url = QLineEdit(placeholderText="https://arxiv.org/abs/1706.03762")
        lay_out_form(self, [("Title:", self.title), ("URL:", self.url)])

    def accept(self) -> None:
        url = self.url.text().strip()
        if not (self.title.text().strip() or url):
            warn(self, "Add reading", "Give the paper's title, its URL, or both.")
            return
        if url and not is_web_url(url):
            warn(self, "Add reading", f"Not a web link (http:// or https://): {url}")
            return
        super().accept()

    def paper(self) -> Paper:
        """The paper as typed (title falls back to the URL)."""
        url = self.url.text().strip()
        return Paper(self.title.text().strip() or url, url)

