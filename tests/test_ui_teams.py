"""Teams: the roster dialog saves one undoable step; the workload grid shows who leads, blogs, presents."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from annotator.formats.model import Paper
from annotator.store import editing, operations
from annotator.store.library import Library, open_library
from annotator.store.workload import course_roster, course_team_names, course_workload, team_name
from annotator.ui.teams import RosterModel, TeamRosterDialog, WorkloadModel, WorkloadView
from tests.ui_helpers import make_runner

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    """Course UVA-LLM: S0-L01 led by team-1, blogged by team-2, readings by team-1 and team-3 (twice);
    S0-L02 with an HTML video link (2020 style), blogged by team-10; another course with team-9."""
    library = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, first = editing.new_session(library, "UVA-LLM", "S0-L01", "Introduction", "2024-01-16")
    editing.edit_session(library, first, front_matter={"video": "team-1", "notes": "team-2"})
    for title, team in (("Attention Is All You Need", "team-1"), ("BERT", "team-3"), ("GPT-3", "team-3"), ("T5", "")):
        _, reading = editing.add_reading(library, first, paper=Paper(title, ""))
        if team:
            editing.edit_reading(library, reading, team=team)
    _, second = editing.new_session(library, "UVA-LLM", "S0-L02", "Scaling", "2024-01-18")
    editing.edit_session(library, second, front_matter={
        "video": '<a href="https://youtu.be/x">recording</a>', "notes": "team-10"})
    _, other = editing.new_session(library, "UVA-ML", "W01", "Other course")
    editing.edit_session(library, other, front_matter={"video": "team-9"})
    yield library
    library.close()


def course_id(lib: Library, name: str = "UVA-LLM") -> int:
    return lib.conn.execute("SELECT id FROM courses WHERE name = ?", (name,)).fetchone()[0]


def test_roster_dialog_saves_the_teams_as_one_undoable_step(qtbot, lib: Library, qtmodeltester) -> None:
    runner = make_runner(qtbot, lib)
    changed = []
    runner.changed.connect(changed.append)
    dialog = TeamRosterDialog(lib, course_id(lib), runner)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    # The roster starts from the teams the course's posts use (not the HTML video link, not another course's).
    assert dialog.model.teams() == [("team-1", ""), ("team-2", ""), ("team-3", ""), ("team-10", "")]
    dialog.model.setData(dialog.model.index(0, 1), "Ada, Grace")
    dialog.table.selectRow(3)
    dialog.remove_selected()
    dialog.add_team()
    assert dialog.table.currentIndex() == dialog.model.index(3, 0)  # typing goes into the new team's name
    dialog.model.setData(dialog.model.index(3, 1), "Alan")
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert course_roster(lib.conn, course_id(lib)) == [
        ("team-1", "Ada, Grace"), ("team-2", ""), ("team-3", ""), ("team-4", "Alan")]
    assert [c.teams for c in changed] == [{course_id(lib)}] and runner.history.stack.undoText() == "Edit teams of UVA-LLM"
    assert operations.undo(lib).label == "Edit teams of UVA-LLM"
    assert course_roster(lib.conn, course_id(lib)) == []


def test_roster_dialog_edits_and_removes_teams(qtbot, lib: Library) -> None:
    editing.set_roster(lib, course_id(lib), [("team-1", "Ada"), ("team-2", "Alan"), ("team-3", "Grace")])
    dialog = TeamRosterDialog(lib, course_id(lib), make_runner(qtbot, lib))
    qtbot.addWidget(dialog)
    dialog.table.selectRow(1)
    dialog.remove_selected()
    dialog.model.setData(dialog.model.index(1, 1), "Grace, Barbara")
    dialog.table.selectRow(2)  # team-10, which a post uses: offered, but this roster leaves it out
    dialog.remove_selected()
    assert dialog.model.next_team_name() == "team-4"
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert course_roster(lib.conn, course_id(lib)) == [("team-1", "Ada"), ("team-3", "Grace, Barbara")]


def test_roster_dialog_refuses_duplicate_names_and_stays_open(qtbot, lib: Library, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    runner = make_runner(qtbot, lib)
    dialog = TeamRosterDialog(lib, course_id(lib), runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_team()
    dialog.add_team()
    dialog.model.setData(dialog.model.index(1, 0), "team-1")
    with qtbot.waitSignal(runner.idle):
        dialog.accept()
    assert len(shown) == 1 and "names must differ" in shown[0]
    assert dialog.isVisible() and runner.history.stack.count() == 0
    assert course_roster(lib.conn, course_id(lib)) == []


def test_roster_model_inserts_and_removes_rows(qtmodeltester) -> None:
    model = RosterModel([("team-1", "Ada")])
    assert model.insertRows(1, 2) and model.rowCount() == 3
    assert model.removeRows(0, 1) and model.rowCount() == 2
    assert not model.removeRows(1, 5)
    qtmodeltester.check(model)
    assert model.teams() == []  # rows left blank are not teams


def test_workload_lists_lead_blog_and_readings_per_team(lib: Library) -> None:
    editing.set_roster(lib, course_id(lib), [("team-4", "Nobody yet")])
    workload = course_workload(lib.conn, course_id(lib))
    assert workload.teams == ["team-1", "team-2", "team-3", "team-4", "team-10"]  # no HTML, no other course
    first, second = workload.sessions
    assert first.duties["team-1"].labels() == ["lead", "1 reading"]
    assert first.duties["team-2"].labels() == ["blog"]
    assert first.duties["team-3"].labels() == ["2 readings"]
    assert second.duties == {"team-10": second.duties["team-10"]} and second.duties["team-10"].blog
    assert workload.counts("team-3") == (0, 0, 2)
    assert team_name("  team-2 ") == "team-2" and team_name("<a href='x'>v</a>") == "" and team_name(["x"]) == ""


def test_lead_or_blog_values_that_name_no_team_are_text_not_columns(lib: Library) -> None:
    # The 2025 course's `notes: a book on agent`, the 2020 course's `Invited Speaker` and `see slack`.
    _, third = editing.new_session(lib, "UVA-LLM", "S0-L03", "Agents", "2024-01-23")
    editing.edit_session(lib, third, front_matter={"video": "see slack", "notes": "a book on agent"})
    _, fourth = editing.new_session(lib, "UVA-LLM", "S0-L04", "Guest", "2024-01-25")
    editing.edit_session(lib, fourth, front_matter={"video": "Team 5", "notes": "Invited Speaker"})
    editing.set_roster(lib, course_id(lib), [("Speakers", "")])
    workload = course_workload(lib.conn, course_id(lib))
    assert workload.teams == ["Speakers", "Team 5", "team-1", "team-2", "team-3", "team-10"]
    assert [s.other for s in workload.sessions] == [[], [], ["lead: see slack", "blog: a book on agent"],
                                                     ["blog: Invited Speaker"]]
    assert "see slack" not in course_team_names(lib.conn, course_id(lib))
    model = WorkloadModel()
    model.set_workload(workload)
    last = model.columnCount() - 1
    assert model.headerData(last, Qt.Orientation.Horizontal) == "Not a team"
    assert model.index(2, last).data() == "lead: see slack; blog: a book on agent"


def test_workload_view_shows_the_grid_for_the_chosen_course(qtbot, lib: Library, qtmodeltester) -> None:
    view = WorkloadView(lib, make_runner(qtbot, lib))
    qtbot.addWidget(view)
    view.resize(1100, 400)
    view.show()
    model: WorkloadModel = view.model
    qtmodeltester.check(model)
    assert view.courses.currentText() == "UVA-LLM"
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Date", "Session", "Title", "team-1", "team-2", "team-3", "team-10"]

    def cell(row: int, team: str) -> str | None:
        return model.data(model.index(row, headers.index(team)))

    assert [model.data(model.index(0, c)) for c in range(3)] == ["2024-01-16", "S0-L01", "Introduction"]
    assert (cell(0, "team-1"), cell(0, "team-2"), cell(0, "team-3")) == ("lead, 1 reading", "blog", "2 readings")
    assert cell(1, "team-10") == "blog" and cell(1, "team-1") is None
    assert model.data(model.index(2, 1)) == "Total"
    assert cell(2, "team-3") == "0 lead, 0 blog, 2 readings"

    view.courses.setCurrentIndex(view.courses.findText("UVA-ML"))
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())][3:] == ["team-9"]
    qtmodeltester.check(model)


def test_workload_view_follows_changes(qtbot, lib: Library) -> None:
    view = WorkloadView(lib, make_runner(qtbot, lib))
    qtbot.addWidget(view)
    view.show()
    session = lib.conn.execute("SELECT id FROM sessions WHERE code = 'S0-L02'").fetchone()[0]
    view.refresh(editing.edit_session(lib, session, front_matter={"video": "team-3"})[0])
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(view.model.columnCount())]
    team3 = headers.index("team-3")
    assert view.model.data(view.model.index(1, team3)) == "lead"
    with qtbot.waitSignal(view.session_requested) as opened:
        view.table.doubleClicked.emit(view.model.index(1, 0))
    assert opened.args == [session]


def test_workload_view_without_courses_says_so(qtbot, tmp_path: Path) -> None:
    with open_library(tmp_path / "empty.sqlite", daily_backup=False) as empty:
        view = WorkloadView(empty, make_runner(qtbot, empty))
        qtbot.addWidget(view)
        view.show()
        assert view.empty_label.isVisible() and "No courses yet" in view.empty_label.text()
        assert not view.edit_teams_button.isEnabled()
