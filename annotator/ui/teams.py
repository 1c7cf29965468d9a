"""Teams: a course's roster (TeamRosterDialog) and who does what in each session (WorkloadView)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.store import editing
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.pane_rows import course_name
from annotator.store.workload import (
    CourseWorkload,
    SessionWorkload,
    course_roster,
    course_workload,
    list_courses,
    roster_to_edit,
)
from annotator.ui.column_state import ColumnState
from annotator.ui.operation_runner import OperationRunner
from annotator.ui.plain_text import tooltip

_Index = QModelIndex | QPersistentModelIndex
_ROSTER_COLUMNS = ("Team", "Members")
_SESSION_COLUMNS = ("Date", "Session", "Title")
_LEAD_COLOUR = QColor(240, 160, 60, 90)  # translucent: readable in light and dark themes
_BLOG_COLOUR = QColor(80, 150, 230, 80)
_READING_COLOUR = QColor(90, 190, 110, 60)
FREE_TEXT_WIDTH_CHARS = 36  # a Workload title or "Not a team" cell wider than this is elided (its tooltip has it all)


def _swatch(colour: QColor) -> str:
    """COLOUR blended over white, as a #rrggbb a rich-text label can use."""
    alpha = colour.alphaF()
    red, green, blue = (round(c * alpha + 255 * (1 - alpha)) for c in (colour.red(), colour.green(), colour.blue()))
    return QColor(red, green, blue).name()


class RosterModel(QAbstractTableModel):
    """Editable rows of (team name, members)."""

    def __init__(self, teams: list[tuple[str, str]], parent: Any = None):
        super().__init__(parent)
        self._rows = [list(team) for team in teams]

    def teams(self) -> list[tuple[str, str]]:
        """The rows as (name, members), stripped, without rows left wholly blank."""
        rows = [(name.strip(), members.strip()) for name, members in self._rows]
        return [row for row in rows if row != ("", "")]

    def next_team_name(self) -> str:
        """`team-N` with N one more than the highest number in use."""
        numbers = [int(m.group(1)) for name, _ in self._rows if (m := re.fullmatch(r"team-(\d+)", name.strip()))]
        return f"team-{max(numbers, default=0) + 1}"

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_ROSTER_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 2:
            return _ROSTER_COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        return self._rows[index.row()][index.column()]

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        self._rows[index.row()][index.column()] = str(value)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def insertRows(self, row: int, count: int, parent: _Index = QModelIndex()) -> bool:
        if parent.isValid() or not 0 <= row <= len(self._rows) or count < 1:
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        self._rows[row:row] = [["", ""] for _ in range(count)]
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: _Index = QModelIndex()) -> bool:
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row:row + count]
        self.endRemoveRows()
        return True


class TeamRosterDialog(QDialog):
    """Edit a course's teams; OK saves the whole roster as one undoable operation, then closes."""

    def __init__(self, lib: Library, course_id: int, runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.lib = lib
        self.course_id = course_id
        self._runner = runner
        self.setWindowTitle(f"Teams of {course_name(lib.conn, course_id) or 'the course'}")
        self._original = course_roster(lib.conn, course_id)
        self.model = RosterModel(roster_to_edit(lib.conn, course_id), self)  # with the teams the posts use

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().resizeSection(0, 140)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed)
        self.add_button = QPushButton("Add team")
        self.remove_button = QPushButton("Remove team")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)

        hint = QLabel("Team names are what session posts use: <i>team-3</i> in a session's Lead team (video) "
                      "or Blog team (notes), or a reading's Team. Members are free text.")
        hint.setWordWrap(True)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(self.add_button)
        row_buttons.addWidget(self.remove_button)
        row_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.buttons)
        self.resize(560, 380)

        self.add_button.clicked.connect(self.add_team)
        self.remove_button.clicked.connect(self.remove_selected)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def add_team(self) -> None:
        """Append a row named team-N and start editing its name: what is typed replaces it."""
        row = self.model.rowCount()
        name = self.model.next_team_name()
        self.model.insertRows(row, 1)
        self.model.setData(self.model.index(row, 0), name)
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def remove_selected(self) -> None:
        """Remove the selected rows (or the current one)."""
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows and self.table.currentIndex().isValid():
            rows = {self.table.currentIndex().row()}
        for row in sorted(rows, reverse=True):
            self.model.removeRows(row, 1)

    def accept(self) -> None:
        """Save the roster (one operation); on a mistake say what is wrong and stay open."""
        if self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setCurrentIndex(QModelIndex())  # commit the cell being typed in
        teams = self.model.teams()
        if teams == [(n.strip(), m.strip()) for n, m in self._original]:
            super().accept()
            return
        self.buttons.setEnabled(False)  # one save at a time; a mistake leaves the dialog open to fix it
        course_id = self.course_id
        self._runner.collection_op(self, lambda lib, _task: editing.set_roster(lib, course_id, teams),
                                   title="Teams not saved") \
            .success(lambda _none: super(TeamRosterDialog, self).accept()) \
            .after(lambda: self.buttons.setEnabled(True)).run_in_background()


