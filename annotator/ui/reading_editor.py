"""The reading editor: the paper, its team, its video links and the presenters' notes.

Every edit is in the library at once: the team when the combo box is left, a video when added,
the notes a moment after typing stops (or when the editor loses focus or another reading is
chosen), each burst of typing as one undoable operation. Saves are queued on the runner, in
order; while notes are being saved, a refresh never puts older notes back into the box.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.errors import AnnotatorError
from annotator.store import editing
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.pane_rows import reading_in_context
from annotator.store.workload import course_team_names
from annotator.ui.field_problem import FieldProblem
from annotator.ui.notes_preview import NotesPreview, is_web_url, open_web_link
from annotator.ui.operation_runner import OperationRunner
from annotator.ui.plain_text import escape, plain_label, tooltip
from annotator.ui.window_layout import scrolled

NOTES_SAVE_DELAY_MS = 500
# The notes layouts (QSettings values) with their menu text and tooltip.
NOTES_LAYOUTS = {
    "auto": ("&Automatic", "Side by side when the editor is wide enough, else stacked"),
    "side": ("&Side by Side", "Markdown on the left, how it reads on the right"),
    "stacked": ("S&tacked", "Markdown above, how it reads below"),
}
READABLE_CHARS = 36  # a narrower line of notes or preview is hard to read


AUTHORS_SHOWN_CHARS = 160  # about two lines: a paper of 40 authors would push the team and videos out of sight


def short_authors(authors: str) -> str:
    """AUTHORS cut after the last whole name within AUTHORS_SHOWN_CHARS, with "et al." (the tooltip has all)."""
    if len(authors) <= AUTHORS_SHOWN_CHARS:
        return authors
    cut = authors.rfind(", ", 0, AUTHORS_SHOWN_CHARS)
    return f"{authors[:cut if cut > 0 else AUTHORS_SHOWN_CHARS].rstrip()} et al."


class ReadingEditor(QWidget):
    """Shows one reading; edits go through the runner (undoable)."""

    def __init__(self, lib: Library, runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self._lib = lib
        self._runner = runner
        self._reading: dict[str, Any] | None = None
        self._loading = False
        self._notes_dirty = False
        self._notes_saving = 0  # notes edits queued and not yet applied
        self._notes_sent = ""  # the text of the newest of them
        self._teams_queued: list[tuple[int, str]] = []  # (reading, team) edits not applied yet
        self._save_timer = QTimer(self, singleShot=True, interval=NOTES_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.flush_notes)

        self.title = plain_label()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.link = QLabel(wordWrap=True, openExternalLinks=False, textFormat=Qt.TextFormat.RichText)  # URL escaped
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.link.linkActivated.connect(open_web_link)
        self.authors = plain_label()
        self.authors.setWordWrap(True)
        self.authors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.authors.setStyleSheet("color: palette(placeholder-text);")
        self.abstract = QPlainTextEdit(readOnly=True)
        self.abstract.setPlaceholderText("No abstract.")
        self.abstract.setMaximumHeight(110)

        self.team = QComboBox(editable=True, insertPolicy=QComboBox.InsertPolicy.NoInsert)
        self.team.setToolTip("The team presenting this reading: pick from the course's roster or type a name")
        self.team.lineEdit().setPlaceholderText("no team yet")
        self.team.activated.connect(lambda _index: self._commit_team())
        self.team.lineEdit().editingFinished.connect(self._commit_team)

        self.videos = QListWidget()
        self.videos.setMaximumHeight(self.videos.fontMetrics().height() * 3 + 12)
        self.videos.setToolTip("Video links of this reading (double-click opens one)")
        self.videos.itemDoubleClicked.connect(lambda item: open_web_link(item.text()))
        self.videos.currentRowChanged.connect(lambda _row: self._update_video_buttons())
        self.video_url = QLineEdit(placeholderText="Paste a video link", clearButtonEnabled=True)
        self.video_url.returnPressed.connect(self.add_video)
        self.add_video_button = QPushButton("Add", toolTip="Add the link typed on the left")
        self.add_video_button.clicked.connect(self.add_video)
        self.remove_video_button = QPushButton("Remove", toolTip="Remove the selected video link")
        self.remove_video_button.clicked.connect(self.remove_video)
        self.open_video_button = QPushButton("Open", toolTip="Open the selected video in your browser")
        self.open_video_button.clicked.connect(self.open_video)
        # Open and Remove beside the list, Add beside the link: the link field keeps a readable width.
        list_buttons = QVBoxLayout()
        list_buttons.setContentsMargins(0, 0, 0, 0)
        list_buttons.addWidget(self.open_video_button)
        list_buttons.addWidget(self.remove_video_button)
        list_buttons.addStretch(1)
        list_row = QHBoxLayout()
        list_row.setContentsMargins(0, 0, 0, 0)
        list_row.addWidget(self.videos, 1)
        list_row.addLayout(list_buttons)
        video_row = QHBoxLayout()
        video_row.setContentsMargins(0, 0, 0, 0)
        video_row.addWidget(self.video_url, 1)
        video_row.addWidget(self.add_video_button)
        video_box = QVBoxLayout()
        video_box.setContentsMargins(0, 0, 0, 0)
        video_box.addLayout(list_row)
        video_box.addLayout(video_row)
        self.video_problem = FieldProblem(self.video_url)
        video_box.addWidget(self.video_problem.label)

        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Notes in Markdown: the blog team's write-up of this paper.\n"
                                      "Saved as you type.")
        self.notes.setToolTip("Markdown; saved automatically (Ctrl+Z undoes a whole burst of typing)")
        self.notes.textChanged.connect(self._notes_changed)
        self.notes.installEventFilter(self)
        self.preview = NotesPreview()
        self.notes_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.notes_splitter.setObjectName("notesSplitter")
        self.notes_splitter.setChildrenCollapsible(False)
        self.notes_splitter.addWidget(self.notes)
        self.notes_splitter.addWidget(self.preview)
        self.notes_splitter.installEventFilter(self)  # its width picks the automatic layout
        self.notes_label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.notes_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._notes_mode = "auto"
        self.notes_layout_menu = QMenu("&Notes and Preview", self)
        self.notes_layout_menu.setToolTipsVisible(True)
        modes = QActionGroup(self)
        self.notes_layout_actions: dict[str, QAction] = {}
        for mode, (text, tip) in NOTES_LAYOUTS.items():
            action = self.notes_layout_menu.addAction(text)
            action.setCheckable(True)
            action.setToolTip(tip)
            action.setActionGroup(modes)
            action.triggered.connect(lambda _checked=False, m=mode: self.set_notes_layout(m))
            self.notes_layout_actions[mode] = action
        self.notes_layout_button = QToolButton(text="Layout", popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        self.notes_layout_button.setToolTip("Notes and preview side by side, stacked, or chosen by the editor's width")
        self.notes_layout_button.setMenu(self.notes_layout_menu)
        notes_heading = QHBoxLayout()
        notes_heading.setContentsMargins(0, 0, 0, 0)
        notes_heading.addWidget(self.notes_label, 1)
        notes_heading.addWidget(self.notes_layout_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Team:", self.team)
        form.addRow("Videos:", video_box)
        paper = QWidget()
        layout = QVBoxLayout(paper)
        layout.setContentsMargins(6, 0, 4, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.link)
        layout.addWidget(self.authors)
        layout.addLayout(form)  # what a presenter edits, above the abstract: on a laptop it is never below the fold
        layout.addWidget(self.abstract)
        notes_part = QWidget()
        layout = QVBoxLayout(notes_part)
        layout.setContentsMargins(6, 0, 4, 0)
        layout.addLayout(notes_heading)
        layout.addWidget(self.notes_splitter, 1)
        # The paper above the notes, scrolled in a short window; the splitter lets the notes have more.
        self._paper = paper
        self.paper_splitter = editor = QSplitter(Qt.Orientation.Vertical)
        editor.setObjectName("paperNotesSplitter")
        editor.setChildrenCollapsible(False)
        editor.addWidget(scrolled(paper))
        editor.addWidget(notes_part)
        editor.setStretchFactor(1, 1)
        self._paper_dragged = False  # once the user sets the split, it stays theirs
        editor.splitterMoved.connect(lambda _pos, _index: setattr(self, "_paper_dragged", True))

        placeholder = QLabel("Select a reading to see its paper and edit its team, videos and notes.",
                             alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        placeholder.setStyleSheet("color: gray;")
        self.pages = QStackedLayout(self)
        self.pages.addWidget(placeholder)
        self.pages.addWidget(editor)
        self.set_notes_layout("auto")
        self.show_reading(None)

    # --- the notes and their preview: side by side or stacked ---------------------------------------

    def notes_layout(self) -> str:
        """The chosen layout: "auto", "side" or "stacked" (kept in QSettings by the window)."""
        return self._notes_mode

    def set_notes_layout(self, mode: str) -> None:
        """Put the notes and their preview side by side, stacked, or ("auto") as the width allows."""
        self._notes_mode = mode if mode in NOTES_LAYOUTS else "auto"
        self.notes_layout_actions[self._notes_mode].setChecked(True)
        self._arrange_notes()

    def _arrange_notes(self) -> None:
        side = self._notes_mode == "side" or (
            self._notes_mode == "auto" and self.notes_splitter.width() >= self.side_by_side_width())
        orientation = Qt.Orientation.Horizontal if side else Qt.Orientation.Vertical
        if self.notes_splitter.orientation() != orientation:
            self.notes_splitter.setOrientation(orientation)
            half = max(self.notes_splitter.width() if side else self.notes_splitter.height(), 2) // 2
            self.notes_splitter.setSizes([half, half])
        where = ("left", "right") if side else ("above", "below")
        self.notes_label.setText(f"<b>Notes</b> <span style='color:gray'>(Markdown, {where[0]}) "
                                 f"and how they read ({where[1]})</span>")

    def side_by_side_width(self) -> int:
        """The narrowest notes area that still gives each side a readable line."""
        return 2 * READABLE_CHARS * self.notes.fontMetrics().averageCharWidth() + self.notes_splitter.handleWidth()

    # --- showing ---------------------------------------------------------------------------------

    def reading_id(self) -> int | None:
        return self._reading["reading_id"] if self._reading else None

    def show_reading(self, reading_id: int | None) -> None:
        """Show READING_ID (saving the notes of the reading shown before)."""
        self.flush_notes()
        self._reading = reading_in_context(self._lib.conn, reading_id) if reading_id is not None else None
        self.pages.setCurrentIndex(1 if self._reading else 0)
        self._fill(force=True)
        self._fit_paper()

    def _fit_paper(self) -> None:
        """Give the paper the height its text needs, up to half the editor; the notes take the rest."""
        total = sum(self.paper_splitter.sizes())
        if self._reading is None or self._paper_dragged or total <= 0:
            return
        width = self._paper.width()
        wanted = self._paper.heightForWidth(width) if self._paper.hasHeightForWidth() else -1
        paper = min(wanted if wanted > 0 else self._paper.sizeHint().height(), total // 2)
        self.paper_splitter.setSizes([paper, total - paper])

    def _fill(self, force: bool) -> None:
        reading = self._reading
        if reading is None:
            return
        self._loading = True
        try:
            self.title.setText(reading["title"] or "untitled")
            url = reading["url"]
            if url and is_web_url(url):
                self.link.setText(f'<a href="{escape(url)}">{escape(url)}</a>')
                self.link.setToolTip("Open in your browser")
            else:
                self.link.setText(escape(url) if url else "<i>no link</i>")
                self.link.setToolTip("")
            self.authors.setText(short_authors(reading["authors"]))
            self.authors.setToolTip(tooltip(reading["authors"]) if self.authors.text() != reading["authors"] else "")
            self.authors.setVisible(bool(reading["authors"]))
            if force or self.abstract.toPlainText() != reading["abstract"]:
                self.abstract.setPlainText(reading["abstract"])
            self._fill_teams()
            current = [self.videos.item(i).text() for i in range(self.videos.count())]
            if current != reading["videos"]:
                self.videos.clear()
                self.videos.addItems(reading["videos"])
            if force:
                self.video_url.clear()
                self.video_problem.clear()
            if force or (not self._notes_dirty and not self._notes_saving and self.notes.toPlainText() != reading["notes"]):
                self.notes.setPlainText(reading["notes"])
                self.preview.show_notes(reading["notes"])
                self._notes_dirty = False
        finally:
            self._loading = False
        self._update_video_buttons()

    def _fill_teams(self) -> None:
        assert self._reading is not None
        if self.team.hasFocus() and self.team.currentText() != self._reading["team"]:
            return  # a team name is being typed; it is saved when the user leaves the field
        names = course_team_names(self._lib.conn, self._reading["course_id"])
        if [self.team.itemText(i) for i in range(self.team.count())] != names:
            self.team.clear()
            self.team.addItems(names)
        if self.team.currentText() != self._reading["team"]:
            self.team.setCurrentText(self._reading["team"])

    def _update_video_buttons(self) -> None:
        selected = self.videos.currentItem() is not None
        self.remove_video_button.setEnabled(selected)
        self.open_video_button.setEnabled(selected and is_web_url(self.videos.currentItem().text()))

    def refresh(self, changes: Changes | None) -> None:
        """Re-read the shown reading if CHANGES touches its session, paper or course roster."""
        reading = self._reading
        if reading is None:
            return
        if changes is not None and not (reading["session_id"] in changes.sessions
                                        or reading["paper_id"] in changes.papers
                                        or reading["course_id"] in changes.teams
                                        or reading["course_id"] in changes.courses):
            return
        self._reading = reading_in_context(self._lib.conn, reading["reading_id"])
        if self._reading is None:
            self._notes_dirty = False
            self._save_timer.stop()
            self.pages.setCurrentIndex(0)
            return
        self._fill(force=False)

    # --- editing ---------------------------------------------------------------------------------

    def _commit_team(self) -> None:
        if self._loading or self._reading is None:
            return
        team = self.team.currentText().strip()
        edit = (self._reading["reading_id"], team)
        if team != self._reading["team"] and edit not in self._teams_queued:  # (`activated`, then `editingFinished`)
            self._teams_queued.append(edit)
            self._runner.edit(editing.edit_reading, edit[0], team=team) \
                .after(lambda: self._teams_queued.remove(edit)).run_in_background()

    def add_video(self) -> None:
        """Add the typed link (refused with a message unless it is an http(s) link)."""
        if self._reading is None:
            return
        try:
            url = editing.validate_video_url(self.video_url.text())
        except AnnotatorError as exc:
            self.video_problem.show(f"Not added: {exc}")
            return
        if url in self._reading["videos"]:
            self.video_problem.show("Not added: this reading already has that video.")
            return
        self.video_problem.clear()
        self._runner.edit(editing.edit_reading, self._reading["reading_id"], add_videos=[url]) \
            .success(lambda _none: self.video_url.clear()).run_in_background()

    def remove_video(self) -> None:
        item = self.videos.currentItem()
        if self._reading is not None and item is not None:
            self._runner.edit(editing.edit_reading, self._reading["reading_id"], remove_videos=[item.text()]) \
                .run_in_background()

    def open_video(self) -> None:
        item = self.videos.currentItem()
        if item is not None:
            open_web_link(item.text())

    def _notes_changed(self) -> None:
        text = self.notes.toPlainText()
        self.preview.show_notes(text)
        if self._loading or self._reading is None:
            return
        self._notes_dirty = True
        self._save_timer.start()

    def flush_notes(self) -> None:
        """Save typed notes now (one operation), if there are any unsaved."""
        self._save_timer.stop()
        if not self._notes_dirty or self._reading is None:
            return
        self._notes_dirty = False
        text = self.notes.toPlainText()
        if text != (self._notes_sent if self._notes_saving else self._reading["notes"]):
            self._notes_saving += 1
            self._notes_sent = text
            self._runner.edit(editing.edit_reading, self._reading["reading_id"], notes=text) \
                .after(self._notes_saved).run_in_background()

    def _notes_saved(self) -> None:
        self._notes_saving -= 1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.notes and event.type() == QEvent.Type.FocusOut:
            self.flush_notes()
        elif watched is self.notes_splitter and event.type() == QEvent.Type.Resize and self._notes_mode == "auto":
            self._arrange_notes()
        return super().eventFilter(watched, event)
