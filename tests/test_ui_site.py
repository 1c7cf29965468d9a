"""Issue 15 in the window, with real git: link through the menu, the Site badges, the sync preview, the conflict dialog."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QInputDialog, QMessageBox

from annotator.formats.post_merge import THEIRS
from annotator.site.git_sync import Pushed
from annotator.site.links import course_links
from annotator.site.sync import FAILED, Outcome, SyncReport
from annotator.store import editing, queries
from annotator.store.library import open_library
from annotator.store.pane_rows import library_is_empty
from annotator.ui import site_sync
from annotator.ui.main_window import MainWindow
from annotator.ui.session_list import SITE_COLUMN
from annotator.ui.site_dialogs import SyncDialog
from tests.git_fixtures import git, isolate_git, need_git, remote_and_two_laptops, short_status, write
from tests.site_helpers import BASE, CONFIG, POST, linked_laptops, remote_text
from tests.ui_helpers import edit, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


def open_window(qtbot, db: Path, tmp_path: Path) -> MainWindow:
    lib = open_library(db)
    win = MainWindow(lib, QSettings(str(tmp_path / f"{db.stem}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.site.watch.updated, timeout=20000):
        pass  # the first status, asked for when the window opened
    return win


@pytest.fixture
def boxes(monkeypatch):
    """Every message box's text, instead of showing it."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    return shown


def close(win: MainWindow) -> None:
    lib = win.lib
    win.close()
    lib.close()


def badge(win: MainWindow, code: str, course: str = "C") -> str:
    session_id = queries.resolve_session(win.lib.conn, f"{course}/{code}")
    return win.sessions.model.session_index(session_id).siblingAtColumn(SITE_COLUMN).data()


def reading_id(win: MainWindow, code: str, number: int) -> int:
    return queries.session_readings(win.lib.conn, queries.resolve_session(win.lib.conn, f"C/{code}"))[number - 1]["reading_id"]


def unlinked_site(qtbot, tmp_path: Path, monkeypatch) -> tuple[Path, MainWindow]:
    """A clone of a Jekyll site with one session post, not linked yet, and a window on an empty library."""
    need_git()
    isolate_git(monkeypatch, tmp_path / "home")
    site = remote_and_two_laptops(tmp_path).alice
    write(site, "_config.yml", CONFIG)
    write(site, POST, BASE)
    return site, open_window(qtbot, tmp_path / "library.sqlite", tmp_path)


def wait_status(qtbot, win: MainWindow, timeout: int = 20000):
    return qtbot.waitSignal(win.site.watch.updated, timeout=timeout)


def open_sync_dialog(qtbot, win: MainWindow):
    win.site.sync_action.trigger()
    qtbot.waitUntil(lambda: win.site.dialog is not None and win.site.dialog.isVisible(), timeout=20000)
    return win.site.dialog


def sync(qtbot, win: MainWindow, dialog, **steps: bool) -> None:
    for step, box in dialog.steps.items():
        box.setChecked(steps.get(step, False))
    dialog.sync_button.click()
    settle(qtbot, win.runner)


def test_link_through_the_menu_shows_badges_and_the_branch(qtbot, tmp_path, monkeypatch, boxes):
    site, win = unlinked_site(qtbot, tmp_path, monkeypatch)
    assert win.sessions.tree.isColumnHidden(SITE_COLUMN)
    monkeypatch.setattr(site_sync, "choose_folder", lambda *args: str(site))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *args: ("C", True)))
    with wait_status(qtbot, win):
        win.site.link_action.trigger()
    settle(qtbot, win.runner)
    assert [link.course for link in course_links(win.lib.conn)] == ["C"]
    assert badge(win, "S0-L07") == "✓ synced"
    assert not win.sessions.tree.isColumnHidden(SITE_COLUMN)
    course_row = win.sessions.model.index(0, 0).data()
    assert "⎇ main" in course_row and "new" not in course_row  # (_posts/week-1 is linked too)
    assert win.site.sync_action.isEnabled()
    assert not boxes
    close(win)


def test_badges_follow_edits_on_disk_and_in_the_app(qtbot, tmp_path, monkeypatch, boxes):
    laptops = linked_laptops(tmp_path, monkeypatch)
    win = open_window(qtbot, laptops.bob.db, tmp_path)
    assert badge(win, "S0-L07") == badge(win, "S0-L08") == "✓ synced"
    with wait_status(qtbot, win):  # the watcher fires on the edit; nothing else asked for a refresh
        write(laptops.bob.clone, POST, BASE.replace("Agents and Memory", "Agents and Memory, revised"))
    assert badge(win, "S0-L07") == "↓ disk"
    with wait_status(qtbot, win):
        edit(qtbot, win.runner, editing.edit_reading, reading_id(win, "S0-L08", 1), team="Team Green")
    assert badge(win, "S0-L08") == "● here"
    assert "changed in the app" in win.sessions.model.session_index(
        queries.resolve_session(win.lib.conn, "C/S0-L08")).siblingAtColumn(SITE_COLUMN).data(3)  # (the tooltip)
    # An editor's atomic save (a new file renamed over the post) is seen too, and the file stays watched.
    temp = laptops.bob.clone / "_contents" / ".S0-L07.md.swp"
    temp.write_text(BASE, encoding="utf-8")
    with wait_status(qtbot, win):
        temp.replace(laptops.bob.clone / POST)
    assert badge(win, "S0-L07") == "✓ synced"
    assert str(laptops.bob.clone / POST) in win.site.watch.files.files()
    assert not boxes
    close(win)


