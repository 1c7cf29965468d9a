"""Where a session's file is (issue 16, "reveal the file a session came from"): the library keeps the
folder each file was imported from, for any import, so the app can show that file's folder; a file
since moved or deleted is named in the message, and undo of a re-import puts the old folder back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.store import editing, operations, queries
from annotator.store.importing import import_paths
from annotator.store.organising import source_file

COURSE = "Reading group"
POST = "---\ntitle: Agents\n---\n\n### ReAct: Synergizing Reasoning and Acting\n  + https://arxiv.org/abs/2210.03629\n"


def write_post(folder: Path, text: str = POST, name: str = "S1.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def import_one(lib, path: Path) -> int:
    """Import PATH into course COURSE as `annotator import --course` does; the session's row id."""
    [result], _ = import_paths(lib, [path], course=COURSE)
    assert result.error == "", result.error
    return queries.resolve_session(lib.conn, f"{COURSE}/S1")


def test_a_file_imported_on_its_own_is_found_in_its_folder(lib, tmp_path) -> None:
    path = write_post(tmp_path / "downloads")
    session_id = import_one(lib, path)
    assert source_file(lib.conn, session_id) == (path.resolve(), "")
    assert queries.session_detail(lib.conn, session_id)["source_folder"] == str(path.parent.resolve())


def test_a_file_imported_through_a_symlinked_folder_is_found_where_it_was_imported_from(lib, tmp_path) -> None:
    path = write_post(tmp_path / "real")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    session_id = import_one(lib, tmp_path / "link" / "S1.md")
    assert source_file(lib.conn, session_id) == (path.resolve(), "")


def test_a_deleted_file_is_named_in_the_message(lib, tmp_path) -> None:
    path = write_post(tmp_path / "downloads")
    session_id = import_one(lib, path)
    path.unlink()
    full = path.parent.resolve() / "S1.md"
    assert source_file(lib.conn, session_id) == (None, f"Imported from {full}, which is no longer there.")


def test_undo_of_a_reimport_from_another_folder_brings_the_old_folder_back(lib, tmp_path) -> None:
    first = write_post(tmp_path / "first")
    session_id = import_one(lib, first)
    second = write_post(tmp_path / "second", POST.replace("title: Agents", "title: Agents, revised"))
    import_one(lib, second)
    assert source_file(lib.conn, session_id) == (second.resolve(), "")
    operations.undo(lib)
    assert source_file(lib.conn, session_id) == (first.resolve(), "")
    operations.redo(lib)
    assert source_file(lib.conn, session_id) == (second.resolve(), "")


def test_the_same_file_found_in_another_folder_moves_the_session_there_in_one_undoable_step(lib, tmp_path) -> None:
    first = write_post(tmp_path / "first")
    session_id = import_one(lib, first)
    import_one(lib, first)  # the same file from the same place: nothing to record
    assert operations.undo(lib).label == "Import S1.md" and queries.list_sessions(lib.conn) == []
    operations.redo(lib)
    second = write_post(tmp_path / "second")
    import_one(lib, second)
    assert source_file(lib.conn, session_id) == (second.resolve(), "")
    operations.undo(lib)
    assert source_file(lib.conn, session_id) == (first.resolve(), "")


def test_a_session_made_in_the_app_has_no_file(lib) -> None:
    _, session_id = editing.new_session(lib, COURSE, "S2", "Planning")
    assert source_file(lib.conn, session_id) == (None, "Made in the app: it was not imported from a file.")


def test_a_file_in_a_folder_whose_name_is_not_utf8_imports_and_reveal_says_why_it_cannot_show_it(lib, tmp_path) -> None:
    folder = tmp_path / "downloads" / os.fsdecode(b"caf\xe9")  # a Latin-1 name, as an old archive unpacks
    try:
        path = write_post(folder)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    session_id = import_one(lib, path)  # before: UnicodeEncodeError, nothing imported
    assert [s["title"] for s in queries.list_sessions(lib.conn)] == ["Agents"]
    assert source_file(lib.conn, session_id) == (
        None, "Imported from S1.md in a folder whose name is not UTF-8 text, which the library cannot keep.")
