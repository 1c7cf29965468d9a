"""The window on a presenter's laptop: it fits half a screen, ids show whole, panes and columns are
arranged as the width allows, and what the user chose (columns, the notes layout) is remembered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from annotator.store import editing, queries
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from annotator.ui.main_window import MainWindow
from annotator.ui.session_list import TITLE_COLUMN
from tests.conftest import DATA

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
CODES = ("W05.1", "W05.2", "000_4e53d66d23542365")


@pytest.fixture
def library(tmp_path: Path):
    """Three sessions (ids as the 2026 course and the seeds name them) of one course, with readings."""
    posts = tmp_path / "posts"
    posts.mkdir()
    for code in CODES:
        shutil.copy(DATA / "session_quirks.md", posts / f"{code}.md")
    lib = open_library(tmp_path / "library.sqlite")
    import_paths(lib, [str(posts)], "2026sp-GenAI-Agents-Overview-Course")
    yield lib
    lib.close()


def session_id(window: MainWindow, code: str) -> int:
    return next(s["row_id"] for s in queries.list_sessions(window.lib.conn) if s["id"] == code)


def shown_at(qtbot, window: MainWindow, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.workspace.width() > 0 and window.width() == width)


def reopen(qtbot, window: MainWindow) -> MainWindow:
    """Close WINDOW (saving its settings) and open a new one on the same library and settings."""
    window.close()
    again = MainWindow(window.lib, window.settings, poll_interval_ms=100)
    qtbot.addWidget(again)
    again.show()
    return again


def test_the_window_can_be_made_as_small_as_half_a_laptop_screen(window):
    hint = window.minimumSizeHint()
    assert hint.width() <= 800  # half of a 1600 px screen
    assert hint.height() <= 540  # 1920×1080 at QT_SCALE_FACTOR 2


def test_a_first_start_fits_the_screen(window):
    free = window.screen().availableGeometry()
    assert free.contains(window.frameGeometry())


def test_session_ids_show_whole_at_800x700(qtbot, window):
    shown_at(qtbot, window, 800, 700)
    tree = window.sessions.tree
    metrics = tree.fontMetrics()
    for code in CODES:
        index = window.sessions.proxy.mapFromSource(window.sessions.model.session_index(session_id(window, code)))
        assert index.data() == code
        assert metrics.horizontalAdvance(code) < tree.visualRect(index).width(), code  # not "W05…."
    assert not tree.isColumnHidden(TITLE_COLUMN)


def test_a_post_named_by_its_whole_file_name_leaves_the_titles_in_sight(qtbot, window):
    """rkuo2000's course names posts like 2024-08-11-Reinforcement-Learning-for-Robotics: fitting the id
    column to that pushed every title past the pane's edge. The id is elided instead (its tooltip has it)."""
    long_code = "2024-08-11-Reinforcement-Learning-for-Robotics"
    editing.new_session(window.lib, "rkuo2000-AI-course", long_code, "RL for Robotics")
    window.apply_changes(None)
    shown_at(qtbot, window, 1366, 768)
    tree = window.sessions.tree
    index = window.sessions.proxy.mapFromSource(window.sessions.model.session_index(session_id(window, long_code)))
    title = index.siblingAtColumn(TITLE_COLUMN)
    assert long_code in index.data(Qt.ItemDataRole.ToolTipRole)
    assert tree.visualRect(title).width() >= tree.fontMetrics().horizontalAdvance("RL for Robotics")
    assert tree.visualRect(title).right() <= tree.viewport().width()


def test_the_sessions_go_above_the_readings_in_a_narrow_window(qtbot, window):
    shown_at(qtbot, window, 800, 700)
    assert window.workspace.lists_stacked()
    shown_at(qtbot, window, 1600, 900)
    assert not window.workspace.lists_stacked()


def test_the_middle_pane_keeps_its_width_when_switching_sessions(qtbot, window):
    shown_at(qtbot, window, 1366, 768)
    first, second = session_id(window, "W05.1"), session_id(window, "000_4e53d66d23542365")
    editing.edit_session(window.lib, second, title="A much longer session title " * 8)
    paper = queries.session_readings(window.lib.conn, second)[1]["paper_id"]
    long_title = "Self" + "-supervised" * 20  # one long word, as some titles and links are
    editing.edit_paper(window.lib, paper, {"title": long_title, "url": "https://example.org/" + "x" * 200})
    window.apply_changes(None)
    window.show_session(first)
    window.readings.select_reading(window.readings.model.reading_ids()[0])
    width = window.centre.width()
    window.show_session(second)
    window.readings.select_reading(window.readings.model.reading_ids()[1])
    qtbot.wait_until(lambda: window.reading_editor.reading_id() is not None)
    QApplication.processEvents()  # the layout requests of the new texts
    assert window.centre.width() == width


