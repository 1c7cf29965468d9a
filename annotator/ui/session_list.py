"""The sessions pane: a course → session tree with a filter box, New Session and Delete."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QDate,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.pane_rows import SessionRow, course_tree
from annotator.ui.column_state import ColumnState
from annotator.ui.dialogs import lay_out_form
from annotator.ui.plain_text import tooltip, warn

SESSION_ID_ROLE = Qt.ItemDataRole.UserRole
COURSE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COURSE_NAME_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Session", "Date", "Title", "Site")
TITLE_COLUMN = 2
TITLE_ROOM_CHARS = 16  # a narrow pane elides the ids (down to ID_ROOM_CHARS) before the titles go out of sight
ID_ROOM_CHARS = 8
ID_WIDTH_CHARS = 26  # the widest a fitted column gets: a 20-character hash id fits, a whole file name does not
SITE_COLUMN = 3


@dataclass(frozen=True, slots=True)
class SiteBadges:
    """What the tree shows of a linked course's site: a badge per session and a line for the course row."""

    sessions: dict[int, tuple[str, str]]  # session id -> (badge, tooltip)
    course: str  # e.g. "main ↑1 ↓0"
    course_tip: str


_BOLD = QFont()
_BOLD.setBold(True)
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _item(text: str, tip: str, session_id: int | None, course_id: int) -> QStandardItem:
    item = QStandardItem(text)
    item.setFlags(_SELECTABLE)
    item.setToolTip(tooltip(tip))
    item.setData(course_id, COURSE_ID_ROLE)
    if session_id is not None:
        item.setData(session_id, SESSION_ID_ROLE)
    return item


