"""The main window: sessions | readings and session details | reading editor, plus library tabs.

Every change and every longer read goes through `self.runner` (operation_runner). Views never
re-read more than the Changes of an operation name; a 1 s poll of the library's data_version
picks up changes made by another process (the CLI) and refreshes everything.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
)

from annotator.errors import AnnotatorError
from annotator.store import backups, editing
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.pane_rows import library_is_empty, session_heading
from annotator.store.paper_browser import paper_detail
from annotator.store.read_connection import DatabaseError
from annotator.ui import dialogs
from annotator.ui.arxiv_lookup import ArxivLookups
from annotator.ui.backup_actions import LibraryBackups
from annotator.ui.import_export import FileTransfers
from annotator.ui.keyboard import SHORT_NAME, ShortcutsDialog, edit_focused
from annotator.ui.library_files import LibraryFiles
from annotator.ui.library_view import LibraryView
from annotator.ui.library_watcher import LibraryWatcher
from annotator.ui.operation_runner import OperationRunner
from annotator.ui.organise_menus import SessionMenus
from annotator.ui.paper_actions import markdown_link
from annotator.ui.paper_editor import open_paper_editor
from annotator.ui.plain_text import ask, inform
from annotator.ui.post_view import PostView
from annotator.ui.reading_editor import ReadingEditor
from annotator.ui.readings_table import ReadingsPanel
from annotator.ui.search_pages_keeper import SearchPagesKeeper
from annotator.ui.session_editor import SessionEditor
from annotator.ui.session_list import NewSessionDialog, SessionListPanel
from annotator.ui.site_sync import SiteActions
from annotator.ui.teams import TeamRosterDialog, WorkloadView
from annotator.ui.toolbar import MainToolBar
from annotator.ui.undo import name_step
from annotator.ui.welcome import SAMPLE_COURSE, WelcomePage, sample_session_path
from annotator.ui.window_layout import Workspace, restore_layout, save_layout

POLL_INTERVAL_MS = 1000


class MainWindow(QMainWindow):
    """The application window over one open library."""

    import_finished = Signal(object)  # ImportOutcome, after it was applied and reported

    def __init__(self, lib: Library, settings: QSettings | None = None, poll_interval_ms: int = POLL_INTERVAL_MS):
        super().__init__()
        self.lib = lib
        self.settings = settings if settings is not None else QSettings()
        self.setAcceptDrops(True)
        self.watcher = LibraryWatcher(lib, poll_interval_ms, self)
        self.watcher.changed_elsewhere.connect(self.refresh_everything)
        self.watcher.reopened.connect(self._library_reopened)
        self.watcher.failed.connect(lambda message: self._show_library_notice("Library", message))
        self.runner = OperationRunner(lib, self, self.watcher)
        self.runner.changed.connect(self.apply_changes)
        self.runner.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self._notice_box: QMessageBox | None = None
        self.transfers = FileTransfers(self, lib, self.runner, self.settings)
        self.transfers.imported.connect(self.import_finished)
        self.transfers.session_imported.connect(self.show_session)

        self.sessions = SessionListPanel(lib)
        self.readings = ReadingsPanel(lib)
        self.session_editor = SessionEditor(lib, self.runner)
        self.reading_editor = ReadingEditor(lib, self.runner)
        self.centre = QTabWidget()
        self.centre.setDocumentMode(True)
        self.centre.addTab(self.readings, "Readings")
        self.centre.addTab(self.session_editor, "Session Details")
        self.post_view = PostView(self.runner)
        self.centre.addTab(self.post_view, "Post")
        self.workspace = Workspace(self.sessions, self.centre, self.reading_editor)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.workspace, "Sessions")
        self.library_view = self._make_library_view()
        self.tabs.addTab(self.library_view, "Library")
        self.search_pages = SearchPagesKeeper(self.runner, self)
        self.watcher.changed_elsewhere.connect(lambda: self.search_pages.schedule())
        self.watcher.reopened.connect(lambda _reason: self.search_pages.schedule())
        self.library_view.search.textChanged.connect(self.search_pages.postpone)
        self.workload_view = self._make_workload_view()
        self.tabs.addTab(self.workload_view, "Workload")
        self.welcome = WelcomePage()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.tabs)
        self.setCentralWidget(self.pages)
        self._welcome_asked = False

        self.sessions.session_selected.connect(self._session_selected)
        self.sessions.new_requested.connect(self.new_session)
        self.sessions.delete_requested.connect(self.delete_session)
        self.readings.reading_selected.connect(self._reading_selected)
        self.readings.add_from_library_requested.connect(self.add_from_library)
        self.readings.add_by_title_requested.connect(self.add_by_title)
        self.readings.remove_requested.connect(self.remove_reading)
        self.readings.model.move_requested.connect(self.move_reading)
        self.readings.edit_paper_requested.connect(lambda paper_id: open_paper_editor(self.lib, paper_id, self.runner, self))
        self.welcome.import_requested.connect(self.transfers.choose_and_import)
        self.welcome.sample_requested.connect(self.open_sample)
        self.welcome.session_activated.connect(self.show_session)
        self.welcome.library_requested.connect(self.show_workspace)

        self.site = SiteActions(self, self.runner, self.sessions, self.settings)
        self.site.session_linked.connect(self.show_session)
        self.welcome.site_requested.connect(self.site.open_site)
        self.backups = LibraryBackups(self, lib, self.runner)
        self.backups.restored.connect(self._library_restored)
        self.arxiv = ArxivLookups(self)
        self.readings.arxiv_requested.connect(self.arxiv.find)
        self.library_view.arxiv_requested.connect(self.arxiv.find)
        self._build_actions()
        self.session_menus = SessionMenus(self)  # (before the menu bar, which shows its Rename Course…)
        self._build_menus()
        self.statusBar().showMessage(f"Library: {lib.path}", 5000)
        self._restore_settings()
        self._update_page()
        self._update_actions()
        self.site.watch.updated.connect(self._update_actions)
        # a course row chosen after another course row selects no new session: the Course actions still follow it
        self.sessions.tree.selectionModel().currentRowChanged.connect(lambda *_rows: self._update_actions())
        self.site.watch.refresh_now()

    # --- the Library and Workload tabs ---------------------------------------------------------

    def _make_library_view(self) -> LibraryView:
        view = LibraryView(self.lib, self.runner)
        view.add_to_session_requested.connect(self.add_papers)
        view.session_requested.connect(self.show_session)
        view.status_message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        return view

    def _make_workload_view(self) -> WorkloadView:
        view = WorkloadView(self.lib, self.runner)
        view.session_requested.connect(self.show_session)
        return view

    # --- actions and menus ---------------------------------------------------------------------

    def _action(self, text: str, slot: object, shortcut: QKeySequence | str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.import_action = self._action("&Import…", self.transfers.choose_and_import, "Ctrl+I",
                                          "Import session posts, lecture pages or paper lists")
        self.import_folder_action = self._action("Import &Folder…", self.transfers.choose_folder_and_import,
                                                 "Ctrl+Shift+I", "Import every post and paper list in a folder "
                                                 "and its subfolders")
        self.sample_action = self._action("Open &Sample Session", self.open_sample, None,
                                          f"Import a small example session into course “{SAMPLE_COURSE}”")
        self.export_session_action = self._action("&Export Session…", self.export_session, "Ctrl+E",
                                                  "Write the selected session as a Jekyll post, after a preview")
        self.export_course_action = self._action("Export &Course…", self.export_course, "Ctrl+Shift+E",
                                                 "Write every session of the selected course, after a preview")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", "Close annotator (everything is saved)")
        self.undo_action = self._action("&Undo", self.undo, "Ctrl+Z", "Undo the last change")
        self.redo_action = self._action("&Redo", self.redo, "Ctrl+Shift+Z", "Redo the last undone change")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for action in (self.undo_action, self.redo_action):
            action.setData(SHORT_NAME)  # listed as "Undo" among the shortcuts, whatever step it names
        stack = self.runner.history.stack
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(lambda text: name_step(self.undo_action, "Undo", text, "the last change"))
        stack.redoTextChanged.connect(lambda text: name_step(self.redo_action, "Redo", text, "the last undone change"))
        self.find_action = self._action("&Find", self.focus_search, key.Find, "Search the library or filter sessions")
        self.delete_action = self._action("&Delete", self.delete_selected, key.Delete,
                                          "Delete the selected session or remove the selected reading")
        self.new_session_action = self._action("&New Session…", self.new_session, key.New,
                                               "Create an empty session in a course")
        self.delete_session_action = self._action("&Delete Session…", self.delete_session, None,
                                                  "Delete the selected session (undoable)")
        self.add_library_action = self._action("Add Reading from &Library…", self.add_from_library, None,
                                               "Pick library papers to add to the session")
        self.add_title_action = self._action("Add Reading by &Title/URL…", self.add_by_title, None,
                                             "Add a paper that is not in the library yet")
        self.remove_reading_action = self._action("&Remove Reading", self.remove_reading, None,
                                                  "Remove the selected reading from the session")
        self.teams_action = self._action("&Teams…", self.edit_teams, None, "Edit the selected course's team roster")
        self.welcome_action = self._action("&Welcome Page", self.show_welcome, None,
                                           "Show the welcome page with recent imports")
        self.about_action = self._action("&About annotator", lambda: dialogs.show_about(self, str(self.lib.path)), None,
                                         "Version, the library's path, the licence")
        self.shortcuts_action = self._action("&Keyboard Shortcuts", lambda: ShortcutsDialog(self.actions(), self).exec(),
                                             "F1", "Every shortcut of the window")
        self.next_session_action = self._action("Ne&xt Session", lambda: self.sessions.step_session(1), "Alt+Down",
                                                "Select the session below in the list")
        self.previous_session_action = self._action("Pre&vious Session", lambda: self.sessions.step_session(-1),
                                                    "Alt+Up", "Select the session above in the list")
        self.move_up_action = self._action("Move Reading &Up", lambda: self._step_reading(-1), "Ctrl+Shift+Up",
                                           "Move the selected reading one place up")
        self.move_down_action = self._action("Move Reading Do&wn", lambda: self._step_reading(1), "Ctrl+Shift+Down",
                                             "Move the selected reading one place down")
        self.tab_actions = [self._action(f"&{number} {name}", lambda tab=tab: self.tabs.setCurrentIndex(tab),
                                         f"Ctrl+{number}", f"Show the {name} tab")
                            for tab, (number, name) in enumerate(((1, "Sessions"), (2, "Library"), (3, "Workload")))]
        self.edit_actions = [self._action(text, lambda command=command: edit_focused(command, self._copy_papers), keys)
                             for text, command, keys in (("Cu&t", "cut", key.Cut), ("&Copy", "copy", key.Copy),
                                                         ("&Paste", "paste", key.Paste),
                                                         ("Select &All", "selectAll", key.SelectAll))]
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        interval = self.watcher.timer.interval()
        self.library_files = LibraryFiles(self, self.lib, self.settings,
                                          lambda lib: type(self)(lib, self.settings, interval))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.library_files.new_action, self.library_files.open_action])
        file_menu.addMenu(self.library_files.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.import_folder_action, self.site.open_site_action,
                              self.sample_action])
        file_menu.addSeparator()
        file_menu.addActions([self.export_session_action, self.export_course_action])
        file_menu.addSeparator()
        file_menu.addActions([self.backups.backup_action, self.backups.restore_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(self.edit_actions)
        edit_menu.addSeparator()
        edit_menu.addActions([self.delete_action, self.find_action])
        session_menu = bar.addMenu("&Session")
        session_menu.addActions([self.new_session_action, self.delete_session_action])
        session_menu.addSeparator()
        session_menu.addActions([self.add_library_action, self.add_title_action, self.remove_reading_action,
                                 self.move_up_action, self.move_down_action])
        session_menu.addSeparator()
        session_menu.addActions([self.previous_session_action, self.next_session_action])
        self.arxiv.add_menu(bar)
        course_menu = bar.addMenu("&Course")
        course_menu.addActions([self.session_menus.rename_course_action, self.teams_action, self.export_course_action])
        course_menu.addSeparator()
        course_menu.addActions([self.site.link_action, self.site.sync_action, self.site.unlink_action])
        view_menu = bar.addMenu("&View")
        view_menu.addActions(self.tab_actions)
        view_menu.addSeparator()
        view_menu.addMenu(self.reading_editor.notes_layout_menu)
        view_menu.addAction(self.welcome_action)
        bar.addMenu("&Help").addActions([self.shortcuts_action, self.about_action])
        for menu in bar.findChildren(type(file_menu)):
            menu.setToolTipsVisible(True)
        self.toolbar = MainToolBar([(self.import_action, "import", "Import"), (self.export_session_action, "export", "Export"),
                                    (self.site.sync_action, "sync", "Sync"), (self.undo_action, "undo", "Undo"),
                                    (self.redo_action, "redo", "Redo"), (self.find_action, "search", "Search")], self)
        self.addToolBar(self.toolbar)

    def _update_actions(self) -> None:
        session = self.sessions.selected_session() is not None
        course = self.sessions.current_course()[0] is not None
        reading = self.readings.selected_reading() is not None
        for action in (self.export_session_action, self.delete_session_action, self.add_library_action,
                       self.add_title_action):
            action.setEnabled(session)
        self.export_course_action.setEnabled(course)
        self.teams_action.setEnabled(course)
        self.session_menus.rename_course_action.setEnabled(course)
        self.remove_reading_action.setEnabled(reading)
        self.site.update_actions()

    # --- refreshing ----------------------------------------------------------------------------

    def apply_changes(self, changes: Changes | None) -> None:
        """Refresh what CHANGES names (everything when None)."""
        self.sessions.refresh(changes)
        self.readings.refresh(changes)
        self.session_editor.refresh(changes)
        self.post_view.refresh(changes)
        self.reading_editor.refresh(changes)
        self.library_view.refresh(changes)
        self.workload_view.refresh(changes)
        if changes is None or changes.sessions:
            self._show_add_target()
        self._update_page()
        self._update_actions()

    def _library_restored(self) -> None:
        self.runner.history.stack.clear()  # its steps belong to the library that was replaced
        self.apply_changes(None)
        self.search_pages.schedule()  # (a restore announces no change: its pages may be another library's)

    def _library_reopened(self, reason: str) -> None:
        """The connection had lost its share of the library and was opened again: say so, in one box."""
        self._show_library_notice(
            "Library reopened", f"{reason[:1].upper()}{reason[1:]}.\n\nannotator stopped writing and opened the library again; "
            "everything "
            "saved so far is there. If your last change is missing, please make it again.")

    def _show_library_notice(self, title: str, message: str) -> None:
        box = self._notice_box
        if box is None:  # one box, reused: repeated notices do not stack up
            box = self._notice_box = QMessageBox(QMessageBox.Icon.Warning, title, "", QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(title)
        box.setText(message)
        box.open()  # (not exec: the poll that found it must not block)

    def refresh_everything(self) -> None:
        """The library changed in another process: re-read every view."""
        self.apply_changes(None)
        self.statusBar().showMessage("The library was changed outside this window; refreshed", 8000)

    def _update_page(self) -> None:
        empty = library_is_empty(self.lib.conn)
        if empty or self._welcome_asked:
            self.welcome.refresh(self.lib)
            self.pages.setCurrentWidget(self.welcome)
        else:
            self.pages.setCurrentWidget(self.tabs)

    def show_welcome(self) -> None:
        self._welcome_asked = True
        self._update_page()

    def show_workspace(self) -> None:
        self._welcome_asked = False
        self._update_page()
        self.tabs.setCurrentWidget(self.workspace)

    def show_session(self, session_id: int) -> None:
        """Bring SESSION_ID into view and select it."""
        self.show_workspace()
        self.sessions.select_session(session_id)

    def _session_selected(self, session_id: int | None) -> None:
        self.reading_editor.flush_notes()
        self.readings.show_session(session_id)
        self.session_editor.show_session(session_id)
        self.post_view.show_session(session_id)
        self._show_add_target()
        if session_id is not None:  # with its library: an id of one library means another session in the next
            self.settings.setValue("window/lastSession", session_id)
            self.settings.setValue("window/lastSessionLibrary", self._library_key())
        self._update_actions()

    def _show_add_target(self) -> None:
        """The Library tab's Add button names the session selected here (or none, after a delete or undo)."""
        session_id = self.sessions.selected_session()
        heading = session_heading(self.lib.conn, session_id) if session_id is not None else None
        self.library_view.set_target_session(heading[0] if heading else None)

    def _reading_selected(self, reading_id: int | None) -> None:
        self.reading_editor.show_reading(reading_id)
        self._update_actions()

    # --- edits -----------------------------------------------------------------------------------

    def undo(self) -> None:
        self.reading_editor.flush_notes()  # typed notes are one step of their own, undone first
        self.runner.history.undo()

    def redo(self) -> None:
        self.reading_editor.flush_notes()
        self.runner.history.redo()

    def focus_search(self) -> None:
        """Ctrl+F: the library's search box on the Library tab, else the session filter."""
        if self.tabs.currentWidget() is self.library_view and hasattr(self.library_view, "focus_search"):
            self.library_view.focus_search()
            return
        self.show_workspace()
        self.sessions.filter.setFocus()
        self.sessions.filter.selectAll()

    def delete_selected(self) -> None:
        """The Delete key: remove what the focused list shows selected."""
        if self.reading_editor.videos.hasFocus():
            self.reading_editor.remove_video()
        elif self.readings.table.hasFocus():
            self.remove_reading()
        elif self.sessions.tree.hasFocus():
            self.delete_session()

    def new_session(self) -> None:
        dialog = NewSessionDialog(self.sessions.model.course_names(), self.sessions.current_course()[1], self)
        if dialog.exec() != NewSessionDialog.DialogCode.Accepted:
            return
        course, code, title, date = dialog.values()
        self.runner.edit(editing.new_session, course, code, title, date).success(self._show_new_session) \
            .run_in_background()

    def _show_new_session(self, session_id: int) -> None:
        self.show_session(session_id)
        self.centre.setCurrentWidget(self.session_editor)

    def delete_session(self) -> None:
        session_id = self.sessions.selected_session()
        if session_id is None:
            return
        heading = session_heading(self.lib.conn, session_id)
        if heading is None:  # deleted meanwhile, e.g. by the CLI
            self.refresh_everything()
            return
        code, title = heading
        if ask(self, "Delete session",
               f"Delete session {code} “{title}” with its readings, notes and videos?\n\n"
               "You can undo this with Edit ▸ Undo."):
            self.runner.edit(editing.delete_session, session_id).run_in_background()

    def add_papers(self, paper_ids: list[int]) -> None:
        """Add library papers to the selected session (one undo step)."""
        session_id = self.sessions.selected_session()
        if session_id is None:
            inform(self, "Add to session", "Select a session on the Sessions tab first.")
            return
        calls = [{"session_id": session_id, "paper_id": pid} for pid in paper_ids]
        self.runner.edit_each(f"Add {len(paper_ids)} readings", editing.add_reading, calls) \
            .success(self._show_added).run_in_background()

    def _show_added(self, added: list[int]) -> None:
        if added:
            self.show_workspace()
            self.readings.select_reading(added[-1])
            self.statusBar().showMessage(f"Added {len(added)} reading{'s' if len(added) != 1 else ''}", 8000)

    def add_from_library(self) -> None:
        if self.sessions.selected_session() is None:
            return
        dialog = dialogs.PaperPickerDialog(self.lib, self)
        if dialog.exec() == dialogs.PaperPickerDialog.DialogCode.Accepted and dialog.selected_paper_ids():
            self.add_papers(dialog.selected_paper_ids())

    def add_by_title(self) -> None:
        session_id = self.sessions.selected_session()
        if session_id is None:
            return
        dialog = dialogs.NewPaperDialog(self)
        if dialog.exec() == dialogs.NewPaperDialog.DialogCode.Accepted:
            self.runner.edit(editing.add_reading, session_id, paper=dialog.paper()) \
                .success(self.readings.select_reading).run_in_background()

    def remove_reading(self) -> None:
        reading_id = self.readings.selected_reading()
        if reading_id is not None:
            self.runner.edit(editing.remove_reading, reading_id).run_in_background()

    def _step_reading(self, step: int) -> None:
        """Move the selected reading STEP places (up when negative), within its session."""
        reading_id = self.readings.selected_reading()
        if reading_id is None:
            return
        row = self.readings.model.row_of(reading_id)
        if 0 <= row + step < self.readings.model.rowCount():
            self.move_reading(reading_id, row + 1 + step)

    def _copy_papers(self, widget: object) -> str | None:
        """The Markdown links of the papers selected where WIDGET is (the readings or the Library tab's table)."""
        if widget is self.readings.table and self.readings.selected_reading() is not None:
            reading = self.readings.model.reading(self.readings.model.row_of(self.readings.selected_reading()))
            return markdown_link(reading["title"], reading["url"])
        if widget is getattr(self.library_view, "table", None):
            papers = [paper_detail(self.lib.conn, paper_id) for paper_id in self.library_view.selected_paper_ids()]
            return "\n".join(markdown_link(p["title"], p["url"]) for p in papers if p) or None
        return None

    def move_reading(self, reading_id: int, position: int) -> None:
        self.runner.edit(editing.move_reading, reading_id, position) \
            .success(lambda _none: self.readings.select_reading(reading_id)).run_in_background()

    def edit_teams(self) -> None:
        course_id = self.sessions.current_course()[0]
        if course_id is None:
            return
        TeamRosterDialog(self.lib, course_id, self.runner, self).exec()  # a saved roster comes back as Changes

    # --- import / export -----------------------------------------------------------------------

    def open_sample(self) -> None:
        """Import the shipped sample session into course “Sample”."""
        self.transfers.import_paths([str(sample_session_path())], course=SAMPLE_COURSE)

    def export_session(self) -> None:
        session_id = self.sessions.selected_session()
        if session_id is not None:
            self.transfers.export_session(session_id)

    def export_course(self) -> None:
        course_id = self.sessions.current_course()[0]
        if course_id is not None:
            self.transfers.export_course(course_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(url.isLocalFile() for url in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.transfers.import_paths(paths)

    # --- settings and closing ------------------------------------------------------------------

    def _restore_settings(self) -> None:
        restore_layout(self, self.settings)
        last = self.settings.value("window/lastSession")
        of_this_library = self.settings.value("window/lastSessionLibrary") in (None, self._library_key())
        if last is not None and str(last).isdigit() and of_this_library:
            self.sessions.select_session(int(last))

    def _library_key(self) -> str:
        """The library's path as QSettings keeps it: undecodable bytes of a folder's name (lone surrogates,
        which Qt drops, so that the key matched no library) written as \\xNN."""
        return os.fsencode(self.lib.path).decode("utf-8", "backslashreplace")

    def save_settings(self) -> None:
        save_layout(self, self.settings)
        self.settings.sync()

    def start_daily_backup(self) -> None:
        """Once a day, a verified backup of a library that holds anything, written off the GUI thread."""
        status = self.statusBar()
        path = Path(self.lib.path)

        def failed(exc: AnnotatorError | DatabaseError) -> None:  # not worth a box: it is tried again tomorrow
            status.showMessage(f"Daily backup failed: {exc}", 15000)

        self.runner.query_op(self, lambda conn, _task: backups.daily_backup_if_due(conn, path),
                             lambda written: written and status.showMessage(f"Daily backup written: {written}", 8000)) \
            .failure(failed).run_in_background()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reading_editor.flush_notes()
        self.search_pages.stop()
        self.runner.shutdown()  # typed notes and every queued edit land first; a backup is never cut off
        self.watcher.timer.stop()
        self.save_settings()
        super().closeEvent(event)
