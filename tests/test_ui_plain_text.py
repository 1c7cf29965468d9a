"""Library text that looks like HTML is shown as text: no widget reads a file or asks a server for it.

Every text field an import or a user can set holds a payload of HTML that would load things
(`<img src="file:///…">`, `@import url(http://…)`). The window, each tab, each dialog, each
message box and every tooltip is shown while inotify watches the bait folder and a local HTTP
server counts requests: nothing may be opened or asked for. Every QLabel showing it must be
plain text or escaped rich text.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import html
import json
import os
import shutil
import struct
import sys
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QListView,
    QMessageBox,
    QProgressDialog,
    QToolTip,
    QWidget,
)
from shiboken6 import isValid

from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.exporting import export_sessions
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from annotator.ui import dialogs, import_export
from annotator.ui.main_window import MainWindow
from annotator.ui.reading_editor import short_authors
from annotator.ui.session_list import NewSessionDialog
from annotator.ui.teams import TeamRosterDialog

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="watches file opens with inotify"),
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)"),  # offscreen platform
]

# Payload markup that may appear only escaped, or in a plain-text widget (the app's own rich text has none).
RAW = ("<img", "<style", '<a href="http://127.0.0.1:', "<b>bold</b>")
IN_OPEN, IN_ACCESS = 0x20, 0x01
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000005fe02fea7d6a4a40000000049454e44ae426082")


class FileOpens:
    """Every file opened or read in FOLDER since the watch began (Linux inotify)."""

    def __init__(self, folder: Path):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0 or libc.inotify_add_watch(self._fd, str(folder).encode(), IN_OPEN | IN_ACCESS) < 0:
            pytest.skip("inotify is not available here")

    def names(self) -> list[str]:
        try:
            data = os.read(self._fd, 1 << 16)
        except BlockingIOError:
            return []
        names, offset = [], 0
        while offset < len(data):
            _wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
            names.append(data[offset + 16:offset + 16 + length].rstrip(b"\0").decode())
            offset += 16 + length
        return names

    def close(self) -> None:
        os.close(self._fd)


@pytest.fixture
def bait() -> Iterator[tuple[Path, FileOpens]]:
    folder = Path(tempfile.mkdtemp(prefix="bait", dir="/tmp"))  # short: file names hold its path
    for name in ("x.png", "y.png"):
        (folder / name).write_bytes(PNG)
    (folder / "c.css").write_text("p { color: red; }\n")
    opens = FileOpens(folder)
    yield folder, opens
    opens.close()
    shutil.rmtree(folder)


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], requests
    httpd.shutdown()
    httpd.server_close()


def payload(folder: Path, port: int, label: str) -> str:
    """HTML that reads two files and asks the server three times if shown as rich text; then LABEL."""
    return (f'<img src="file://{folder}/x.png"> <img src="{folder}/y.png"> '
            f'<img src="http://127.0.0.1:{port}/x.png"> <a href="http://127.0.0.1:{port}/a">link</a> '
            f"<style>@import url(http://127.0.0.1:{port}/c.css);</style>"
            f"<style>@import url(file://{folder}/c.css);</style> <b>bold</b> {label}")


def name_payload(folder: Path, label: str) -> str:
    """A payload for a name that cannot hold '/' and must be short (a file name, a session id):
    HTML still reads `&#47;` as '/'."""
    return f'<img src="file://{folder}/x.png"> <b>bold</b> {label}'.replace("/", "&#47;")


def yaml_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def make_library(tmp_path: Path, folder: Path, port: int) -> tuple[object, dict[str, str]]:
    """A library where every field an import or the user can set holds a payload."""
    p = {name: payload(folder, port, name) for name in (
        "course", "title", "lecture", "lead", "blog", "desc", "tag", "paper", "url", "authors", "abstract", "notes",
        "team", "members", "typed")}
    p["code"] = name_payload(folder, "code")
    p["list"] = name_payload(folder, "list")
    p["video"] = f"https://127.0.0.1:{port}/watch?v=%3Cb%3Ebold%3C/b%3E&t=1"  # (a link holding < or > is refused)
    imports = tmp_path / "imports"
    imports.mkdir()
    post = imports / f"{p['code']}.md"
    post.write_text(
        "---\nlayout: post\n"
        + "".join(f"{key}: {yaml_quoted(p[name])}\n" for key, name in (
            ("title", "title"), ("lecture", "lecture"), ("video", "lead"), ("notes", "blog"), ("desc", "desc")))
        + f"tags:\n- {yaml_quoted(p['tag'])}\n---\n\nIn this session, our readings cover:\n\n## Required Readings:\n\n"
        "### Attention Is All You Need\n  + https://arxiv.org/abs/1706.03762\n", encoding="utf-8")
    (imports / f"{p['list']}.txt").write_text(
        "Herding Cats at Scale\nCats cannot be herded, or so people say, and we show that they cannot.\n"
        "Yak Shaving: A Long Title\nShaving yaks is a metaphor that we make literal here, with measurements.\n",
        encoding="utf-8")
    lib = open_library(tmp_path / "library.sqlite")
    results, _ = import_paths(lib, [str(imports)], p["course"], recursive=True)
    assert [r.error for r in results] == ["", ""]
    session_id = lib.conn.execute("SELECT id FROM sessions WHERE code = ?", (p["code"],)).fetchone()[0]
    _, reading = editing.add_reading(lib, session_id, paper=Paper(p["paper"], p["url"]))
    paper_id = lib.conn.execute("SELECT paper_id FROM readings WHERE id = ?", (reading,)).fetchone()[0]
    editing.edit_paper(lib, paper_id, {"authors": p["authors"], "abstract": p["abstract"]})
    editing.edit_reading(lib, reading, notes=p["notes"], team=p["team"], add_videos=[p["video"]])
    course_id = lib.conn.execute("SELECT course_id FROM sessions WHERE id = ?", (session_id,)).fetchone()[0]
    # The Workload tab leaves out team names that hold markup; a roster's members are free text.
    editing.set_roster(lib, course_id, [(p["team"], p["members"]), ("team-1", p["members"])])
    # Two sessions a _posts export would write to one file: the refusal names them.
    for code in ("S-A", "S-B"):
        _, other = editing.new_session(lib, p["course"], code, p["title"], "2024-03-01")
        editing.edit_session(lib, other, front_matter={"video": "team-1"})
    front = json.loads(lib.conn.execute("SELECT front_matter FROM sessions WHERE id = ?", (session_id,)).fetchone()[0])
    assert (front["lecture"], front["tags"]) == (p["lecture"], [p["tag"]])  # the import kept them as they are
    return lib, p


def literal_or_escaped(text: str) -> bool:
    """True when Qt shows TEXT literally: it does not look like rich text, or no payload is raw in it."""
    return not GuiQt.mightBeRichText(text) or not any(raw in text for raw in RAW)


def shown_text(text: str) -> str:
    """What Qt shows for TEXT: TEXT itself when plain, else the escaped text read back."""
    return html.unescape(text) if GuiQt.mightBeRichText(text) else text


def model_tooltips(view: QAbstractItemView) -> Iterator[str]:
    """The tooltip of every item VIEW shows (every row, column and child) and of its header."""
    model = view.model()
    if model is None:
        return
    listed = isinstance(view, QListView)  # a list model's columnCount is not public
    pending = [QModelIndex()]
    while pending:
        parent = pending.pop()
        for row in range(model.rowCount(parent)):
            for column in range(1 if listed else model.columnCount(parent)):
                index = model.index(row, column, parent)
                yield model.data(index, Qt.ItemDataRole.ToolTipRole) or ""
                if column == 0 and model.rowCount(index) > 0:
                    pending.append(index)
    for section in range(0 if listed else model.columnCount(QModelIndex())):
        yield model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) or ""


def check_every_widget(seen: list[str]) -> None:
    """Every label plain or escaped, every tooltip escaped; each tooltip shown for real."""
    for widget in QApplication.allWidgets():
        if not isValid(widget):  # deleted meanwhile (a tooltip label, a closed message box)
            continue
        if isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.PlainText:
            assert literal_or_escaped(widget.text()), f"{widget.objectName() or widget!r} shows {widget.text()!r}"
        tips = [widget.toolTip()]
        if isinstance(widget, QAbstractItemView):
            tips += list(model_tooltips(widget))
        for tip in tips:
            if not tip:
                continue
            assert literal_or_escaped(tip), f"tooltip {tip!r}"
            seen.append(tip)
            QToolTip.showText(QPoint(20, 20), tip, widget if widget.isVisible() else None)
            QApplication.processEvents()
    QToolTip.hideText()


@pytest.fixture
def message_boxes(monkeypatch) -> list[str]:
    """QMessageBox's static dialogs shown for real (not modal), then answered No / Ok."""
    shown: list[str] = []

    def fake(icon: QMessageBox.Icon, answer: QMessageBox.StandardButton):
        def show(parent: QWidget | None, title: str, text: str, *args: object, **kwargs: object) -> object:
            box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
            box.show()
            QApplication.processEvents()
            label = next(w for w in box.findChildren(QLabel) if w.text() == text)
            assert label.textFormat() == Qt.TextFormat.PlainText or literal_or_escaped(text), text
            shown.append(text)
            box.close()
            box.deleteLater()
            return answer
        return staticmethod(show)

    no, ok = QMessageBox.StandardButton.No, QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "warning", fake(QMessageBox.Icon.Warning, ok))
    monkeypatch.setattr(QMessageBox, "information", fake(QMessageBox.Icon.Information, ok))
    monkeypatch.setattr(QMessageBox, "critical", fake(QMessageBox.Icon.Critical, ok))
    monkeypatch.setattr(QMessageBox, "question", fake(QMessageBox.Icon.Question, no))
    return shown


