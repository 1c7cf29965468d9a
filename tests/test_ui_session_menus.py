"""Right-click menus on sessions, courses and paper lists (issue 16): move a session to another course,
rename a course or a list, delete a list, reveal the file a session came from, copy as Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QDesktopServices, QGuiApplication, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QMenu, QMessageBox

from annotator.formats.model import Paper
from annotator.site.link import link_site
from annotator.store import editing, operations, organising, queries
from annotator.store.library import open_library
from annotator.store.pane_rows import course_tree
from annotator.ui.plain_text import shown_menu_text, tooltip
from tests.site_helpers import BASE, CONFIG, POST
from tests.test_organising import make_list
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support")  # offscreen platform: no popups of its own


@pytest.fixture
def library(tmp_path):
    """Course 'GenAI 2024' (S1 with two readings, S2), course 'Agents 2025' (S3), and course 'Site' linked to a
    site folder holding S0-L07."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    _, s1 = editing.new_session(lib, "GenAI 2024", "S1", "Transformers", "2024-01-10")
    for title, url in (("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"), ("A paper without a link", "")):
        editing.add_reading(lib, s1, paper=Paper(title, url))
    editing.new_session(lib, "GenAI 2024", "S2", "Scaling", "2024-01-17")
    editing.new_session(lib, "Agents 2025", "S3", "Agents", "2025-02-01")
    site = tmp_path / "site"
    (site / "_contents").mkdir(parents=True)
    (site / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (site / POST).write_text(BASE, encoding="utf-8")
    link_site(lib, "Site", site)
    yield lib
    lib.close()


def session(win, ref: str) -> int:
    return queries.resolve_session(win.lib.conn, ref)


def actions(menu: QMenu) -> dict[str, object]:
    return {action.text(): action for action in menu.actions() if action.text()}


def courses(win) -> dict[str, list[str]]:
    return {name: [s.code for s in sessions] for _, name, sessions in course_tree(win.lib.conn)}


def select_course(win, name: str) -> None:
    panel = win.sessions
    row = next(r for r in range(panel.proxy.rowCount()) if panel.proxy.index(r, 0).data().startswith(name))
    panel.tree.selectionModel().setCurrentIndex(panel.proxy.index(row, 0),
                                                QItemSelectionModel.SelectionFlag.ClearAndSelect)


def answer_name(monkeypatch, name: str) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: (name, True))


def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: shown.append(text))
    return shown


def test_right_click_a_session_selects_it_and_shows_its_menu(qtbot, window) -> None:
    s2 = session(window, "GenAI 2024/S2")
    tree = window.sessions.tree
    index = window.sessions.proxy.mapFromSource(window.sessions.model.session_index(s2))
    tree.customContextMenuRequested.emit(tree.visualRect(index).center())
    assert window.sessions.selected_session() == s2
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu) and list(actions(menu)) == [
        "&Export Session…", "Copy as Markdown", "Reveal Source File", "Move to Course", "&New Session…",
        "&Delete Session…"]
    menu.close()


def test_move_to_course_moves_the_session_and_undo_brings_it_back(qtbot, window) -> None:
    s2 = session(window, "GenAI 2024/S2")
    window.show_session(s2)
    move = actions(window.session_menus.menu_for_current())["Move to Course"].menu()
    assert list(actions(move)) == ["Agents 2025", "Site", "New Course…"]
    actions(move)["Agents 2025"].trigger()
    settle(qtbot, window.runner)
    assert courses(window)["Agents 2025"] == ["S2", "S3"] and window.sessions.selected_session() == s2
    assert window.undo_action.text() == "&Undo Move S2 to course 'Agents 2025'"
    window.undo()
    settle(qtbot, window.runner)
    assert courses(window)["GenAI 2024"] == ["S1", "S2"]
    assert window.sessions.selected_session() == s2  # still the one the user moved and brought back


def test_rename_a_course_shows_in_the_tree_and_the_undo_label_names_it(qtbot, window, monkeypatch) -> None:
    select_course(window, "GenAI 2024")
    menu = window.session_menus.menu_for_current()
    assert list(actions(menu)) == ["&Rename Course…", "&Teams…", "Export &Course…", "&New Session…"]
    answer_name(monkeypatch, "GenAI Spring 2024")
    actions(menu)["&Rename Course…"].trigger()
    settle(qtbot, window.runner)
    assert window.sessions.model.course_names() == ["Agents 2025", "GenAI Spring 2024", "Site"]
    assert window.undo_action.text() == "&Undo Rename course 'GenAI 2024' to 'GenAI Spring 2024'"


