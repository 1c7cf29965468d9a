"""Right-click menus that organise the library (issue 16): on a session, on a course, on a paper list.

A session: export, copy as Markdown, reveal the file it came from, move to another course, new,
delete. A course: rename, teams, export, new session. A paper list (the Library tab's "Show:"
list): show its papers, rename, delete. Every change runs as a store operation through the
window's runner, so each is one undo step and its refusal one message.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QComboBox, QInputDialog, QLineEdit, QMenu, QWidget

from annotator.store import organising
from annotator.store.pane_rows import session_with_course
from annotator.store.queries import paper_lists, session_readings
from annotator.ui.paper_actions import markdown_link
from annotator.ui.plain_text import menu_text, safe_auto_text, tooltip

if TYPE_CHECKING:
    from annotator.ui.library_view import LibraryView
    from annotator.ui.main_window import MainWindow


def ask_name(parent: QWidget, title: str, label: str, current: str) -> str | None:
    """A new name typed by the user (None when cancelled or unchanged); the store checks it."""
    # The label names the course or list: Qt guesses whether it is HTML, and, as the label of the
    # text field, takes an & for a shortcut (R&D showed as RD, its D underlined).
    text = safe_auto_text(menu_text(label))
    name, accepted = QInputDialog.getText(parent, title, text, QLineEdit.EchoMode.Normal, current)
    return name if accepted and name != current else None


def _menu(parent: QWidget) -> QMenu:
    menu = QMenu(parent)
    menu.setToolTipsVisible(True)  # why an entry is disabled
    return menu


def _pop_up(menu: QMenu | None, position: QPoint) -> None:
    """Show MENU at POSITION without blocking (a menu built per right-click is deleted once closed)."""
    if menu is not None:
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(position)


def session_markdown(session: dict, readings: list[dict]) -> str:
    """A session as Markdown to paste into a chat or an e-mail: its id, title and date, then its papers."""
    date = f" ({session['date']})" if session["date"] else ""
    lines = [f"### {session['code']}: {' '.join(session['title'].split())}{date}", ""]
    lines += [f"- {markdown_link(r['title'], r['url'])}" for r in readings]
    return "\n".join(lines) + "\n"


class SessionMenus(QObject):
    """The session tree's right-click menus, on the window's actions and the store's organising operations."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        window.sessions.menu_requested.connect(self._show)
        # one action for the course's right-click menu and the menu bar's Course menu (enabled by the window)
        self.rename_course_action = QAction("&Rename Course…", window)
        self.rename_course_action.setToolTip("Rename the selected course (undoable)")
        self.rename_course_action.setStatusTip(self.rename_course_action.toolTip())
        self.rename_course_action.triggered.connect(self.rename_current_course)

    def _show(self, position: QPoint) -> None:
        _pop_up(self.menu_for_current(), position)

    def menu_for_current(self) -> QMenu | None:
        """The menu of the selected row: a session's, a course's, or None."""
        session_id = self.window.sessions.selected_session()
        if session_id is not None:
            return self.menu_for_session(session_id)
        return self.menu_for_course() if self.window.sessions.current_course()[0] is not None else None

    def menu_for_session(self, session_id: int) -> QMenu:
        """Export, Copy as Markdown, Reveal Source File, Move to Course ▸, New, Delete: for the selected session."""
        win = self.window
        menu = _menu(win)
        menu.addAction(win.export_session_action)
        menu.addAction("Copy as Markdown", lambda: self.copy_markdown(session_id))
        menu.addAction(self._reveal_action(menu, session_id))
        self._add_move_menu(menu, session_id)
        menu.addSeparator()
        menu.addActions([win.new_session_action, win.delete_session_action])
        return menu

    def menu_for_course(self) -> QMenu:
        """Rename Course, Teams, Export Course, New Session: for the selected course."""
        win = self.window
        menu = _menu(win)
        menu.addActions([self.rename_course_action, win.teams_action, win.export_course_action])
        menu.addSeparator()
        menu.addAction(win.new_session_action)
        return menu

    def _reveal_action(self, menu: QMenu, session_id: int) -> QAction:
        path, why_not = organising.source_file(self.window.lib.conn, session_id)
        action = QAction("Reveal Source File", menu)
        action.setEnabled(path is not None)
        tip = f"Open the folder of {path}" if path is not None else why_not
        action.setToolTip(tooltip(tip))
        action.setStatusTip(tip)
        if path is not None:
            action.triggered.connect(lambda: self._reveal(path))
        return action

    def _reveal(self, path: Path) -> None:
        """Open PATH's folder in the file manager, and name the file: a posts folder holds many (and a
        machine without a file manager opens nothing)."""
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
        self.window.runner.message.emit(f"{path.name} is in {path.parent}" if opened
                                        else f"No file manager could open the folder: the file is {path}")

    def _add_move_menu(self, menu: QMenu, session_id: int) -> None:
        current = self.window.sessions.current_course()[1]
        move = menu.addMenu("Move to Course")
        refusal = organising.move_refusal(self.window.lib.conn, session_id)
        move.menuAction().setEnabled(not refusal)
        move.menuAction().setToolTip(tooltip(refusal or "Move the session with its readings into another course"))
        for name in self.window.sessions.model.course_names():
            if name != current:
                action = move.addAction(menu_text(name))
                action.triggered.connect(lambda _checked=False, name=name: self.move_session(session_id, name))
        move.addSeparator()
        move.addAction("New Course…", lambda: self._move_to_new_course(session_id))

    def _move_to_new_course(self, session_id: int) -> None:
        name = ask_name(self.window, "Move to a new course", "Name of the new course:", "")
        if name is not None:
            self.move_session(session_id, name)

    def move_session(self, session_id: int, course: str) -> None:
        """Move SESSION_ID into COURSE (one undo step) and keep it selected there."""
        self.window.runner.edit(organising.move_session, session_id, course) \
            .success(lambda _none: self.window.show_session(session_id)).run_in_background()

    def rename_current_course(self) -> None:
        """Ask for a new name for the selected course, and rename it (one undo step)."""
        course_id, name = self.window.sessions.current_course()
        if course_id is None:
            return
        new_name = ask_name(self.window, "Rename course", f"New name for course “{name}”:", name)
        if new_name is not None:
            self.window.runner.edit(organising.rename_course, course_id, new_name).run_in_background()

    def copy_markdown(self, session_id: int) -> None:
        conn = self.window.lib.conn
        session = session_with_course(conn, session_id)
        if session is not None:
            QGuiApplication.clipboard().setText(session_markdown(session, session_readings(conn, session_id)))


