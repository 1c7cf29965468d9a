"""The operation runner: work off the GUI thread, in order, errors reported one way, nothing lost on close."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMessageBox

from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.store.library import Library, open_library
from annotator.store.operations import Changes
from annotator.ui.main_window import MainWindow
from tests.ui_helpers import edit, make_runner, run, settle

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

# Another process holding the library's write lock until its stdin closes.
_WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=15, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


class WriteLock:
    """A real sqlite3 connection in a subprocess holding BEGIN IMMEDIATE on the library."""

    def __init__(self, path: Path):
        self.process = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture
def lib(tmp_path: Path):
    library = open_library(tmp_path / "library.sqlite")
    _, session = editing.new_session(library, "Course", "S1", "Session")
    editing.add_reading(library, session, paper=Paper("A paper", "https://arxiv.org/abs/2401.00001"))
    yield library
    library.close()


def reading_id(lib: Library) -> int:
    return queries.session_readings(lib.conn, queries.resolve_session(lib.conn, "S1"))[0]["reading_id"]


def notes(lib: Library) -> str:
    return queries.session_readings(lib.conn, queries.resolve_session(lib.conn, "S1"))[0]["notes"]


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, title, text, *a: shown.append((title, text))))
    return shown


def test_every_store_edit_returns_changes_and_a_value(lib):
    rid = reading_id(lib)
    session = queries.resolve_session(lib.conn, "S1")
    course = lib.conn.execute("SELECT id FROM courses").fetchone()[0]
    paper = lib.conn.execute("SELECT id FROM papers").fetchone()[0]
    results = [
        editing.edit_reading(lib, rid, team="team-1"),
        editing.edit_session(lib, session, title="Renamed"),
        editing.edit_paper(lib, paper, {"title": "A better title"}),
        editing.move_reading(lib, rid, 1),
        editing.set_roster(lib, course, [("team-1", "Ada")]),
        editing.remove_reading(lib, rid),
        editing.delete_session(lib, session),
    ]
    assert all(isinstance(changes, Changes) and value is None for changes, value in results)
    changes, new_session = editing.new_session(lib, "Course", "S2", "Two")
    assert changes.sessions == {new_session}
    changes, new_reading = editing.add_reading(lib, new_session, paper_id=paper)
    assert isinstance(changes, Changes) and isinstance(new_reading, int)


def test_an_edit_waits_for_another_process_s_lock_while_the_gui_keeps_running(qtbot, lib, boxes):
    runner = make_runner(qtbot, lib)
    lock = WriteLock(lib.path)
    ticks: list[bool] = []  # for each tick of a GUI timer: was the edit still waiting?
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(runner.is_idle()))
    timer.start()
    try:
        runner.edit(editing.edit_reading, reading_id(lib), notes="written after the lock").run_in_background()
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the GUI thread is not blocked by the lock
        assert not any(ticks) and notes(lib) == ""
    finally:
        lock.release()
    settle(qtbot, runner)
    timer.stop()
    assert notes(lib) == "written after the lock" and not boxes
    assert runner.history.stack.undoText() == "Edit notes of 'A paper'"


def test_operations_run_in_the_order_asked(qtbot, lib):
    runner = make_runner(qtbot, lib)
    done: list[int] = []
    for number in range(25):
        runner.edit(editing.edit_reading, reading_id(lib), notes=f"note {number}") \
            .success(lambda _none, n=number: done.append(n)).run_in_background()
    settle(qtbot, runner)
    assert done == list(range(25)) and notes(lib) == "note 24"
    assert runner.history.stack.count() == 25


def test_a_user_mistake_is_one_message_box(qtbot, lib, boxes):
    runner = make_runner(qtbot, lib)
    with qtbot.capture_exceptions() as crashes:
        assert edit(qtbot, runner, editing.edit_reading, reading_id(lib), team="two\nlines") is None
    assert len(boxes) == 1 and "team name" in boxes[0][1] and not crashes


def test_a_database_error_is_one_message_naming_what_to_do(qtbot, lib, boxes):
    runner = make_runner(qtbot, lib)

    def full_disk(_lib: Library) -> tuple[Changes, None]:
        raise sqlite3.OperationalError("database or disk is full")

    with qtbot.capture_exceptions() as crashes:
        assert edit(qtbot, runner, full_disk) is None
    assert boxes == [("annotator", f"{lib.path}: the disk is full (database or disk is full); nothing was changed")]
    assert not crashes


def test_a_bug_goes_to_the_crash_report_and_nowhere_else(qtbot, lib, boxes):
    runner = make_runner(qtbot, lib)
    failures: list[Exception] = []

    def buggy(_lib: Library) -> tuple[Changes, None]:
        raise KeyError("a bug")

    with qtbot.capture_exceptions() as crashes:
        run(qtbot, runner.edit(buggy).failure(failures.append))  # a failure callback never swallows a bug
    assert [type(exc) for _, exc, _ in crashes] == [KeyError] and not boxes and not failures


def test_a_query_sees_every_edit_asked_for_before_it(qtbot, lib):
    runner = make_runner(qtbot, lib)
    runner.edit(editing.edit_reading, reading_id(lib), notes="first").run_in_background()
    answer = run(qtbot, runner.query_op(None, lambda conn, _task: queries.session_readings(conn, 1)[0]["notes"], None))
    assert answer == "first"


def test_a_newer_search_interrupts_and_drops_an_older_one(qtbot, lib):
    runner = make_runner(qtbot, lib)
    answers: list[str] = []

    def slow(conn, task):  # a query that runs until it is interrupted
        task.answer("started", "slow")
        conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n").fetchone()
        return "slow"

    runner.query_op(None, slow, answers.append).newest("search").answers(lambda _name, value: answers.append(value)) \
        .run_in_background()
    qtbot.waitUntil(lambda: answers == ["slow"], timeout=5000)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.query_op(None, lambda _conn, _task: "fast", answers.append).newest("search").run_in_background()
    assert runner.wait_for_searches(5000)
    qtbot.wait(0)  # (the interrupted query's outcome, if it was queued, is delivered now: and dropped)
    assert answers == ["slow", "fast"] and not runner.is_searching("search")


def test_a_search_cancelled_between_two_statements_stops_at_its_next_answer(qtbot, lib):
    """An interrupt stops only the statement running when it comes: a search cancelled between
    statements must not go on to rank all matches for nobody."""
    runner = make_runner(qtbot, lib)
    between = threading.Event()
    cancelled = threading.Event()
    ran: list[str] = []

    def search(conn, task):  # type: ignore[no-untyped-def]
        task.answer("page", [1])
        between.set()
        cancelled.wait(5)  # (the user types on here)
        task.answer("count", 1)
        ran.append("the whole ranking")  # not reached
        return "all"

    op = runner.query_op(None, search, lambda _value: ran.append("delivered")).newest("search")
    op.run_in_background()
    assert between.wait(5)
    runner.cancel_newest("search")
    cancelled.set()
    assert runner.wait_for_searches(5000)
    qtbot.waitUntil(lambda: not runner.is_searching("search"))  # (its outcome delivered: and dropped)
    assert ran == [] and op.task.cancelled()


def test_closing_the_window_waits_for_a_queued_notes_edit(qtbot, lib, tmp_path, boxes):
    window = MainWindow(lib, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.show_session(queries.resolve_session(lib.conn, "S1"))
    window.readings.select_reading(reading_id(lib))
    lock = WriteLock(lib.path)
    QTimer.singleShot(300, lock.release)  # fires while close() waits for the edit
    try:
        window.reading_editor.notes.setPlainText("typed just before closing")  # (saved 500 ms after typing)
        window.close()
    finally:
        lock.release()
    assert window.runner.is_idle() and notes(lib) == "typed just before closing" and not boxes

