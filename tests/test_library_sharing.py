"""The app and the command share one library: no file dialog, import or restore may cost the app its SQLite locks.

POSIX locks belong to the process: one close() of any descriptor of the library's files drops
them all. These tests read /proc/locks (Linux) to see the locks themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QFileSystemModel

from annotator.errors import AnnotatorError
from annotator.store import editing, queries, restoring
from annotator.store.importing import import_paths
from annotator.store.library import SharingLost, open_library
from tests.ui_helpers import edit

pytestmark = [
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints"),
    pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads the locks in /proc/locks (Linux)"),
]


def locks_held(library: Path) -> int:
    """How many POSIX locks this process holds on the library's files."""
    inodes = {os.stat(p).st_ino for p in (library, library.with_name(library.name + "-shm")) if p.exists()}
    count = 0
    for line in Path("/proc/locks").read_text().split("\n"):
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "POSIX" and fields[4] == str(os.getpid()):
            count += int(fields[5].rsplit(":", 1)[-1]) in inodes
    return count


def annotator_command(library: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annotator", "--db", str(library), *args],
                          capture_output=True, text=True, timeout=60)


def team_of_first_reading(library: Path) -> str:
    """What a third process reads: the team of reading 1 of S1."""
    shown = annotator_command(library, "show", "S1", "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)["readings"][0]["team"]


@pytest.fixture
def library(tmp_path):
    lib = open_library(tmp_path / "data" / "library.sqlite")
    _, session = editing.new_session(lib, "Course", "S1", "Shared")
    editing.add_reading(lib, session, paper=editing.Paper("A paper", "https://arxiv.org/abs/2401.00001"))
    (lib.path.parent / "notes.md").write_text("# some file a user keeps here\n", encoding="utf-8")
    yield lib
    lib.close()


def browse_the_open_dialog(qtbot, folder: Path, view_mode: QFileDialog.ViewMode, least: int) -> list[str]:
    """Show the open dialog's FOLDER in VIEW_MODE with every icon and type asked for, then cancel; the names shown."""
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QFileDialog)
    try:
        dialog.setDirectory(str(folder))
        dialog.setViewMode(view_mode)
        if dialog.fileMode() != QFileDialog.FileMode.Directory:
            dialog.setNameFilter("All files (*)")  # the library's files listed too, not only hidden by the filter
        model = dialog.findChild(QFileSystemModel)
        root = model.index(str(folder))
        qtbot.waitUntil(lambda: model.rowCount(root) >= least)
        names = []
        for row in range(model.rowCount(root)):
            for column in range(model.columnCount(root)):
                index = model.index(row, column, root)
                model.data(index, Qt.ItemDataRole.DecorationRole)
                model.data(index, Qt.ItemDataRole.DisplayRole)
            names.append(model.index(row, 0, root).data())
        for view in dialog.findChildren(QAbstractItemView):
            view.viewport().repaint()
        return names
    finally:
        dialog.reject()


@pytest.mark.parametrize("view_mode", [QFileDialog.ViewMode.List, QFileDialog.ViewMode.Detail])
def test_the_import_dialog_on_the_library_folder_keeps_the_app_locks(qtbot, window, library, view_mode):
    folder = library.path.parent
    window.settings.setValue("import/lastFolder", str(folder))
    before = locks_held(library.path)
    assert before > 0
    shown: list[str] = []
    QTimer.singleShot(0, lambda: shown.extend(browse_the_open_dialog(qtbot, folder, view_mode, 4)))
    window.transfers.choose_and_import()
    assert "library.sqlite-wal" in shown and "notes.md" in shown
    assert locks_held(library.path) == before

    # A second process writes and exits; the app writes; a third process sees both.
    assert annotator_command(library.path, "edit", "S1", "--reading", "1", "--team", "team-7").returncode == 0
    reading = queries.session_readings(library.conn, queries.resolve_session(library.conn, "S1"))[0]
    assert reading["team"] == "team-7"
    edit(qtbot, window.runner, editing.edit_reading, reading["reading_id"], notes="Written by the app")
    assert json.loads(annotator_command(library.path, "show", "S1", "--json").stdout)["readings"][0]["notes"] == \
        "Written by the app"


def test_the_export_and_restore_dialogs_keep_the_app_locks(qtbot, window, library):
    folder = library.path.parent
    window.settings.setValue("export/lastFolder", str(folder))
    (folder / "_posts").mkdir()
    before = locks_held(library.path)
    QTimer.singleShot(0, lambda: browse_the_open_dialog(qtbot, folder, QFileDialog.ViewMode.Detail, 1))
    window.transfers.export_session(queries.resolve_session(library.conn, "S1"))
    assert locks_held(library.path) == before
    QTimer.singleShot(0, lambda: browse_the_open_dialog(qtbot, folder, QFileDialog.ViewMode.Detail, 4))
    window.backups.choose_and_restore()
    assert locks_held(library.path) == before


def drop_locks_as_a_stray_open_would(library: Path) -> None:
    """What the file dialog did: open one of the library's files outside SQLite, and close it."""
    with open(library, "rb") as handle:
        handle.read(16)


def test_a_connection_that_lost_its_locks_refuses_to_write_and_reopens(library):
    before = locks_held(library.path)
    drop_locks_as_a_stray_open_would(library.path)
    assert locks_held(library.path) < before
    assert "lost its locks" in library.sharing_problem()
    reading = queries.session_readings(library.conn, queries.resolve_session(library.conn, "S1"))[0]
    with pytest.raises(SharingLost, match="nothing was written"):
        editing.edit_reading(library, reading["reading_id"], team="never-written")
    assert library.sharing_problem() is None and locks_held(library.path) == before
    editing.edit_reading(library, reading["reading_id"], team="team-2")
    assert team_of_first_reading(library.path) == "team-2"