class PaperListMenus(QObject):
    """The right-click menu of a paper list, in the Library tab's "Show:" box and in its drop-down."""

    def __init__(self, view: LibraryView):
        super().__init__(view)
        self.view = view
        self.lists: QComboBox = view.lists
        for widget in (self.lists, self.lists.view()):
            widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.lists.customContextMenuRequested.connect(
            lambda pos: self._show(self.lists.currentIndex(), self.lists.mapToGlobal(pos)))
        self.lists.view().customContextMenuRequested.connect(
            lambda pos: self._show(self.lists.view().indexAt(pos).row(), self.lists.view().viewport().mapToGlobal(pos)))

    def _show(self, row: int, position: QPoint) -> None:
        _pop_up(self.menu_for(row), position)

    def menu_for(self, row: int) -> QMenu | None:
        """Show Its Papers, Rename List, Delete List for the list in ROW of the box (None for "All papers")."""
        list_id = self.lists.itemData(row) if row >= 0 else None
        if list_id is None:
            return None
        name = self._name(list_id)
        menu = _menu(self.view)
        show = menu.addAction("Show Its Papers", lambda: self._choose(row))
        show.setEnabled(row != self.lists.currentIndex())
        menu.addAction("Rename List…", lambda: self.rename(list_id, name))
        menu.addSeparator()
        delete = menu.addAction("Delete List", lambda: self.view.runner.edit(
            organising.delete_list, list_id).run_in_background())
        delete.setToolTip("Delete the list (undoable); its papers stay in the library")
        return menu

    def _name(self, list_id: int) -> str:
        found = [row["name"] for row in paper_lists(self.view.lib.conn) if row["id"] == list_id]
        return found[0] if found else ""

    def _choose(self, row: int) -> None:
        self.lists.hidePopup()
        self.lists.setCurrentIndex(row)

    def rename(self, list_id: int, name: str) -> None:
        new_name = ask_name(self.view, "Rename list", f"New name for list “{name}”:", name)
        if new_name is not None:
            self.view.runner.edit(organising.rename_list, list_id, new_name).run_in_background()

