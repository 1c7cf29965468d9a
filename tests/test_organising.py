"""Rename a course or a paper list, move a session to another course, delete a list (issue 16): each one
undoable step with a label that says what, refused with one clear message when the name is taken, and
safe for a course linked to its site: the next sync neither deletes nor duplicates a post."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.store import editing, operations, queries
from annotator.store.library import open_library
from annotator.store.organising import delete_list, move_session, rename_course, rename_list
from annotator.store.pane_rows import course_tree
from tests.git_fixtures import git, short_status
from tests.site_helpers import linked_laptops
from tests.store_helpers import dump

SITE_SESSIONS = ["2024-01-08-week-1", "S0-L07", "S0-L08"]  # the posts of tests/site_helpers.py's site


def courses(lib) -> dict[str, list[str]]:
    return {name: [s.code for s in sessions] for _, name, sessions in course_tree(lib.conn)}


def course_id(lib, name: str) -> int:
    return lib.conn.execute("SELECT id FROM courses WHERE name = ?", (name,)).fetchone()[0]


@pytest.fixture
def two_courses(lib):
    """Course 'GenAI 2024' with S1 and S2 (S1 reading a paper), course 'Agents 2025' with S1."""
    _, s1 = editing.new_session(lib, "GenAI 2024", "S1", "Transformers")
    editing.add_reading(lib, s1, paper=Paper("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"))
    editing.new_session(lib, "GenAI 2024", "S2", "Scaling")
    editing.new_session(lib, "Agents 2025", "S1", "Agents")
    return lib


def make_list(lib, name: str) -> int:
    """A paper list NAME of two papers, stored as an import stores one."""
    def body(conn, changes):
        list_id = conn.execute("INSERT INTO paper_lists (name, source, imported_at) VALUES (?, 'l.md', '2024-05-01')",
                               (name,)).lastrowid
        for position, title in enumerate(("Paper A", "Paper B"), 1):
            paper_id = conn.execute("INSERT INTO papers (title, title_key) VALUES (?, ?)", (title, title.lower())).lastrowid
            conn.execute("INSERT INTO paper_list_items (list_id, position, paper_id) VALUES (?, ?, ?)",
                         (list_id, position, paper_id))
        return list_id
    return operations.run_operation(lib, "Import list", body)[0]


def test_rename_a_course_shows_the_new_name_and_undo_brings_the_old_one_back(two_courses) -> None:
    lib = two_courses
    changes, _ = rename_course(lib, course_id(lib, "GenAI 2024"), "  GenAI Spring 2024 ")
    assert changes.label == "Rename course 'GenAI 2024' to 'GenAI Spring 2024'"
    assert courses(lib) == {"Agents 2025": ["S1"], "GenAI Spring 2024": ["S1", "S2"]}
    assert queries.resolve_session(lib.conn, "GenAI Spring 2024/S2")
    assert operations.undo(lib).label == changes.label
    assert courses(lib) == {"Agents 2025": ["S1"], "GenAI 2024": ["S1", "S2"]}


def test_renaming_to_a_name_taken_or_empty_changes_nothing(two_courses) -> None:
    lib = two_courses
    before = dump(lib)
    genai = course_id(lib, "GenAI 2024")
    with pytest.raises(AnnotatorError, match="there is already a course named 'Agents 2025'; choose another name"):
        rename_course(lib, genai, "Agents 2025")
    with pytest.raises(AnnotatorError, match="a course needs a name"):
        rename_course(lib, genai, "   ")
    with pytest.raises(AnnotatorError, match="line break"):
        rename_course(lib, genai, "Two\nlines")
    changes, _ = rename_course(lib, genai, "GenAI 2024")  # the same name: nothing to undo
    assert changes.op_id is None
    assert dump(lib) == before


def test_move_a_session_to_another_course_and_undo(two_courses) -> None:
    lib = two_courses
    s2 = queries.resolve_session(lib.conn, "GenAI 2024/S2")
    changes, _ = move_session(lib, s2, "Agents 2025")
    assert changes.label == "Move S2 to course 'Agents 2025'"
    assert courses(lib) == {"Agents 2025": ["S1", "S2"], "GenAI 2024": ["S1"]}
    operations.undo(lib)
    assert courses(lib) == {"Agents 2025": ["S1"], "GenAI 2024": ["S1", "S2"]}


def test_a_session_moves_with_its_readings_into_a_new_course(two_courses) -> None:
    lib = two_courses
    s1 = queries.resolve_session(lib.conn, "GenAI 2024/S1")
    move_session(lib, s1, "Archive")
    assert courses(lib)["Archive"] == ["S1"]
    assert [r["title"] for r in queries.session_readings(lib.conn, s1)] == ["Attention Is All You Need"]
    operations.undo(lib)
    assert "Archive" not in courses(lib)


def test_moving_onto_a_session_of_the_same_id_is_refused(two_courses) -> None:
    lib = two_courses
    before = dump(lib)
    s1 = queries.resolve_session(lib.conn, "GenAI 2024/S1")
    with pytest.raises(AnnotatorError, match="course 'Agents 2025' already has a session S1"):
        move_session(lib, s1, "Agents 2025")
    assert dump(lib) == before


def test_rename_and_delete_a_paper_list_undoably(lib) -> None:
    first, second = make_list(lib, "HF daily 2024-05-01"), make_list(lib, "HF daily 2024-05-02")
    changes, _ = rename_list(lib, first, "Agents papers")
    assert changes.label == "Rename list 'HF daily 2024-05-01' to 'Agents papers'" and changes.lists == {first}
    with pytest.raises(AnnotatorError, match="there is already a list named 'Agents papers'"):
        rename_list(lib, second, "Agents papers")
    before = dump(lib)
    changes, _ = delete_list(lib, first)
    assert changes.label == "Delete list 'Agents papers'"
    assert [row["name"] for row in queries.paper_lists(lib.conn)] == ["HF daily 2024-05-02"]
    assert lib.conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 4  # its papers stay
    operations.undo(lib)
    assert dump(lib) == before


# --- a course linked to its site, with real git ------------------------------------------------------------


def test_renaming_a_linked_course_leaves_the_next_sync_nothing_to_do(tmp_path, monkeypatch, capsys) -> None:
    alice = linked_laptops(tmp_path, monkeypatch).alice
    with open_library(alice.db) as lib:
        rename_course(lib, course_id(lib, "C"), "Agents course")
    status = alice.json(capsys, "status", "Agents course")
    assert {s["state"] for s in status["sessions"]} == {"in sync"}
    assert alice.run("sync", "Agents course", "--commit") == 0
    assert short_status(alice.clone) == "" and git(alice.clone, "log", "-1", "--format=%s").strip() == "two sessions"
    with open_library(alice.db) as lib:
        assert courses(lib) == {"Agents course": SITE_SESSIONS}


def test_a_synced_session_cannot_be_moved_out_of_its_linked_course(tmp_path, monkeypatch, capsys) -> None:
    alice = linked_laptops(tmp_path, monkeypatch).alice
    with open_library(alice.db) as lib:
        before = dump(lib)
        session_id = queries.resolve_session(lib.conn, "C/S0-L07")
        with pytest.raises(AnnotatorError, match=r"S0-L07 is a post on the site of course 'C' \(_contents/S0-L07.md\): "
                                                 r"moved to another course, its post would come back into 'C'"):
            move_session(lib, session_id, "Elsewhere")
        assert dump(lib) == before
    assert alice.run("sync", "--commit") == 0
    with open_library(alice.db) as lib:  # no second S0-L07
        assert courses(lib) == {"C": SITE_SESSIONS}


def test_a_session_moved_into_a_linked_course_is_written_once_as_a_new_post(tmp_path, monkeypatch, capsys) -> None:
    alice = linked_laptops(tmp_path, monkeypatch).alice
    with open_library(alice.db) as lib:
        _, session_id = editing.new_session(lib, "Drafts", "S0-L09", "Planning", "2024-03-01")
        move_session(lib, session_id, "C")
    assert alice.run("sync", "--commit") == 0
    assert short_status(alice.clone) == ""
    assert git(alice.clone, "show", "--name-status", "--format=", "HEAD").split() == ["A", "_contents/S0-L09.md"]
    assert {s["state"] for s in alice.json(capsys, "status")["sessions"]} == {"in sync"}
    with open_library(alice.db) as lib:
        session_id = queries.resolve_session(lib.conn, "C/S0-L09")
        with pytest.raises(AnnotatorError, match="S0-L09 is a post on the site of course"):  # now it is one
            move_session(lib, session_id, "Drafts")


def test_a_session_never_synced_moves_out_of_a_linked_course_without_touching_the_site(
        tmp_path, monkeypatch, capsys) -> None:
    alice = linked_laptops(tmp_path, monkeypatch).alice
    with open_library(alice.db) as lib:
        _, session_id = editing.new_session(lib, "C", "S0-L09", "Planning", "2024-03-01")
        move_session(lib, session_id, "Drafts")
    assert alice.run("sync", "--commit") == 0
    assert not (alice.clone / "_contents" / "S0-L09.md").exists() and short_status(alice.clone) == ""
    with open_library(alice.db) as lib:
        assert courses(lib) == {"C": SITE_SESSIONS, "Drafts": ["S0-L09"]}