def test_the_course_menu_of_the_menu_bar_renames_the_selected_course(qtbot, window, monkeypatch) -> None:
    course_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Course")
    rename = actions(course_menu)["&Rename Course…"]
    assert rename is window.session_menus.rename_course_action
    select_course(window, "Agents 2025")
    assert rename.isEnabled()
    answer_name(monkeypatch, "Agents Autumn 2025")
    rename.trigger()
    settle(qtbot, window.runner)
    assert window.sessions.model.course_names() == ["Agents Autumn 2025", "GenAI 2024", "Site"]
    assert window.undo_action.text() == "&Undo Rename course 'Agents 2025' to 'Agents Autumn 2025'"


def test_renaming_a_course_to_a_name_taken_says_so_once_and_changes_nothing(qtbot, window, monkeypatch) -> None:
    shown = warnings(monkeypatch)
    select_course(window, "GenAI 2024")
    answer_name(monkeypatch, "Agents 2025")
    actions(window.session_menus.menu_for_current())["&Rename Course…"].trigger()
    settle(qtbot, window.runner)
    assert shown == ["there is already a course named 'Agents 2025'; choose another name"]
    assert window.sessions.model.course_names() == ["Agents 2025", "GenAI 2024", "Site"]
    assert not window.undo_action.isEnabled()


def test_a_synced_post_cannot_be_moved_off_its_site(qtbot, window) -> None:
    window.show_session(session(window, "Site/S0-L07"))
    move = actions(window.session_menus.menu_for_current())["Move to Course"]
    assert not move.isEnabled()
    assert move.toolTip() == tooltip(organising.move_refusal(window.lib.conn, session(window, "Site/S0-L07")))
    assert "S0-L07 is a post on the site of course &#x27;Site&#x27;" in move.toolTip()


def test_reveal_source_file_opens_the_posts_folder_and_is_disabled_for_a_session_made_in_the_app(
        qtbot, window, monkeypatch, tmp_path) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    window.show_session(session(window, "GenAI 2024/S1"))
    reveal = actions(window.session_menus.menu_for_current())["Reveal Source File"]
    assert not reveal.isEnabled() and "Made in the app: it was not imported from a file." in reveal.toolTip()
    window.show_session(session(window, "Site/S0-L07"))
    reveal = actions(window.session_menus.menu_for_current())["Reveal Source File"]
    assert reveal.isEnabled()
    reveal.trigger()
    assert [Path(p) for p in opened] == [(tmp_path / "site" / "_contents").resolve()]
    (tmp_path / "site" / POST).unlink()
    reveal = actions(window.session_menus.menu_for_current())["Reveal Source File"]
    assert not reveal.isEnabled() and "is no longer there" in reveal.toolTip()


def test_reveal_source_file_opens_the_folder_of_a_file_imported_on_its_own_until_it_is_gone(
        qtbot, window, monkeypatch, tmp_path) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    post = tmp_path / "Downloads" / "S4.md"
    post.parent.mkdir()
    post.write_text(BASE, encoding="utf-8")
    with qtbot.waitSignal(window.transfers.imported, timeout=20000):
        assert window.transfers.import_paths([str(post)], course="GenAI 2024")
    assert window.sessions.selected_session() == session(window, "GenAI 2024/S4")  # the app shows what it imported
    reveal = actions(window.session_menus.menu_for_current())["Reveal Source File"]
    assert reveal.isEnabled() and reveal.toolTip() == tooltip(f"Open the folder of {post.resolve()}")
    reveal.trigger()
    assert [Path(p) for p in opened] == [post.parent.resolve()]  # the folder, never the file itself
    post.unlink()
    reveal = actions(window.session_menus.menu_for_current())["Reveal Source File"]
    assert not reveal.isEnabled()
    assert reveal.toolTip() == tooltip(f"Imported from {post.resolve()}, which is no longer there.")