def test_when_another_process_deleted_the_wal_nothing_is_written_into_the_lost_one(library):
    reading = queries.session_readings(library.conn, queries.resolve_session(library.conn, "S1"))[0]
    drop_locks_as_a_stray_open_would(library.path)
    # The command believes it is the last connection: at exit it deletes the -wal and -shm the app uses.
    assert annotator_command(library.path, "edit", "S1", "--reading", "1", "--team", "team-7").returncode == 0
    assert "removed or replaced" in library.sharing_problem()
    with pytest.raises(SharingLost):
        editing.edit_reading(library, reading["reading_id"], notes="lost if written now")
    editing.edit_reading(library, reading["reading_id"], notes="kept")
    library.close()
    with open_library(library.path) as again:
        row = queries.session_readings(again.conn, reading["session_id"] if "session_id" in reading else
                                       queries.resolve_session(again.conn, "S1"))[0]
    assert (row["team"], row["notes"]) == ("team-7", "kept")


def test_the_window_notices_lost_locks_on_its_poll_and_reopens(qtbot, window, library):
    drop_locks_as_a_stray_open_would(library.path)
    with qtbot.waitSignal(window.watcher.reopened, timeout=5000) as reopened:
        pass
    assert "lost its locks" in reopened.args[0]
    assert library.sharing_problem() is None and locks_held(library.path) > 0
    box = window._notice_box
    assert box.isVisible() and "opened the library again" in box.text()
    box.close()


def test_importing_the_library_itself_is_refused_before_it_is_read(library):
    before = locks_held(library.path)
    wal = library.path.with_name(library.path.name + "-wal")
    link = library.path.parent / "looks-like-a-post.md"
    link.symlink_to(library.path)
    results, _ = import_paths(library, [library.path, wal, link])
    assert all("this is the library itself" in r.error for r in results)
    assert locks_held(library.path) == before


def test_restoring_the_library_onto_itself_is_refused(library):
    before = locks_held(library.path)
    with pytest.raises(AnnotatorError, match="the library itself"):
        restoring.restore_backup(library, library.path)
    assert locks_held(library.path) == before


def test_where_the_lock_table_shows_other_inode_numbers_no_write_is_refused(library, tmp_path, monkeypatch):
    from annotator.store import sharing

    table = tmp_path / "locks"  # as on an overlay file system: our locks listed under other inode numbers
    table.write_text(f"1: POSIX  ADVISORY  READ {os.getpid()} 00:2a:99999999 128 128\n", encoding="utf-8")
    monkeypatch.setattr(sharing, "LOCKS_TABLE", table)
    library.reopen()
    assert library.sharing_problem() is None
    reading = queries.session_readings(library.conn, queries.resolve_session(library.conn, "S1"))[0]
    editing.edit_reading(library, reading["reading_id"], team="team-3")
    assert team_of_first_reading(library.path) == "team-3"


def test_with_another_connection_of_this_process_open_the_reopen_waits_and_writes_stay_refused(library):
    before = locks_held(library.path)
    job = open_library(library.path, daily_backup=False)  # e.g. an import running in the window's worker thread
    drop_locks_as_a_stray_open_would(library.path)
    reading = queries.session_readings(library.conn, queries.resolve_session(library.conn, "S1"))[0]
    with pytest.raises(SharingLost, match="as soon as its other work"):
        editing.edit_reading(library, reading["reading_id"], team="never-written")
    assert not library.reopen() and library.sharing_problem()
    job.close()
    assert library.reopen() and library.sharing_problem() is None
    assert locks_held(library.path) == before
    # Now another process's commits and the app's land side by side again.
    assert annotator_command(library.path, "new-session", "Course/S2", "--title", "From the command").returncode == 0
    editing.edit_reading(library, reading["reading_id"], team="team-4")
    assert [s["id"] for s in queries.list_sessions(library.conn)] == ["S1", "S2"]
    assert team_of_first_reading(library.path) == "team-4"


def test_reopening_never_deletes_another_process_s_wal(library):
    """The stale connection's close must not take the -wal (by name) that a later process is using."""
    drop_locks_as_a_stray_open_would(library.path)
    assert annotator_command(library.path, "new-session", "Course/S2", "--title", "Second").returncode == 0
    # A third process commits S3 and dies before it closes: S3 lives only in the new -wal.
    code = ("import os, sys\nfrom annotator.store import editing\nfrom annotator.store.library import open_library\n"
            "lib = open_library(sys.argv[1], daily_backup=False)\n"
            "editing.new_session(lib, 'Course', 'S3', 'Third')\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(library.path)], check=True, timeout=60)
    assert "removed or replaced" in library.sharing_problem()
    assert library.reopen()
    assert [s["id"] for s in queries.list_sessions(library.conn)] == ["S1", "S2", "S3"]
    library.close()
    assert [line.split()[1] for line in annotator_command(library.path, "sessions").stdout.split("\n")[1:-1]] == \
        ["S1", "S2", "S3"]


def test_a_library_moved_away_meanwhile_is_a_message_not_a_new_empty_library(qtbot, window, library, tmp_path):
    drop_locks_as_a_stray_open_would(library.path)
    library.path.rename(tmp_path / "moved.sqlite")
    with qtbot.waitSignal(window.watcher.failed, timeout=5000) as failed:
        pass
    assert "the library file is gone" in failed.args[0]
    assert not library.path.exists()
    assert window._notice_box.isVisible() and "is gone" in window._notice_box.text()
    window._notice_box.close()
