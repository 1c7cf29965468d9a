"""Operations are atomic, undoable (also after a restart) and say what they changed."""

import multiprocessing
import sqlite3

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.store import editing, operations, queries
from annotator.store.library import open_library
from tests.store_helpers import build_small_library, dump


def test_an_exception_mid_operation_leaves_nothing_behind(lib):
    ids = build_small_library(lib)
    before = dump(lib)

    def half_then_fail(conn, changes):
        conn.execute("UPDATE readings SET notes = 'half-written' WHERE id = ?", (ids["r1"],))
        conn.execute("DELETE FROM sessions WHERE id = ?", (ids["s2"],))
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        operations.run_operation(lib, "Broken", half_then_fail)
    assert dump(lib) == before
    assert operations.undo(lib).label == "Edit notes, video, tags of S0-L01"  # the step before the broken one


def test_undo_and_redo_restore_rows_exactly_for_every_kind_of_change(lib):
    ids = build_small_library(lib)
    steps = [
        lambda: editing.edit_reading(lib, ids["r1"], notes="changed transformer notes", videos=[]),
        lambda: editing.move_reading(lib, ids["r2"], 1),
        lambda: editing.remove_reading(lib, ids["r1"]),
        lambda: editing.add_reading(lib, ids["s2"], paper=Paper("Transformer Circuits", "")),
        lambda: editing.edit_session(lib, ids["s1"], title="Renamed", front_matter={"tags": None}),
        lambda: editing.delete_session(lib, ids["s1"]),
    ]
    snapshots = [dump(lib)]
    for step in steps:
        step()
        snapshots.append(dump(lib))
    for expected in reversed(snapshots[:-1]):
        assert operations.undo(lib) is not None
        assert dump(lib) == expected
    for expected in snapshots[1:]:
        assert operations.redo(lib) is not None
        assert dump(lib) == expected
    assert operations.redo(lib) is None


def test_undo_survives_closing_and_reopening_the_library(tmp_path):
    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        ids = build_small_library(lib)
        before = dump(lib)
        editing.delete_session(lib, ids["s1"])
    with open_library(path) as lib:
        changes = operations.undo(lib)
        assert changes.label.startswith("Delete session")
        assert changes.sessions == {ids["s1"]}
        assert dump(lib) == before
    with open_library(path) as lib:
        operations.redo(lib)
        assert [s["id"] for s in queries.list_sessions(lib.conn)] == ["S0-L02"]


def test_a_new_change_drops_the_redo_steps(lib):
    ids = build_small_library(lib)
    editing.edit_reading(lib, ids["r2"], team="team-5")
    operations.undo(lib)
    editing.edit_reading(lib, ids["r2"], team="team-6")
    assert operations.redo(lib) is None
    assert operations.undo(lib).label == "Set team of 'Language Models are Few-Shot Learners' to team-6"


def test_undo_of_a_specific_step_refuses_when_the_library_changed_since(lib):
    ids = build_small_library(lib)
    mine, _ = editing.edit_reading(lib, ids["r2"], team="team-5")
    editing.edit_reading(lib, ids["r3"], team="team-4")  # e.g. the CLI, meanwhile
    with pytest.raises(AnnotatorError, match="changed since"):
        operations.undo(lib, mine.op_id)


def test_changes_name_what_changed(lib):
    ids = build_small_library(lib)
    changes, _ = editing.edit_reading(lib, ids["r3"], team="team-3")
    assert changes.sessions == {ids["s2"]} and not changes.papers
    assert changes.op_id is not None


def test_an_edit_that_creates_a_row_returns_its_changes_and_the_new_id(lib):
    changes, session_id = editing.new_session(lib, "C", "S1", "New")
    assert changes.sessions == {session_id} and changes.op_id is not None
    changes, reading_id = editing.add_reading(lib, session_id, paper=Paper("A paper", "https://arxiv.org/abs/2401.00001"))
    assert changes.sessions == {session_id} and len(changes.papers) == 1
    assert [r["reading_id"] for r in queries.session_readings(lib.conn, session_id)] == [reading_id]
    assert operations.undo(lib, changes.op_id).label == "Add 'A paper' to S1"


def test_an_edit_that_changes_nothing_leaves_no_undo_step(lib):
    ids = build_small_library(lib)
    assert editing.edit_reading(lib, ids["r1"], team="team-1")[0].op_id is None
    assert operations.undo(lib).label == "Edit notes, video, tags of S0-L01"  # the last step of build_small_library


def test_bad_video_links_are_refused(lib):
    ids = build_small_library(lib)
    for bad in ("javascript:alert(1)", "javascript:alert(1.0)", "file:///etc/passwd", "localhost/x", "https://"):
        with pytest.raises(AnnotatorError, match="not a web link"):
            editing.edit_reading(lib, ids["r1"], add_videos=[bad])


def test_a_video_link_typed_without_https_is_taken_as_a_browser_would(lib):
    ids = build_small_library(lib)
    editing.edit_reading(lib, ids["r1"], add_videos=["youtu.be/x", " www.youtube.com/watch?v=abc "])
    videos = queries.session_readings(lib.conn, ids["s1"])[0]["videos"]
    assert videos[-2:] == ["https://youtu.be/x", "https://www.youtube.com/watch?v=abc"]