def test_reveal_source_file_names_the_file_and_says_so_when_no_file_manager_opens(
        qtbot, window, monkeypatch, tmp_path) -> None:
    opened = [True, False]  # a desktop with a file manager, then one without
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.pop(0))
    window.show_session(session(window, "Site/S0-L07"))
    post = (tmp_path / "site" / POST).resolve()
    actions(window.session_menus.menu_for_current())["Reveal Source File"].trigger()
    assert window.statusBar().currentMessage() == f"{post.name} is in {post.parent}"
    actions(window.session_menus.menu_for_current())["Reveal Source File"].trigger()
    assert window.statusBar().currentMessage() == f"No file manager could open the folder: the file is {post}"


def test_copy_a_session_as_markdown(qtbot, window) -> None:
    window.show_session(session(window, "GenAI 2024/S1"))
    actions(window.session_menus.menu_for_current())["Copy as Markdown"].trigger()
    assert QGuiApplication.clipboard().text() == (
        "### S1: Transformers (2024-01-10)\n\n- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n"
        "- A paper without a link\n")


def test_a_paper_list_is_renamed_shown_and_deleted_from_its_menu(qtbot, window, monkeypatch) -> None:
    list_id = make_list(window.lib, "HF daily 2024-05-01")
    window.apply_changes(None)
    window.tabs.setCurrentWidget(window.library_view)
    box, menus = window.library_view.lists, window.library_view.list_menus
    assert menus.menu_for(0) is None  # "All papers"
    actions(menus.menu_for(1))["Show Its Papers"].trigger()
    assert box.currentData() == list_id
    qtbot.waitUntil(lambda: window.library_view.model.rowCount() == 2)  # the list's papers, in its order
    answer_name(monkeypatch, "Agents reading list")
    actions(menus.menu_for(1))["Rename List…"].trigger()
    settle(qtbot, window.runner)
    assert box.currentText() == "Agents reading list (2)"
    actions(menus.menu_for(1))["Delete List"].trigger()
    settle(qtbot, window.runner)
    assert [box.itemText(i) for i in range(box.count())] == ["All papers"]
    assert window.undo_action.text() == "&Undo Delete list 'Agents reading list'"
    window.undo()
    settle(qtbot, window.runner)
    assert [box.itemText(i) for i in range(box.count())] == ["All papers", "Agents reading list (2)"]
    assert operations.undo(window.lib).label == "Rename list 'HF daily 2024-05-01' to 'Agents reading list'"


def shown_text(label: QLabel) -> str:
    """What LABEL shows on screen: its text, or the text of the HTML Qt guessed it to be; with a buddy,
    an & underlines the next letter (a shortcut) and && shows one &."""
    text = label.text()
    if label.textFormat() != Qt.TextFormat.PlainText and (
            label.textFormat() != Qt.TextFormat.AutoText or GuiQt.mightBeRichText(text)):
        document = QTextDocument()
        document.setHtml(text)
        text = document.toPlainText()
    return shown_menu_text(text) if label.buddy() is not None else text


def test_the_rename_dialog_shows_a_course_named_like_html_as_typed(qtbot, window) -> None:
    editing.new_session(window.lib, "<b>R&D</b> 2025", "S9", "Planning")
    window.apply_changes(None)
    select_course(window, "<b>R&D</b> 2025")
    seen: list[str] = []

    def read_the_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        seen.extend(shown_text(label) for label in dialog.findChildren(QLabel))
        dialog.reject()

    QTimer.singleShot(0, read_the_dialog)
    window.session_menus.rename_course_action.trigger()
    assert seen == ["New name for course “<b>R&D</b> 2025”:"]  # not "RD 2025" in bold, D underlined


def test_an_ampersand_in_a_course_name_shows_in_the_undo_and_redo_labels_and_the_toolbar_tooltip(
        qtbot, window, monkeypatch) -> None:
    select_course(window, "GenAI 2024")
    answer_name(monkeypatch, "Q&A 2024")
    window.session_menus.rename_course_action.trigger()
    settle(qtbot, window.runner)
    # An "&" left single in an action's text underlines the next letter and is not shown.
    assert window.undo_action.text() == "&Undo Rename course 'GenAI 2024' to 'Q&&A 2024'"
    assert window.undo_action.toolTip() == tooltip("Undo Rename course 'GenAI 2024' to 'Q&A 2024'")
    window.undo()
    settle(qtbot, window.runner)
    assert window.redo_action.text() == "&Redo Rename course 'GenAI 2024' to 'Q&&A 2024'"
    assert window.redo_action.toolTip() == tooltip("Redo Rename course 'GenAI 2024' to 'Q&A 2024'")