def test_hidden_and_resized_columns_come_back_in_a_new_window(qtbot, window):
    readings = window.readings.columns
    menu = readings.menu()
    videos = next(action for action in menu.actions() if action.text() == "Videos")
    videos.trigger()  # unchecks it: the column goes
    assert window.readings.table.isColumnHidden(3)
    title = next(action for action in menu.actions() if action.text() == "Title")
    assert not title.isEnabled()  # the readings' titles always show
    window.library_view.table.horizontalHeader().resizeSection(1, 222)  # as a drag on the header does
    window.sessions.columns.set_hidden(1, True)  # the Date column

    again = reopen(qtbot, window)
    assert again.readings.table.isColumnHidden(3)
    assert not again.readings.table.isColumnHidden(2)
    assert again.library_view.table.horizontalHeader().sectionSize(1) == 222
    assert again.sessions.tree.isColumnHidden(1)
    again.readings.columns.menu().actions()[3].trigger()  # Videos again
    assert not again.readings.table.isColumnHidden(3)
    again.close()


def test_the_workload_total_row_is_not_clipped(qtbot, window):
    window.tabs.setCurrentWidget(window.workload_view)
    view = window.workload_view
    qtbot.wait_until(lambda: view.model.rowCount() > 0)
    total = view.model.rowCount() - 1
    metrics = view.table.fontMetrics()
    for column in range(3, view.model.columnCount()):
        text = view.model.index(total, column).data()
        if text:
            assert metrics.horizontalAdvance(text) < view.table.columnWidth(column), text


def test_notes_stack_under_their_preview_when_the_editor_is_narrow(qtbot, window):
    editor = window.reading_editor
    assert editor.notes_layout() == "auto"
    window.show_session(session_id(window, "W05.1"))
    window.readings.select_reading(window.readings.model.reading_ids()[0])
    shown_at(qtbot, window, 800, 700)
    qtbot.wait_until(lambda: editor.notes_splitter.orientation() == Qt.Orientation.Vertical)
    shown_at(qtbot, window, 1900, 900)
    qtbot.wait_until(lambda: editor.notes_splitter.orientation() == Qt.Orientation.Horizontal)
    assert "(Markdown, left)" in editor.notes_label.text()


def test_the_chosen_notes_layout_is_remembered(qtbot, window):
    shown_at(qtbot, window, 1900, 900)
    window.reading_editor.notes_layout_actions["stacked"].trigger()
    assert window.reading_editor.notes_splitter.orientation() == Qt.Orientation.Vertical
    assert "(Markdown, above)" in window.reading_editor.notes_label.text()

    again = reopen(qtbot, window)
    again.resize(1900, 900)
    assert again.reading_editor.notes_layout() == "stacked"
    assert again.reading_editor.notes_layout_actions["stacked"].isChecked()
    assert again.reading_editor.notes_splitter.orientation() == Qt.Orientation.Vertical
    again.close()


def test_the_view_menu_offers_the_notes_layouts(window):
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    notes = next(a.menu() for a in view_menu.actions() if a.menu() is not None)
    assert [a.text() for a in notes.actions()] == ["&Automatic", "&Side by Side", "S&tacked"]


def test_unreadable_saved_columns_leave_the_defaults(qtbot, tmp_path, library):
    settings = QSettings(str(tmp_path / "odd.ini"), QSettings.Format.IniFormat)
    settings.setValue("columns/readings", "{not json")
    settings.setValue("columns/sessions", '{"hidden": "Date", "widths": [1]}')
    window = MainWindow(library, settings, poll_interval_ms=100)
    qtbot.addWidget(window)
    assert not any(window.readings.table.isColumnHidden(c) for c in range(5))
    assert not window.sessions.tree.isColumnHidden(1)


def test_clearing_the_filter_keeps_the_selected_session_in_sight(qtbot, window):
    for number in range(60):
        editing.new_session(window.lib, "Another course", f"S{number:02d}", f"Session {number}")
    window.apply_changes(None)
    shown_at(qtbot, window, 1366, 768)
    panel = window.sessions
    qtbot.keyClicks(panel.filter, "S59")
    panel.step_session(1)
    assert panel.selected_session() == session_id(window, "S59")
    panel.filter.clear()
    rect = panel.tree.visualRect(panel.tree.currentIndex())
    assert panel.tree.viewport().rect().contains(rect.center())


def test_a_team_set_in_place_widens_its_column(qtbot, window):
    shown_at(qtbot, window, 1366, 768)
    window.show_session(session_id(window, CODES[0]))
    table = window.readings.table
    reading = window.readings.model.reading_ids()[0]
    changes, _ = editing.edit_reading(window.lib, reading, team="team-11-blog")
    window.apply_changes(changes)
    index = window.readings.model.index(0, 2)
    assert index.data() == "team-11-blog"
    assert table.fontMetrics().horizontalAdvance("team-11-blog") < table.visualRect(index).width()  # not "tea…"


