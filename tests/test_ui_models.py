"""The session tree and readings models: Qt's model tester, refresh in place, reorder by drag."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.store.operations import Changes
from annotator.ui.readings_table import READING_MIME, ReadingsModel, ReadingsPanel
from annotator.ui.session_list import SESSION_ID_ROLE, SessionListPanel, SessionTreeModel


@pytest.fixture
def course(lib):
    """Two courses; the first has three sessions (one undated), the second one with four readings."""
    ids = {
        "late": editing.new_session(lib, "Spring", "S0-L10", "Later", "2024-03-10")[1],
        "early": editing.new_session(lib, "Spring", "S0-L2", "Earlier", "2024-01-20")[1],
        "undated": editing.new_session(lib, "Spring", "S0-L1", "No date")[1],
        "other": editing.new_session(lib, "Autumn", "W01", "Other course", "2023-09-01")[1],
    }
    for title in ("Attention Is All You Need", "BERT", "GPT-3", "Segment Anything"):
        editing.add_reading(lib, ids["other"], paper=Paper(title))
    return ids


def test_session_tree_model(qtmodeltester, lib, course):
    model = SessionTreeModel(lib)
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(2)] == ["Autumn  (1)", "Spring  (3)"]
    spring = model.index(1, 0)
    assert [model.index(r, 0, spring).data() for r in range(3)] == ["S0-L2", "S0-L10", "S0-L1"]
    assert model.index(0, 1, spring).data() == "2024-01-20"
    assert model.index(0, 2, spring).data() == "Earlier"
    assert model.index(0, 0, spring).data(SESSION_ID_ROLE) == course["early"]
    assert model.parent(model.index(0, 0, spring)) == spring


def test_session_tree_updates_in_place_or_rebuilds(qtbot, qtmodeltester, lib, course):
    model = SessionTreeModel(lib)
    qtmodeltester.check(model)
    changes, _ = editing.edit_session(lib, course["early"], title="Renamed")
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged):
        model.refresh(changes)
    assert model.data(model.session_index(course["early"]).siblingAtColumn(2)) == "Renamed"
    with qtbot.waitSignal(model.modelReset):
        model.refresh(editing.delete_session(lib, course["late"])[0])
    assert not model.session_index(course["late"]).isValid()
    qtmodeltester.check(model)


def test_session_filter_and_selection(qtbot, lib, course):
    panel = SessionListPanel(lib)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.session_selected) as blocker:
        assert panel.select_session(course["late"])
    assert blocker.args == [course["late"]]
    assert panel.current_course()[1] == "Spring"
    panel.filter.setText("earl")
    assert panel.proxy.rowCount() == 1  # only Spring, holding S0-L2
    assert panel.proxy.rowCount(panel.proxy.index(0, 0)) == 1
    assert panel.select_session(course["other"])  # hidden by the filter: the filter is cleared
    assert panel.filter.text() == ""


def test_readings_model(qtmodeltester, lib, course):
    model = ReadingsModel(lib)
    model.show_session(course["other"])
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    assert [model.index(0, c).data() for c in range(5)] == [1, "Attention Is All You Need", "", "", ""]
    assert model.mimeTypes() == [READING_MIME]
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled


@pytest.mark.parametrize(("source", "target_row", "order"), [
    (0, 2, ["BERT", "Attention Is All You Need", "GPT-3", "Segment Anything"]),
    (3, 1, ["Attention Is All You Need", "Segment Anything", "BERT", "GPT-3"]),
    (1, 4, ["Attention Is All You Need", "GPT-3", "Segment Anything", "BERT"]),
])
def test_dropping_a_reading_moves_it(qtbot, lib, course, source, target_row, order):
    model = ReadingsModel(lib)
    model.show_session(course["other"])
    model.move_requested.connect(lambda reading_id, position: (editing.move_reading(lib, reading_id, position),
                                                                model.reload()))
    mime = model.mimeData([model.index(source, 1)])
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, target_row, 0, QModelIndex())
    with qtbot.waitSignal(model.move_requested):
        model.dropMimeData(mime, Qt.DropAction.MoveAction, target_row, 0, QModelIndex())
    assert [r["title"] for r in queries.session_readings(lib.conn, course["other"])] == order
    assert [model.index(r, 1).data() for r in range(4)] == order


def test_readings_panel_keeps_selection_across_refresh(qtbot, lib, course):
    panel = ReadingsPanel(lib)
    qtbot.addWidget(panel)
    panel.show_session(course["other"])
    reading_id = panel.model.reading_ids()[2]
    assert panel.select_reading(reading_id)
    editing.move_reading(lib, reading_id, 1)
    with qtbot.assertNotEmitted(panel.reading_selected):
        panel.refresh(Changes(sessions={course["other"]}))
    assert panel.selected_reading() == reading_id
    assert panel.model.index(0, 1).data() == "GPT-3"
    with qtbot.waitSignal(panel.reading_selected) as blocker:
        panel.refresh(editing.remove_reading(lib, reading_id)[0])
    assert blocker.args == [None]