class SessionTreeModel(QStandardItemModel):
    """Courses at the top level, their sessions below.

    A library has hundreds of sessions, not 100k, so the rows live in Qt's own items: painting a
    scrolled tree then calls no Python at all (the paper table, 100k rows, is the lazy model).
    """

    def __init__(self, lib: Library, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self._lib = lib
        self._courses: list[tuple[int, str, list[SessionRow]]] = []
        self._session_items: dict[int, list[QStandardItem]] = {}
        self._course_items: list[QStandardItem] = []
        self._site: dict[int, SiteBadges] = {}  # by course id: only linked courses have badges
        self._rebuild(course_tree(lib.conn))

    @staticmethod
    def _shape(courses: list[tuple[int, str, list[SessionRow]]]) -> list[tuple[int, list[int]]]:
        return [(cid, [s.session_id for s in sessions]) for cid, _, sessions in courses]

    def _course_text(self, course_id: int, name: str, sessions: list[SessionRow]) -> tuple[str, str]:
        text, tip = f"{name}  ({len(sessions)})", f"Course {name}: {len(sessions)} sessions"
        site = self._site.get(course_id)
        if site is not None:
            text, tip = f"{text}   {site.course}".rstrip(), f"{tip}\n{site.course_tip}"
        return text, tip

    def _badge(self, course_id: int, session_id: int) -> tuple[str, str]:
        site = self._site.get(course_id)
        return site.sessions.get(session_id, ("", "")) if site is not None else ("", "")

    @staticmethod
    def _session_texts(session: SessionRow) -> tuple[list[str], str]:
        return [session.code, session.date, session.title], f"{session.code}  {session.title}\n{session.readings} readings"

    def _rebuild(self, courses: list[tuple[int, str, list[SessionRow]]]) -> None:
        """Replace every row, announced to views as one reset."""
        self.beginResetModel()
        blocked = self.blockSignals(True)  # the row-by-row signals would arrive inside the reset
        try:
            self.removeRows(0, self.rowCount())
            self._courses, self._session_items, self._course_items = courses, {}, []
            for course_id, name, sessions in courses:
                text, course_tip = self._course_text(course_id, name, sessions)
                course = _item(text, course_tip, None, course_id)
                course.setFont(_BOLD)
                course.setData(name, COURSE_NAME_ROLE)
                for session in sessions:
                    texts, tip = self._session_texts(session)
                    row = [_item(t, tip, session.session_id, course_id) for t in texts]
                    badge, badge_tip = self._badge(course_id, session.session_id)
                    row.append(_item(badge, badge_tip, session.session_id, course_id))
                    self._session_items[session.session_id] = row
                    course.appendRow(row)
                blanks = [_item("", course_tip, None, course_id) for _ in COLUMNS[1:]]
                self.appendRow([course, *blanks])
                self._course_items.append(course)
        finally:
            self.blockSignals(blocked)
        self.endResetModel()

    def refresh(self, changes: Changes | None = None) -> None:
        """Reload; rows that only changed their text are updated in place, else the tree is rebuilt."""
        courses = course_tree(self._lib.conn)
        if self._shape(courses) != self._shape(self._courses):
            self._rebuild(courses)
            return
        old, self._courses = self._courses, courses
        for course_row, (course_id, name, sessions) in enumerate(courses):
            if name != old[course_row][1]:
                self._show_course(course_row, course_id, name, sessions)
            for row, session in enumerate(sessions):
                # Only rows whose text changed: a poll (changes None) must not repaint 500 rows.
                if session != old[course_row][2][row]:
                    texts, tip = self._session_texts(session)
                    for item, text in zip(self._session_items[session.session_id], texts, strict=False):
                        item.setText(text)
                        item.setToolTip(tooltip(tip))

    def _show_course(self, course_row: int, course_id: int, name: str, sessions: list[SessionRow]) -> None:
        text, tip = self._course_text(course_id, name, sessions)
        item = self._course_items[course_row]
        item.setText(text)
        item.setToolTip(tooltip(tip))
        item.setData(name, COURSE_NAME_ROLE)

    def set_site_badges(self, badges: dict[int, SiteBadges]) -> None:
        """Show BADGES (by course id) in the Site column and on the course rows; other courses show none."""
        old, self._site = self._site, badges
        for course_row, (course_id, name, sessions) in enumerate(self._courses):
            if old.get(course_id) == badges.get(course_id):
                continue  # (a refresh of an unchanged site repaints nothing)
            self._show_course(course_row, course_id, name, sessions)
            for session in sessions:
                badge, tip = self._badge(course_id, session.session_id)
                item = self._session_items[session.session_id][SITE_COLUMN]
                item.setText(badge)
                item.setToolTip(tooltip(tip))

    def column_texts(self, column: int) -> list[str]:
        """Every session row's text in COLUMN."""
        return [items[column].text() for items in self._session_items.values()]

    def has_site_badges(self) -> bool:
        return bool(self._site)

    def is_empty(self) -> bool:
        return not self._courses

    def session_index(self, session_id: int) -> QModelIndex:
        """The index of SESSION_ID's row (invalid when it is not in the tree)."""
        items = self._session_items.get(session_id)
        return self.indexFromItem(items[0]) if items else QModelIndex()

    def course_names(self) -> list[str]:
        return [name for _, name, _ in self._courses]


class NewSessionDialog(QDialog):
    """Course (existing or new), id, title and date of a new session."""

    def __init__(self, courses: list[str], current_course: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New session")
        self.resize(460, 0)
        self.course = QComboBox(editable=True)
        self.course.addItems(courses)
        self.course.setCurrentText(current_course or (courses[0] if courses else ""))
        self.course.lineEdit().setPlaceholderText("e.g. 2024 Spring GenAI")
        self.code = QLineEdit(placeholderText="e.g. S0-L29 (becomes the file name)")
        self.title = QLineEdit(placeholderText="e.g. Domain Centered FMs")
        self.date = QLineEdit(placeholderText="YYYY-MM-DD (optional)")
        lay_out_form(self, [("Course:", self.course), ("Session id:", self.code), ("Title:", self.title),
                            ("Date:", self.date)])
        (self.code if self.course.currentText() else self.course).setFocus()

    def accept(self) -> None:
        problem = ""
        date = self.date.text().strip()
        if not self.course.currentText().strip():
            problem = "Give the course the session belongs to."
        elif not self.code.text().strip():
            problem = "Give the session an id such as S0-L29."
        elif date and not QDate.fromString(date, "yyyy-MM-dd").isValid():
            problem = f"A date is written YYYY-MM-DD, not {date!r}."
        if problem:
            warn(self, "New session", problem)
            return
        super().accept()

    def values(self) -> tuple[str, str, str, str]:
        """(course, id, title, date) as typed."""
        return (self.course.currentText().strip(), self.code.text().strip(), self.title.text().strip(),
                self.date.text().strip())


class SessionListPanel(QWidget):
    """Filter box, the course/session tree, New and Delete buttons.

    `session_selected(session_id or None)` fires when the selection changes.
    """

    session_selected = Signal(object)
    new_requested = Signal()
    delete_requested = Signal()
    menu_requested = Signal(QPoint)  # a right-click's global position, once the row under it is selected

    def __init__(self, lib: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = SessionTreeModel(lib, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(placeholderText="Filter sessions…", clearButtonEnabled=True)
        self.filter.setToolTip("Show only sessions whose id, date or title contains this text")
        self.filter.textChanged.connect(self._filter)
        self.filter.installEventFilter(self)  # Down moves into the list
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setIndentation(14)  # only courses have children: the default 20 px would clip session ids
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)  # takes the free width
        header.setMinimumSectionSize(40)
        header.moveSection(SITE_COLUMN, 1)  # beside the session's id: the title, clipped first, is the longest
        # Ids, dates and badges are as wide as their longest text; a pane narrower than that scrolls.
        self.columns = ColumnState(self.tree, fit=(0, 1, SITE_COLUMN), keep=(0,), measure=self._text_width)
        self.columns.set_available(SITE_COLUMN, False)  # until a course is linked to its site
        # After each fitting (a reset model, Fit Columns to Contents, a column hidden): it widens the ids again.
        self.columns.applied.connect(self._leave_room_for_titles)
        self.tree.viewport().installEventFilter(self)
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.new_button = QPushButton("New…")
        self.new_button.setToolTip("Create an empty session (Ctrl+N)")
        self.new_button.clicked.connect(self.new_requested)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected session (undoable)")
        self.delete_button.clicked.connect(self.delete_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._selected: int | None = None
        self._remembered: int | None = None
        self._resetting = False
        self.model.modelAboutToBeReset.connect(self._remember)
        self.model.modelReset.connect(self._restore)
        self._expand_courses()
        self._update_buttons()

    def sizeHint(self) -> QSize:
        """Wide enough for whole ids and dates and a title of about 30 characters."""
        header = self.tree.header()
        columns = sum(header.sectionSize(c) for c in range(header.count()) if c != TITLE_COLUMN and not header.isSectionHidden(c))
        title = 30 * self.tree.fontMetrics().averageCharWidth()
        return QSize(columns + title + self.tree.verticalScrollBar().sizeHint().width() + 4, super().sizeHint().height())

    def _text_width(self, column: int) -> int:
        """The width COLUMN needs to show every session's cell whole (a course row spans the tree), but at
        most ID_WIDTH_CHARS: an id made of a post's whole file name ("2024-08-11-Reinforcement-Learning-for-
        Robotics") would otherwise push the titles out of sight. Such an id is elided; its tooltip has it."""
        metrics = self.tree.fontMetrics()
        texts = self.model.column_texts(column)
        widest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
        widest = min(widest, ID_WIDTH_CHARS * metrics.averageCharWidth())
        # Item padding on both sides; the id column also holds the branch and a session's indentation.
        padding = 2 * metrics.horizontalAdvance("  ") + (2 * self.tree.indentation() if column == 0 else 0)
        return widest + padding

    def _leave_room_for_titles(self) -> None:
        """In a pane too narrow for whole ids, dates and TITLE_ROOM_CHARS of title, the id column gives way
        (elided, its tooltip whole) instead of pushing the titles out of sight; a width the user dragged stays."""
        header = self.tree.header()
        if self.columns.user_sized(0):
            return
        chars = self.tree.fontMetrics().averageCharWidth()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c not in (0, TITLE_COLUMN) and not header.isSectionHidden(c))
        room = self.tree.viewport().width() - others - TITLE_ROOM_CHARS * chars
        width = max(ID_ROOM_CHARS * chars, min(self.columns.fitted_width(0), room))
        if width != header.sectionSize(0):
            with self.columns.laying_out():
                header.resizeSection(0, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the filter box goes to the list, on the selected session or the first one shown; a resized
        list shares its width again."""
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._leave_room_for_titles()
        if watched is self.filter and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            self.tree.setFocus()
            if self.selected_session() is None:
                self.step_session(1)
            return True
        return super().eventFilter(watched, event)

    def _context_menu(self, position: QPoint) -> None:
        """A right-click selects the row under the pointer, then asks for that row's menu."""
        index = self.tree.indexAt(position)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.menu_requested.emit(self.tree.viewport().mapToGlobal(position))

    def visible_sessions(self) -> list[int]:
        """The session ids the list shows (the filter applied), top to bottom."""
        found = []
        for course_row in range(self.proxy.rowCount()):
            course = self.proxy.index(course_row, 0)
            found += [self.proxy.index(row, 0, course).data(SESSION_ID_ROLE) for row in range(self.proxy.rowCount(course))]
        return [session_id for session_id in found if session_id is not None]

    def step_session(self, step: int) -> bool:
        """Select the session STEP rows below (above, when negative) the selected one, across courses; False at an end."""
        shown = self.visible_sessions()
        if not shown:
            return False
        current = self.selected_session()
        index = (-1 if step > 0 else len(shown)) if current not in shown else shown.index(current)
        target = index + step
        if not 0 <= target < len(shown):
            return False
        return self.select_session(shown[target])

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._expand_courses()
        current = self.tree.currentIndex()
        if current.isValid():  # clearing the filter keeps the selected session in sight
            self.tree.scrollTo(current)

    def _expand_courses(self) -> None:
        """Course rows span the whole width (their names are long) and show their sessions."""
        for row in range(self.proxy.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()

    def _remember(self) -> None:
        self._remembered = self._selected
        self._resetting = True

    def _restore(self) -> None:
        self._resetting = False
        self._expand_courses()
        if self._remembered is not None and not self.select_session(self._remembered):
            self._current_changed(QModelIndex())

    def _current_changed(self, current: QModelIndex) -> None:
        if self._resetting:
            return
        session_id = current.data(SESSION_ID_ROLE) if current.isValid() else None
        self._update_buttons(session_id)
        if session_id != self._selected:
            self._selected = session_id
            self.session_selected.emit(session_id)

    def _update_buttons(self, session_id: int | None = None) -> None:
        self.delete_button.setEnabled(session_id is not None)

    def selected_session(self) -> int | None:
        return self._selected

    def current_course(self) -> tuple[int | None, str]:
        """(course id, name) of the selected row (a course or a session), else (None, '')."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return None, ""
        course_index = index.sibling(index.row(), 0) if not index.parent().isValid() else index.parent()
        return index.data(COURSE_ID_ROLE), course_index.data(COURSE_NAME_ROLE)

    def select_session(self, session_id: int) -> bool:
        """Select SESSION_ID (clearing the filter if it hides it); False when it is not there."""
        source = self.model.session_index(session_id)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.filter.clear()
            index = self.proxy.mapFromSource(source)
        self.tree.expand(index.parent())
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.tree.scrollTo(index)
        return True

    def show_site_badges(self, badges: dict[int, SiteBadges]) -> None:
        """The linked courses' site states (site_sync.SiteWatch computes them); the Site column shows only with some."""
        self.model.set_site_badges(badges)
        self.columns.set_available(SITE_COLUMN, bool(badges))

    def refresh(self, changes: Changes | None) -> None:
        """Refresh the rows CHANGES names (everything when None)."""
        if changes is None or changes.sessions or changes.courses:
            self.model.refresh(changes)
            self.columns.apply()  # an id or date edited in place may be wider now