def test_the_preview_shows_each_diff_and_writes_nothing_until_sync(qtbot, tmp_path, monkeypatch, boxes):
    laptops = linked_laptops(tmp_path, monkeypatch)
    win = open_window(qtbot, laptops.bob.db, tmp_path)
    with wait_status(qtbot, win):
        edit(qtbot, win.runner, editing.edit_reading, reading_id(win, "S0-L07", 1), team="Team Green")
    before = laptops.bob.text()
    dialog = open_sync_dialog(qtbot, win)
    assert [(o.code, o.action) for o in dialog.outcomes] == [("S0-L07", "exported")]
    assert dialog.files.headerItem().text(2) == "Would be" and dialog.files.topLevelItem(0).text(2) == "exported"
    assert "+" in dialog.diff_view.toPlainText() and "Team Green" in dialog.diff_view.toPlainText()
    assert all(box.isEnabled() for box in dialog.steps.values())  # a git clone: pull, commit, push offered
    assert laptops.bob.text() == before and short_status(laptops.bob.clone) == ""
    with wait_status(qtbot, win):
        sync(qtbot, win, dialog, commit=True)
    assert "Team Green" in laptops.bob.text()
    assert dialog.result.isVisible() and "Committed" in dialog.result.text()
    assert badge(win, "S0-L07") == "✓ synced"
    assert win.runner.history.stack.undoText() == "Sync C with its site"
    assert QSettings(str(tmp_path / "bob.ini"), QSettings.Format.IniFormat).value("site/commit") == "true"
    assert not boxes
    close(win)


def team_conflict(qtbot, tmp_path, monkeypatch):
    """Alice pushed Team Red for reading 1 of S0-L07; Bob's window set Team Green and synced with Pull:
    (the laptops, Bob's window, its sync dialog)."""
    laptops = linked_laptops(tmp_path, monkeypatch)
    laptops.alice.annotate("S0-L07", 1, team="Team Red")
    assert laptops.alice.run("sync", "--commit", "--push") == 0
    win = open_window(qtbot, laptops.bob.db, tmp_path)
    with wait_status(qtbot, win):
        edit(qtbot, win.runner, editing.edit_reading, reading_id(win, "S0-L07", 1), team="Team Green")
    dialog = open_sync_dialog(qtbot, win)
    with wait_status(qtbot, win):
        sync(qtbot, win, dialog, pull=True)
    return laptops, win, dialog


def test_a_two_laptop_conflict_is_resolved_in_the_dialog_and_the_sync_completes(qtbot, tmp_path, monkeypatch, boxes):
    laptops, win, dialog = team_conflict(qtbot, tmp_path, monkeypatch)
    assert [o.code for o in dialog.outcomes if o.conflicts] == ["S0-L07"]
    assert "Conflict: S0-L07" in dialog.result.text()
    assert badge(win, "S0-L07") == "⚠ both"
    assert dialog.resolve_button.isEnabled()
    dialog.resolve_button.click()
    conflicts = win.site.conflict_dialog
    assert conflicts is not None and conflicts.isVisible()
    assert [(c.mine, c.theirs) for c in conflicts.conflicts] == [("Team Green", "Team Red")]
    assert not conflicts.resolve_button.isEnabled()  # every conflict needs a choice first
    conflicts.choose(0, THEIRS)
    with wait_status(qtbot, win):
        conflicts.resolve_button.click()
        settle(qtbot, win.runner)
    settle(qtbot, win.runner)  # (the preview asked for again)
    assert badge(win, "S0-L07") == "✓ synced"
    assert queries.session_readings(win.lib.conn, queries.resolve_session(win.lib.conn, "C/S0-L07"))[0]["team"] == "Team Red"
    sync(qtbot, win, dialog, commit=True, push=True)
    assert laptops.bob.text() == remote_text(laptops.remote)
    assert short_status(laptops.bob.clone) == ""
    assert not boxes
    close(win)