def test_a_saved_column_width_no_screen_could_show_leaves_that_column_fitted(qtbot, tmp_path, library):
    """A settings file edited by hand, or written by a broken sync tool: the window opens all the same."""
    settings = QSettings(str(tmp_path / "odd.ini"), QSettings.Format.IniFormat)
    settings.setValue("columns/sessions", '{"hidden": [], "widths": {"Date": 99999999999, "Session": 120}}')
    window = MainWindow(library, settings, poll_interval_ms=100)
    qtbot.addWidget(window)
    assert window.sessions.tree.header().sectionSize(0) == 120  # what can be shown is taken
    assert window.sessions.tree.header().sectionSize(1) < 1000  # the date column fits its dates


def test_a_narrow_session_list_elides_its_ids_before_hiding_its_titles(qtbot, window):
    """Dragged narrow (or made narrow by the window), the list keeps some of every title in sight: the
    id column gives way first, its tooltip whole ("000_4e53d66d23542365" is wider than such a pane allows)."""
    index = narrow_session_list(qtbot, window)
    tree, lists = window.sessions.tree, window.workspace.lists
    assert_title_in_sight(tree, index)
    assert CODES[2] in index.data(Qt.ItemDataRole.ToolTipRole)
    lists.setSizes([600, lists.width() - 600])  # given room again, the id shows whole
    qtbot.waitUntil(lambda: tree.visualRect(index).width() > tree.fontMetrics().horizontalAdvance(CODES[2]))


def test_team_and_video_fields_are_in_sight_on_a_laptop_screen_whatever_the_paper(qtbot, window):
    """A long title, many authors and a long abstract pushed "Paste a video link" below the fold at 1366×768."""
    shown_at(qtbot, window, 1366, 768)
    window.show_session(session_id(window, CODES[0]))
    reading = window.readings.model.reading_ids()[0]
    paper = queries.session_readings(window.lib.conn, session_id(window, CODES[0]))[0]["paper_id"]
    editing.edit_paper(window.lib, paper, {"title": "A Comprehensive Survey of LLM Alignment Techniques: " * 3,
                                           "authors": ", ".join(f"Author Number{n}" for n in range(40)),
                                           "abstract": "With advancements in self-supervised learning. " * 60})
    window.apply_changes(None)
    window.readings.select_reading(reading)
    editor = window.reading_editor
    qtbot.waitUntil(lambda: editor.video_url.isVisible())
    area = editor.video_url.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    for field in (editor.team, editor.video_url):
        top_left = field.mapTo(area.viewport(), field.rect().topLeft())
        assert area.viewport().rect().contains(QRect(top_left, field.size())), field
    assert editor.authors.text().endswith("et al.") and "Author Number39" in editor.authors.toolTip()


def test_the_readings_table_stays_put_when_a_session_with_a_long_title_is_shown(qtbot, window):
    """The heading wrapped a long title onto a second line, so the table jumped down and back as the user
    went from session to session; now it is one line, the title elided, the tooltip whole."""
    shown_at(qtbot, window, 1366, 768)
    long_title = "Agent - Planning / Test-time compute / Reasoning models and their evaluation " * 2
    _, long_one = editing.new_session(window.lib, "2026sp-GenAI-Agents-Overview-Course", "W11.1.planning", long_title)
    window.apply_changes(None)
    panel = window.readings
    window.show_session(session_id(window, CODES[0]))
    qtbot.waitUntil(lambda: panel.table.isVisible())
    top = panel.table.y()
    window.show_session(long_one)
    qtbot.waitUntil(lambda: "W11.1.planning" in panel.heading.text())
    assert panel.table.y() == top
    assert "…" in panel.heading.text() and long_title.strip() in panel.heading.toolTip()


def test_fit_columns_to_contents_in_a_narrow_session_list_keeps_the_titles_in_sight(qtbot, window):
    """The header's "Fit Columns to Contents" (or hiding a column) in a narrow list: the ids give way
    again, as when the pane was made narrow, instead of pushing every title out of sight."""
    index = narrow_session_list(qtbot, window)
    fit = next(a for a in window.sessions.columns.menu().actions() if a.text() == "Fit Columns to Contents")
    fit.trigger()
    assert_title_in_sight(window.sessions.tree, index)


def narrow_session_list(qtbot, window: MainWindow) -> QModelIndex:
    """The session list dragged to 260 px at 1366×768; the index of the session with the long hash id."""
    shown_at(qtbot, window, 1366, 768)
    lists = window.workspace.lists
    lists.setSizes([260, lists.width() - 260])
    qtbot.waitUntil(lambda: window.sessions.tree.viewport().width() < 260)
    return window.sessions.proxy.mapFromSource(window.sessions.model.session_index(session_id(window, CODES[2])))


def assert_title_in_sight(tree, index: QModelIndex) -> None:
    """At least 12 characters of INDEX's title show, inside the list."""
    title = tree.visualRect(index.siblingAtColumn(TITLE_COLUMN))
    assert title.width() >= 12 * tree.fontMetrics().averageCharWidth()
    assert title.right() <= tree.viewport().width()
