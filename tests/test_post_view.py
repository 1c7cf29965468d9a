"""The Post tab (issue 16): the whole session post exactly as `annotator export` writes it, updated after an edit."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from annotator.cli import main
from annotator.store import editing, queries
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from tests.site_helpers import BASE
from tests.ui_helpers import settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")  # offscreen platform


@pytest.fixture
def library(tmp_path):
    """Course C with S0-L07 imported from a post written with CRLF line breaks and trailing spaces."""
    lib = open_library(tmp_path / "library.sqlite", daily_backup=False)
    post = tmp_path / "posts" / "S0-L07.md"
    post.parent.mkdir()
    post.write_bytes(BASE.replace("\n", "  \r\n", 3).replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode("utf-8"))
    import_paths(lib, [post], "C")
    yield lib
    lib.close()


def exported(window, tmp_path, capsys) -> bytes:
    """The bytes `annotator export C/S0-L07` writes."""
    out = tmp_path / "out"
    assert main(["--db", str(window.lib.path), "export", "C/S0-L07", "--out", str(out)]) == 0
    capsys.readouterr()
    (written,) = out.iterdir()
    return written.read_bytes()


@pytest.fixture
def post_tab(qtbot, window):
    """The window showing S0-L07 on its Post tab, rendered: (window, the session's id)."""
    session_id = queries.resolve_session(window.lib.conn, "C/S0-L07")
    window.show_session(session_id)
    window.centre.setCurrentWidget(window.post_view)
    qtbot.waitUntil(lambda: window.post_view.text() != "")
    return window, session_id


def test_the_post_tab_shows_the_post_byte_for_byte_as_export_writes_it(post_tab, tmp_path, capsys) -> None:
    win, _ = post_tab
    assert [win.centre.tabText(i) for i in range(win.centre.count())] == ["Readings", "Session Details", "Post"]
    text = win.post_view.text()
    assert "\r\n" in text and "  \r\n" in text  # the file's own line breaks and spaces, kept
    assert text.encode("utf-8") == exported(win, tmp_path, capsys)
    assert win.post_view.editor.isReadOnly()
    assert win.post_view.editor.toPlainText() == text.replace("\r\n", "\n")
    win.post_view.copy_button.click()  # (the editor's own copy would give \n for \r\n)
    assert QGuiApplication.clipboard().text() == text


def test_the_post_follows_an_edit_and_its_undo(qtbot, post_tab, tmp_path, capsys) -> None:
    win, session_id = post_tab
    before = win.post_view.text()
    reading = queries.session_readings(win.lib.conn, session_id)[0]
    win.runner.edit(editing.edit_reading, reading["reading_id"], team="Team Red").run_in_background()
    settle(qtbot, win.runner)
    assert "Team Red" in win.post_view.text() and "Team Red" in win.post_view.editor.toPlainText()
    assert win.post_view.text().encode("utf-8") == exported(win, tmp_path, capsys)
    win.undo()
    settle(qtbot, win.runner)
    assert win.post_view.text() == before


def test_a_hidden_post_tab_renders_when_it_is_shown_again(qtbot, post_tab) -> None:
    win, session_id = post_tab
    win.centre.setCurrentWidget(win.readings)
    reading = queries.session_readings(win.lib.conn, session_id)[1]
    win.runner.edit(editing.edit_reading, reading["reading_id"], notes="Read section 3 first.").run_in_background()
    settle(qtbot, win.runner)
    assert "Read section 3 first." not in win.post_view.text()  # nothing rendered for a tab no one looks at
    win.centre.setCurrentWidget(win.post_view)
    settle(qtbot, win.runner)
    assert "Read section 3 first." in win.post_view.text()


def test_another_session_s_post_starts_at_its_top(qtbot, post_tab, tmp_path) -> None:
    win, session_id = post_tab
    other = tmp_path / "posts" / "S0-L08.md"
    other.write_text(BASE, encoding="utf-8")
    import_paths(win.lib, [other], "C")
    win.apply_changes(None)
    bar = win.post_view.editor.verticalScrollBar()
    bar.setValue(bar.maximum())  # S0-L07 read to its end
    assert bar.value() > 0
    win.show_session(queries.resolve_session(win.lib.conn, "C/S0-L08"))
    qtbot.waitUntil(lambda: win.post_view.text().replace("\r\n", "\n") == BASE)
    assert bar.maximum() > 0 and bar.value() == 0