class WorkloadModel(QAbstractTableModel):
    """One row per session (and a Total row), one column per team, cells listing that team's duties."""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._workload = CourseWorkload([], [])

    def set_workload(self, workload: CourseWorkload) -> None:
        self.beginResetModel()
        self._workload = workload
        self.endResetModel()

    def workload(self) -> CourseWorkload:
        return self._workload

    def session_at(self, row: int) -> SessionWorkload | None:
        """The session of ROW (None for the Total row)."""
        sessions = self._workload.sessions
        return sessions[row] if 0 <= row < len(sessions) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() or not self._workload.sessions:
            return 0
        return len(self._workload.sessions) + 1

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_SESSION_COLUMNS) + len(self._workload.teams) + self._has_other()

    def _has_other(self) -> bool:
        """Whether a session's lead or blog names no team ("see slack"): then a last column shows those as text."""
        return any(session.other for session in self._workload.sessions)

    def is_free_text(self, column: int) -> bool:
        """Whether COLUMN is the last one, of lead and blog values that name no team."""
        return self._is_other(column)

    def _is_other(self, column: int) -> bool:
        return self._has_other() and column == self.columnCount() - 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if section < len(_SESSION_COLUMNS):
            return _SESSION_COLUMNS[section] if role == Qt.ItemDataRole.DisplayRole else None
        if self._is_other(section):
            if role == Qt.ItemDataRole.ToolTipRole:
                return tooltip("Lead (video) or blog (notes) values that name no team, as the posts write them")
            return "Not a team" if role == Qt.ItemDataRole.DisplayRole else None
        team = self._workload.teams[section - len(_SESSION_COLUMNS)]
        if role == Qt.ItemDataRole.DisplayRole:
            return team
        if role == Qt.ItemDataRole.ToolTipRole:
            members = self._workload.members.get(team)
            return tooltip(f"{team}: {members}" if members else f"{team} (not in the roster)")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        session = self.session_at(index.row())
        column = index.column()
        if column < len(_SESSION_COLUMNS):
            return self._session_cell(session, column, role)
        if self._is_other(column):
            text = "; ".join(session.other) if session is not None else ""
            if not text or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return None
            return text if role == Qt.ItemDataRole.DisplayRole else tooltip(text)
        team = self._workload.teams[column - len(_SESSION_COLUMNS)]
        if session is None:
            return self._total_cell(team, role)
        duty = session.duties.get(team)
        if duty is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return ", ".join(duty.labels())
        if role == Qt.ItemDataRole.ToolTipRole:
            roles = (("leads the session (video)", duty.lead), ("writes the blog (notes)", duty.blog))
            what = [text for text, on in roles if on]
            if duty.readings:
                what.append(f"presents {duty.readings} reading{'s' if duty.readings != 1 else ''}")
            return tooltip(f"{team} in {session.code}: " + "; ".join(what))
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = _LEAD_COLOUR if duty.lead else _BLOG_COLOUR if duty.blog else _READING_COLOUR
            return QBrush(colour)
        if role == Qt.ItemDataRole.FontRole and duty.lead:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _session_cell(self, session: SessionWorkload | None, column: int, role: int) -> Any:
        if session is None:
            if role == Qt.ItemDataRole.DisplayRole and column == 1:
                return "Total"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (session.date, session.code, session.title)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip((session.date, session.code, session.title)[column]) or None
        return None

    def _total_cell(self, team: str, role: int) -> Any:
        led, blogged, readings = self._workload.counts(team)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{led} lead, {blogged} blog, {readings} readings"
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(f"{team} leads {led} sessions, writes {blogged} blogs and presents {readings} readings")
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class WorkloadView(QWidget):
    """A course's rotation at a glance: sessions down, teams across, each cell that team's duties."""

    session_requested = Signal(int)  # double-clicked session (row id)
    def __init__(self, lib: Library, runner: OperationRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.lib = lib
        self._runner = runner
        self.model = WorkloadModel(self)
        self._stale = True  # read on the first show

        self.courses = QComboBox()
        self.courses.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.edit_teams_button = QPushButton("Edit teams…")
        self.edit_teams_button.setToolTip("Name the course's teams and their members")
        legend = QLabel(
            f"<span style='background-color:{_swatch(_LEAD_COLOUR)}'>&nbsp;<b>lead</b>&nbsp;</span> presents the "
            f"session (front matter <i>video</i>) &nbsp; <span style='background-color:{_swatch(_BLOG_COLOUR)}'>"
            f"&nbsp;blog&nbsp;</span> writes the blog (<i>notes</i>) &nbsp; "
            f"<span style='background-color:{_swatch(_READING_COLOUR)}'>&nbsp;N readings&nbsp;</span> "
            "presents N papers (a reading's Team)", wordWrap=True)
        self.table = QTableView()
        self.table.setObjectName("workloadTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(130)
        self.columns = ColumnState(self.table, keep=(1,))
        self.empty_label = QLabel("No sessions in this course yet.", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: gray;")
        self.empty_label.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("Course:"))
        top.addWidget(self.courses)
        top.addWidget(self.edit_teams_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)

        self.courses.currentIndexChanged.connect(lambda _index: self._load_grid())
        self.edit_teams_button.clicked.connect(self.edit_teams)
        self.table.doubleClicked.connect(self._double_clicked)

    def refresh(self, changes: Changes | None) -> None:
        """Re-read the courses and the grid when CHANGES touch them (None: everything)."""
        if changes is None or changes.courses or changes.sessions or changes.teams:
            self._stale = True
        if self.isVisible():
            self._load_stale()

    def current_course(self) -> int | None:
        return self.courses.currentData()

    def edit_teams(self) -> None:
        """Open the roster of the chosen course; a saved roster refreshes the grid."""
        course_id = self.current_course()
        if course_id is None:
            return
        if TeamRosterDialog(self.lib, course_id, self._runner, self).exec() == QDialog.DialogCode.Accepted:
            self._load_grid()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_stale()

    def _load_stale(self) -> None:
        if not self._stale:
            return
        self._stale = False
        chosen = self.courses.currentData()
        self.courses.blockSignals(True)
        self.courses.clear()
        for course_id, name in list_courses(self.lib.conn):
            self.courses.addItem(name, course_id)
        self.courses.setCurrentIndex(max(self.courses.findData(chosen), 0))
        self.courses.blockSignals(False)
        self._load_grid()

    def _load_grid(self) -> None:
        course_id = self.current_course()
        self.edit_teams_button.setEnabled(course_id is not None)
        workload = course_workload(self.lib.conn, course_id) if course_id is not None else CourseWorkload([], [])
        self.model.set_workload(workload)
        self.table.setVisible(bool(workload.sessions))
        self.empty_label.setVisible(not workload.sessions)
        self.empty_label.setText("No sessions in this course yet." if course_id is not None
                                 else "No courses yet: import a session post or create a session.")
        header = self.table.horizontalHeader()
        widest = FREE_TEXT_WIDTH_CHARS * header.fontMetrics().averageCharWidth()
        with self.columns.laying_out():  # a course has ~30 sessions: every cell is measured
            for column in range(self.model.columnCount()):
                self.table.resizeColumnToContents(column)  # ids, dates and team cells (the Total row too) whole
                if column == 2 or self.model.is_free_text(column):  # titles and "see slack": the tooltips say the rest
                    header.resizeSection(column, min(header.sectionSize(column), widest))
        self.columns.apply()  # the user's widths and hidden columns, over the fitted ones

    def _double_clicked(self, index: QModelIndex) -> None:
        session = self.model.session_at(index.row())
        if session is not None:
            self.session_requested.emit(session.session_id)
