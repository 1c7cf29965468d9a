"""The Library tab: every paper, search as you type, sorting, paper lists, details, Add to session."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.library import Library, open_library
from annotator.store.operations import Changes, run_operation
from annotator.store.paper_browser import PaperQuery, paper_ids
from annotator.store.queries import SearchCut
from annotator.ui.library_view import LibraryView
from annotator.ui.paper_detail_pane import is_web_link, paper_html
from annotator.ui.paper_table_model import PAGE_SIZE, PaperTableModel
from tests.ui_helpers import make_runner

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform

PAPERS = [
    Paper("Visual Instruction Tuning", "https://arxiv.org/abs/2304.08485", "Haotian Liu, Chunyuan Li",
          "We present LLaVA, a multimodal model trained on machine-generated instruction data."),
    Paper("BloombergGPT: A Large Language Model for Finance", "https://arxiv.org/abs/2303.17564", "Shijie Wu",
          "A fifty billion parameter model trained on financial data."),
    Paper("ConvNets Match Vision Transformers at Scale", "", "Samuel Smith",
          "Convolutional networks pretrained on JFT-4B match transformers when compute is equal."),
    Paper("Attention Is All You Need", "javascript:alert(1)", "Ashish Vaswani", "The Transformer architecture."),
]


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    """A course with one session reading the four papers, and a paper list of two of them."""
    library = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, session_id = editing.new_session(library, "UVA-LLM", "S0-L16", "Multimodal models", "2024-03-05")
    for paper in PAPERS:
        editing.add_reading(library, session_id, paper=paper)

    def make_list(conn, changes):  # the list importer is another module's; the rows are what it writes
        list_id = conn.execute("INSERT INTO paper_lists (name) VALUES ('HF daily 2024-03-01')").lastrowid
        ids = [conn.execute("SELECT id FROM papers WHERE title LIKE ?", (t + "%",)).fetchone()[0]
               for t in ("ConvNets", "Visual")]
        conn.executemany("INSERT INTO paper_list_items (list_id, position, paper_id) VALUES (?, ?, ?)",
                         [(list_id, 1, ids[0]), (list_id, 2, ids[1])])
        changes.lists.add(list_id)

    run_operation(library, "Import list", make_list)
    yield library
    library.close()


@pytest.fixture
def view(qtbot, lib: Library) -> LibraryView:
    widget = LibraryView(lib, make_runner(qtbot, lib))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == len(PAPERS))
    yield widget
    widget.runner.wait_for_searches()


def titles(view: LibraryView) -> list[str]:
    model = view.model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def test_opening_shows_every_paper_sorted_by_title(view: LibraryView, qtmodeltester) -> None:
    qtmodeltester.check(view.model)
    assert titles(view) == sorted((p.title for p in PAPERS), key=str.casefold)
    assert view.count_label.text() == "4 papers"


def test_typing_a_word_of_an_abstract_finds_the_paper(qtbot, view: LibraryView) -> None:
    qtbot.keyClicks(view.search, "machine-generated")
    qtbot.waitUntil(lambda: titles(view) == ["Visual Instruction Tuning"])
    assert view.table.horizontalHeader().sortIndicatorSection() == -1  # best match first
    qtbot.waitUntil(lambda: not view.is_loading())
    assert not view.hits.isVisible()  # no session title or reading notes has that word
    view.search.clear()
    qtbot.waitUntil(lambda: titles(view) == sorted((p.title for p in PAPERS), key=str.casefold))
    assert not view.hits.isVisible()


def test_search_results_list_shows_sessions_and_notes(qtbot, lib: Library, view: LibraryView) -> None:
    reading = lib.conn.execute("SELECT id FROM readings ORDER BY position LIMIT 1").fetchone()[0]
    editing.edit_reading(lib, reading, notes="Our team found the multimodal ablations convincing.")
    qtbot.keyClicks(view.search, "multimodal")
    qtbot.waitUntil(lambda: view.hits.topLevelItemCount() == 2)
    items = [view.hits.topLevelItem(i) for i in range(view.hits.topLevelItemCount())]
    assert {item.text(0) for item in items} == {"Session", "Notes"}  # the papers are in the table
    notes_item = next(item for item in items if item.text(0) == "Notes")
    assert notes_item.text(1) == "Visual Instruction Tuning" and "[multimodal]" in notes_item.text(2)
    session_item = next(item for item in items if item.text(0) == "Session")
    assert session_item.text(1) == "UVA-LLM/S0-L16"
    with qtbot.waitSignal(view.session_requested) as opened:
        view.hits.itemActivated.emit(session_item, 0)
    assert opened.args == [lib.conn.execute("SELECT id FROM sessions").fetchone()[0]]


def test_search_ranks_title_matches_first(qtbot, view: LibraryView) -> None:
    qtbot.keyClicks(view.search, "transformer")  # a title word of one paper, an abstract word of another
    expected = ["ConvNets Match Vision Transformers at Scale", "Attention Is All You Need"]
    qtbot.waitUntil(lambda: titles(view) == expected)
    assert view.count_label.text() == "2 papers match “transformer”"


def test_only_the_newest_search_is_shown(qtbot, view: LibraryView) -> None:
    for text in ("finance", "fifty", "convolutional"):  # faster than the answers come back
        view.search.setText(text)
        view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: not view.is_loading())
    assert titles(view) == ["ConvNets Match Vision Transformers at Scale"]
    assert view.count_label.text() == "1 paper matches “convolutional”"


def test_an_unreadable_library_is_reported_not_fatal(qtbot, tmp_path: Path, lib: Library) -> None:
    view = LibraryView(lib, make_runner(qtbot, lib))
    qtbot.addWidget(view)
    view.runner.lib = Library(lib.conn, tmp_path / "gone.sqlite", read_only=True)  # its file vanished
    with qtbot.waitSignal(view.status_message) as failed:
        view.show()
    assert "cannot read the library" in failed.args[0]
    assert not (tmp_path / "gone.sqlite").exists() and not view.is_loading()


def test_clicking_a_header_sorts_by_that_column(qtbot, view: LibraryView) -> None:
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: titles(view) == sorted((p.title for p in PAPERS), key=str.casefold, reverse=True))
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: titles(view)[0] == "Attention Is All You Need")  # Ashish Vaswani


def test_a_paper_list_shows_its_papers_in_list_order(qtbot, view: LibraryView) -> None:
    view.lists.setCurrentIndex(view.lists.findText("HF daily 2024-03-01 (2)"))
    expected = ["ConvNets Match Vision Transformers at Scale", "Visual Instruction Tuning"]
    qtbot.waitUntil(lambda: titles(view) == expected)
    assert view.count_label.text() == "2 papers in “HF daily 2024-03-01”"  # its count said once


def test_add_to_session_emits_the_selected_ids(qtbot, lib: Library, view: LibraryView) -> None:
    assert not view.add_button.isEnabled()
    view.table.selectRow(0)
    view.table.selectionModel().select(view.model.index(2, 0), view.table.selectionModel().SelectionFlag.Select
                                       | view.table.selectionModel().SelectionFlag.Rows)
    expected = [view.model.paper_id(0), view.model.paper_id(2)]
    with qtbot.waitSignal(view.add_to_session_requested) as emitted:
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert emitted.args == [expected]
    assert view.add_button.text() == "Add 2 to session…"


def test_detail_pane_shows_the_selected_paper_and_where_it_is_read(view: LibraryView) -> None:
    row = titles(view).index("Visual Instruction Tuning")
    view.table.selectRow(row)
    html = view.detail.toHtml()
    assert "https://arxiv.org/abs/2304.08485" in html
    assert "Haotian Liu" in html and "machine-generated instruction data" in html
    assert "UVA-LLM/S0-L16" in html and "HF daily 2024-03-01" in html


def test_only_web_links_are_clickable() -> None:
    detail = {"title": "<b>x</b>", "url": "javascript:alert(1)", "arxiv_id": "", "authors": "", "abstract": "",
              "sessions": [], "lists": []}
    html = paper_html(detail)
    assert "<a href" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert is_web_link("https://arxiv.org/abs/1") and not is_web_link("file:///etc/passwd")


def test_an_edit_refreshes_the_table_and_keeps_the_selection(qtbot, lib: Library, view: LibraryView) -> None:
    row = titles(view).index("BloombergGPT: A Large Language Model for Finance")
    view.table.selectRow(row)
    paper_id = view.model.paper_id(row)
    view.refresh(editing.edit_paper(lib, paper_id, {"title": "Aardvark GPT"})[0])
    qtbot.waitUntil(lambda: titles(view)[0] == "Aardvark GPT")
    assert view.selected_paper_ids() == [paper_id]
    assert "Aardvark GPT" in view.detail.toHtml()


def test_a_link_found_for_the_selected_paper_shows_in_its_details(qtbot, lib: Library, view: LibraryView) -> None:
    row = titles(view).index("ConvNets Match Vision Transformers at Scale")
    view.table.selectRow(row)
    paper_id = view.model.paper_id(row)
    assert "2310.16764" not in view.detail.toHtml()
    # What Find on arXiv or Edit Paper does: the table keeps its rows and order, the details change.
    view.refresh(editing.edit_paper(lib, paper_id, {"url": "https://arxiv.org/abs/2310.16764",
                                                    "authors": "Samuel L. Smith, Andrew Brock"})[0])
    qtbot.waitUntil(lambda: "https://arxiv.org/abs/2310.16764" in view.detail.toHtml())
    assert "Andrew Brock" in view.detail.toHtml() and view.selected_paper_ids() == [paper_id]


def test_a_new_session_updates_the_sessions_column(qtbot, lib: Library, view: LibraryView) -> None:
    _, session_id = editing.new_session(lib, "UVA-LLM", "S0-L17", "More")
    assert view.model.data(view.model.index(0, 3)) == "UVA-LLM/S0-L16"
    editing.add_reading(lib, session_id, paper_id=view.model.paper_id(0))
    view.refresh(Changes("Add reading", sessions={session_id}))
    assert view.model.data(view.model.index(0, 3)) == "UVA-LLM/S0-L16, UVA-LLM/S0-L17"


def test_focus_search_puts_the_cursor_in_the_search_box(qtbot, view: LibraryView) -> None:
    view.activateWindow()
    view.focus_search()
    qtbot.waitUntil(view.search.hasFocus)


def test_model_reads_rows_lazily_in_pages(qtbot, lib: Library, qtmodeltester) -> None:
    model = PaperTableModel(lib)
    model.set_ids(paper_ids(lib.conn, PaperQuery(sort="title")) * (PAGE_SIZE // 2))  # 200 rows, 2 pages
    qtmodeltester.check(model)
    assert model.rowCount() == 2 * PAGE_SIZE
    assert model.data(model.index(2 * PAGE_SIZE - 1, 0)) == "Visual Instruction Tuning"
    with qtbot.waitSignal(model.sort_requested) as sort:
        model.sort(2, Qt.SortOrder.DescendingOrder)
    assert sort.args == ["arxiv", True]


def test_sorting_while_a_search_runs_still_lists_the_sessions_and_notes_it_found(qtbot, view: LibraryView) -> None:
    view.search.setText("multimodal")  # the session's title has the word
    view.search.returnPressed.emit()
    view.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # clicked before the answer
    qtbot.waitUntil(lambda: not view.is_loading())
    assert titles(view) == ["Visual Instruction Tuning"]
    assert [view.hits.topLevelItem(i).text(1) for i in range(view.hits.topLevelItemCount())] == ["UVA-LLM/S0-L16"]


def test_an_edit_landing_while_a_search_runs_keeps_the_hits_of_the_new_text(qtbot, lib: Library, view: LibraryView) -> None:
    view.search.setText("multimodal")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: view.hits.topLevelItemCount() == 1)
    view.search.setText("finance")
    view.search.returnPressed.emit()
    view.refresh(Changes(papers={1}))  # an edit (another window, an arXiv fill-in) lands meanwhile
    qtbot.waitUntil(lambda: not view.is_loading())
    assert titles(view) == ["BloombergGPT: A Large Language Model for Finance"]
    assert not view.hits.isVisible()  # no session or notes has "finance": not the hits of "multimodal"


def test_a_search_in_a_paper_list_cut_at_its_time_budget_shows_only_papers_of_that_list(
        qtbot, view: LibraryView, monkeypatch) -> None:
    import annotator.ui.library_view as library_view

    def over_budget(*_args, **_kwargs) -> list[int]:
        raise SearchCut(1.0)

    view.lists.setCurrentIndex(1)  # "HF daily 2024-03-01": ConvNets…, Visual Instruction Tuning
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    monkeypatch.setattr(library_view, "paper_ids", over_budget)
    view.search.setText("model")  # also in BloombergGPT's title, which is not in the list
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: not view.is_loading())
    assert titles(view) == ["Visual Instruction Tuning"]
    assert view.count_label.text().endswith("showing the first 1 matches, not the best")


def test_a_session_found_by_a_search_opens_after_its_course_is_renamed(qtbot, lib: Library, view: LibraryView) -> None:
    from annotator.store.organising import rename_course

    view.search.setText("multimodal")
    view.search.returnPressed.emit()
    qtbot.waitUntil(lambda: view.hits.topLevelItemCount() == 1)
    course_id = lib.conn.execute("SELECT id FROM courses").fetchone()[0]
    view.refresh(rename_course(lib, course_id, "UVA LLM 2024")[0])
    qtbot.waitUntil(lambda: view.hits.topLevelItem(0).text(1) == "UVA LLM 2024/S0-L16")
    with qtbot.waitSignal(view.session_requested) as opened:  # before: no session of that name, nothing opened
        view.hits.itemActivated.emit(view.hits.topLevelItem(0), 0)
    assert opened.args == [lib.conn.execute("SELECT id FROM sessions").fetchone()[0]]


def test_down_from_the_search_box_selects_the_first_match_so_it_can_be_edited(qtbot, view: LibraryView) -> None:
    view.table.setFocus()  # a row was current before the search (the user had clicked into the table)
    view.activateWindow()
    view.focus_search()
    qtbot.keyClicks(view.search, "machine-generated")
    qtbot.waitUntil(lambda: titles(view) == ["Visual Instruction Tuning"] and not view.is_loading())
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert view.selected_paper_ids() == [view.model.paper_id(0)]
    assert view.edit_button.isEnabled() and view.add_button.isEnabled()