def test_a_conflict_can_be_resolved_with_a_value_typed_in_the_dialog(qtbot, tmp_path, monkeypatch, boxes):
    laptops, win, dialog = team_conflict(qtbot, tmp_path, monkeypatch)
    dialog.resolve_button.click()
    conflicts = win.site.conflict_dialog
    editor = conflicts.editors[0]
    assert editor is not None and editor.toPlainText() == "Team Green"  # starts from mine
    editor.setPlainText("Team Red and Green")  # typing there chooses Edit
    assert conflicts.resolve_button.isEnabled()
    with wait_status(qtbot, win):
        conflicts.resolve_button.click()
        settle(qtbot, win.runner)
    settle(qtbot, win.runner)
    assert badge(win, "S0-L07") == "✓ synced"
    session = queries.resolve_session(win.lib.conn, "C/S0-L07")
    assert queries.session_readings(win.lib.conn, session)[0]["team"] == "Team Red and Green"
    assert "+ Team: Team Red and Green" in laptops.bob.text()
    assert not boxes
    close(win)


def test_an_unreachable_remote_is_one_message_and_changes_nothing(qtbot, tmp_path, monkeypatch, boxes):
    laptops = linked_laptops(tmp_path, monkeypatch)
    git(laptops.bob.clone, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    win = open_window(qtbot, laptops.bob.db, tmp_path)
    with wait_status(qtbot, win):
        edit(qtbot, win.runner, editing.edit_reading, reading_id(win, "S0-L07", 1), team="Team Green")
    before, head = laptops.bob.text(), git(laptops.bob.clone, "rev-parse", "HEAD")
    dialog = open_sync_dialog(qtbot, win)
    steps = win.runner.history.stack.count()
    sync(qtbot, win, dialog, pull=True, commit=True, push=True)
    settle(qtbot, win.runner)
    assert len(boxes) == 1 and "gone.git" in boxes[0]
    assert laptops.bob.text() == before and git(laptops.bob.clone, "rev-parse", "HEAD") == head
    assert win.runner.history.stack.count() == steps
    assert not dialog.result.isVisible() and dialog.sync_button.isEnabled()  # the preview again, ready to retry
    assert badge(win, "S0-L07") == "● here"
    close(win)


def test_unlink_hides_the_badges(qtbot, tmp_path, monkeypatch, boxes):
    laptops = linked_laptops(tmp_path, monkeypatch)
    win = open_window(qtbot, laptops.bob.db, tmp_path)
    win.sessions.select_session(queries.resolve_session(win.lib.conn, "C/S0-L07"))
    assert win.site.unlink_action.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a: QMessageBox.StandardButton.Yes))
    with wait_status(qtbot, win):
        win.site.unlink_action.trigger()
    assert win.sessions.tree.isColumnHidden(SITE_COLUMN)
    assert not win.site.unlink_action.isEnabled()
    assert not boxes
    close(win)


def test_the_welcome_page_opens_a_course_site_in_one_step(qtbot, tmp_path, monkeypatch, boxes):
    site, win = unlinked_site(qtbot, tmp_path, monkeypatch)
    assert win.pages.currentWidget() is win.welcome
    monkeypatch.setattr(site_sync, "choose_folder", lambda *args: str(site))
    with wait_status(qtbot, win):
        win.welcome.site_button.click()
    assert [(link.course, link.folder) for link in course_links(win.lib.conn)] == [("alice", site)]
    assert win.pages.currentWidget() is win.tabs
    assert win.sessions.selected_session() == queries.resolve_session(win.lib.conn, "alice/S0-L07")
    assert badge(win, "S0-L07", course="alice") == "✓ synced"
    close(win)


def test_cancel_while_linking_leaves_nothing(qtbot, tmp_path, monkeypatch, boxes):
    site, win = unlinked_site(qtbot, tmp_path, monkeypatch)
    release = threading.Event()
    win.runner.collection_op(win, lambda lib, task: (None, release.wait(20))).run_in_background()  # holds the queue
    win.site.link("C", str(site))
    win.runner._queued[-1].task.cancel()  # what the progress dialog's Cancel does
    release.set()
    settle(qtbot, win.runner)
    assert course_links(win.lib.conn) == [] and library_is_empty(win.lib.conn)
    assert "Cancelled" in win.statusBar().currentMessage()
    assert not boxes
    close(win)


def test_the_result_escapes_library_text_and_opens_the_pull_request_page(qtbot, tmp_path, monkeypatch):
    report = SyncReport("C", "/site", outcomes=[
        Outcome("S1", "_posts/s1.md", "changed in the app", FAILED, error="<img src='file:///etc/passwd'> bad")],
        commit="0123456789abcdef", message="S1: team", pushed=Pushed(True, False, "https://github.com/a/b/compare/main"))
    dialog = SyncDialog(report, None, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show_result(report)
    assert "&lt;img src=" in dialog.result.text() and "<img" not in dialog.result.text()
    assert "Committed 0123456789: S1: team" in dialog.result.text()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString())))
    dialog.result.linkActivated.emit("https://github.com/a/b/compare/main")
    assert opened == ["https://github.com/a/b/compare/main"]
    assert not any(box.isEnabled() for box in dialog.steps.values())  # no git: the git steps are not offered