def test_payloads_in_every_field_show_as_text_and_load_nothing(qtbot, tmp_path, bait, server, monkeypatch,
                                                                message_boxes):
    folder, opens = bait
    port, requests = server
    lib, p = make_library(tmp_path, folder, port)
    session_id = lib.conn.execute("SELECT id FROM sessions WHERE code = ?", (p["code"],)).fetchone()[0]
    win = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), poll_interval_ms=100)
    qtbot.addWidget(win)
    win.show()
    tips: list[str] = []
    assert opens.names() == []  # the watch sees nothing before the window shows library text

    # Sessions tab: the tree, the readings, each reading in the editor, the session's details.
    win.show_session(session_id)
    check_every_widget(tips)
    for reading_id in win.readings.model.reading_ids():
        win.readings.select_reading(reading_id)
        check_every_widget(tips)
    assert win.reading_editor.title.text() == p["paper"]
    assert win.reading_editor.authors.text() == short_authors(p["authors"])  # (all of it in the tooltip)
    win.centre.setCurrentWidget(win.session_editor)
    check_every_widget(tips)
    assert win.session_editor.title.text() == p["title"]
    assert win.minimumSizeHint().width() < 1280  # long text shown as text still fits a laptop's screen

    # Library tab: the table, a paper's details, a search with its hits, the paper list.
    win.tabs.setCurrentWidget(win.library_view)
    view = win.library_view
    qtbot.waitUntil(lambda: not view.is_loading() and view.model.rowCount() > 0, timeout=10000)
    view.table.selectRow(0)
    check_every_widget(tips)
    view.search.setText("bold")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.is_loading() and view.hits.topLevelItemCount() > 0, timeout=10000)
    check_every_widget(tips)
    view.search.clear()
    view.lists.setCurrentIndex(view.lists.findText(p["list"], Qt.MatchFlag.MatchStartsWith))
    qtbot.waitUntil(lambda: not view.is_loading() and p["list"] in view.count_label.text(), timeout=10000)
    check_every_widget(tips)

    # Workload tab, then the welcome page with the recent imports.
    win.tabs.setCurrentWidget(win.workload_view)
    workload = win.workload_view
    workload.courses.setCurrentIndex(workload.courses.findText(p["course"]))
    check_every_widget(tips)
    win.show_welcome()
    check_every_widget(tips)
    win.show_session(session_id)

    # Dialogs: teams, new session (and its refusals), picking and adding papers, the export preview.
    roster = TeamRosterDialog(lib, win.sessions.current_course()[0], win.runner, win)
    new_session = NewSessionDialog(win.sessions.model.course_names(), p["course"], win)
    picker = dialogs.PaperPickerDialog(lib, win)
    new_paper = dialogs.NewPaperDialog(win)
    out = tmp_path / name_payload(folder, "folder")
    preview = dialogs.ExportPreviewDialog(export_sessions(lib.conn, [session_id], out, diff=True), str(out), win)
    for dialog in (roster, new_session, picker, new_paper, preview):
        dialog.show()
    check_every_widget(tips)
    new_session.date.setText(p["typed"])
    new_session.accept()
    new_paper.url.setText(p["typed"])
    new_paper.accept()
    for dialog in (roster, new_session, picker, new_paper, preview):
        dialog.reject()

    # Message boxes naming library text: delete, a session id taken, a refused export, a failed import.
    win.delete_session()

    def same_session(dialog: NewSessionDialog) -> QDialog.DialogCode:
        dialog.course.setCurrentText(p["course"])
        dialog.code.setText(p["code"])
        dialog.title.setText(p["title"])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewSessionDialog, "exec", same_session)
    win.new_session()
    win.show_session(lib.conn.execute("SELECT id FROM sessions WHERE code = 'S-A'").fetchone()[0])
    posts = tmp_path / "_posts"
    posts.mkdir()
    monkeypatch.setattr(import_export, "choose_folder", lambda *args: str(posts))
    win.export_course()
    qtbot.waitUntil(lambda: not win.transfers.busy(), timeout=20000)
    bad = tmp_path / f"{p['list']} broken.md"
    bad.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    with qtbot.waitSignal(win.import_finished, timeout=20000):
        assert win.transfers.import_paths([str(bad)])
        progress = win.findChildren(QProgressDialog)  # its label names the file
        assert progress and all(label.textFormat() == Qt.TextFormat.PlainText
                                for dialog in progress for label in dialog.findChildren(QLabel))
    check_every_widget(tips)

    assert opens.names() == [], "a widget read a file named in library text"
    assert requests == [], "a widget asked the server for something named in library text"
    assert len(message_boxes) == 6, message_boxes
    for name in ("course", "title", "code", "typed"):
        assert any(p[name] in shown for shown in map(shown_text, message_boxes)), f"no message shows the {name}"
    for name in ("paper", "url", "authors", "notes", "course", "title", "members"):
        assert any(p[name] in shown for shown in map(shown_text, tips)), f"no tooltip shows the {name}"
    win.close()
    lib.close()


def test_the_helpers_keep_plain_text_as_it_is_and_escape_what_qt_would_take_for_html():
    from annotator.ui.plain_text import plain_label, safe_auto_text, tooltip

    markup = '<img src="file:///etc/x.png"> & <b>bold</b>\n  second line'
    assert tooltip("") == tooltip("  \n") == ""
    assert tooltip(markup) == ("<p style='white-space:pre-wrap'>&lt;img src=&quot;file:///etc/x.png&quot;&gt; &amp; "
                               "&lt;b&gt;bold&lt;/b&gt;\n  second line</p>")
    assert tooltip("Attention\n<b>x</b>").startswith("<p ")  # Qt would guess plain here; escaped all the same
    assert safe_auto_text("Delete session S0-L1 “Agents”?") == "Delete session S0-L1 “Agents”?"
    assert safe_auto_text(markup) == tooltip(markup)
    label = plain_label(markup)
    assert (label.textFormat(), label.text()) == (Qt.TextFormat.PlainText, markup)