def test_a_note_in_the_video_field_is_not_made_a_link(lib):
    """'1.5', 'TBD.' or '...' typed where a link goes is refused, not saved as https://1.5 (which opens nothing)."""
    ids = build_small_library(lib)
    for note in ("1.5", "TBD.", "...", ".", "v1.2", "youtube.com@evil.example/watch"):
        with pytest.raises(AnnotatorError, match="not a web link"):
            editing.edit_reading(lib, ids["r1"], add_videos=[note])


def test_one_paper_once_across_url_forms(lib):
    ids = build_small_library(lib)
    editing.add_reading(lib, ids["s2"], paper=Paper("attention is all you need!", "https://arxiv.org/pdf/1706.03762"))
    _, s3 = editing.new_session(lib, "GenAI 2024", "S0-L03", "Again")
    editing.add_reading(lib, s3, paper=Paper("Attention  Is All You Need", ""))
    with pytest.raises(AnnotatorError, match="already a reading"):
        editing.add_reading(lib, s3, paper=Paper("Attention is all you need", "https://arxiv.org/abs/1706.03762v2"))
    papers = queries.list_papers(lib.conn)
    assert len([p for p in papers if p["arxiv_id"] == "1706.03762"]) == 1
    assert len(papers) == 3


def _write_many(path, course, count, barrier):
    with open_library(path, daily_backup=False) as lib:
        barrier.wait()
        for number in range(count):
            editing.new_session(lib, course, f"S{number}", f"{course} {number}")


def test_two_processes_writing_at_once_both_succeed(tmp_path):
    path = tmp_path / "library.sqlite"
    open_library(path).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_write_many, args=(path, name, 40, barrier)) for name in ("A", "B")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 80
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_real_title_replaces_a_placeholder_title(lib):
    ids = build_small_library(lib)
    editing.add_reading(lib, ids["s2"], paper=Paper("arXiv:2303.08774", "https://arxiv.org/abs/2303.08774"))
    editing.add_reading(lib, ids["s1"], paper=Paper("GPT-4 Technical Report", "https://arxiv.org/pdf/2303.08774v3"))
    [gpt4] = [p for p in queries.list_papers(lib.conn) if p["arxiv_id"] == "2303.08774"]
    assert gpt4["title"] == "GPT-4 Technical Report" and len(gpt4["sessions"]) == 2


def test_each_step_says_what_it_will_undo(lib):
    """The Edit menu names what undo brings back: "Undo Set team of 'X' to team-3", not "Undo Edit reading"."""
    _, session_id = editing.new_session(lib, "Course", "S9", "Labels", "2024-03-01")
    _, reading_id = editing.add_reading(lib, session_id, paper=editing.Paper("Segment Anything"))
    _, other = editing.add_reading(lib, session_id, paper=editing.Paper("A " + "very " * 20 + "long title"))
    labels = [changes.label for changes, _ in (
        editing.edit_reading(lib, reading_id, team="team-3"),
        editing.edit_reading(lib, reading_id, team=""),
        editing.edit_reading(lib, reading_id, notes="Masks."),
        editing.edit_reading(lib, reading_id, add_videos=["https://youtu.be/a"]),
        editing.edit_reading(lib, reading_id, remove_videos=["https://youtu.be/a"]),
        editing.edit_reading(lib, reading_id, team="team-1", notes="Both."),
        editing.move_reading(lib, other, 1),
        editing.edit_session(lib, session_id, date="2024-03-02"),
        editing.edit_session(lib, session_id, front_matter={"video": "team-2", "notes": "team-4"}),
        editing.remove_reading(lib, reading_id),
    )]
    assert labels == [
        "Set team of 'Segment Anything' to team-3", "Clear team of 'Segment Anything'",
        "Edit notes of 'Segment Anything'", "Add video to 'Segment Anything'", "Remove video from 'Segment Anything'",
        "Edit reading 'Segment Anything'", "Move 'A very very very very very very very ve…' to position 1",
        "Edit date of S9", "Edit notes, video of S9", "Remove 'Segment Anything' from S9",
    ]
    assert operations.undo(lib).label == "Remove 'Segment Anything' from S9"


def test_a_commit_that_fails_rolls_back_and_leaves_no_transaction_open(lib):
    """Else the write lock stays held, and a later COMMIT would keep what the caller was told was not kept."""
    import sqlite3

    from annotator.store.operations import run_operation

    def body(conn, changes):
        conn.execute("PRAGMA defer_foreign_keys = ON")  # the bad reference is found only at COMMIT
        conn.execute("INSERT INTO readings (session_id, position, paper_id) VALUES (999999, 1, 999999)")

    with pytest.raises(sqlite3.IntegrityError):
        run_operation(lib, "Broken", body)
    assert not lib.conn.in_transaction
    assert lib.conn.execute("SELECT count(*) FROM readings WHERE session_id = 999999").fetchone()[0] == 0
