"""Imports write each file's rows with one executemany per table, logged for undo as id ranges:
what they write must stay undoable, searchable and consistent, whatever happens mid-way."""

from __future__ import annotations

import sqlite3

import pytest

import annotator.store.importing as importing
from annotator.store import editing, migrations, operations, queries
from annotator.store.import_writer import ImportWriter
from annotator.store.importing import import_paths
from annotator.store.library import Library, open_library
from tests.conftest import DATA
from tests.store_helpers import build_small_library, dump

FILES = [DATA / "session_quirks.md", DATA / "hflist_dense.txt", DATA / "unusual" / "cjk_titles.md",
         DATA / "lecture_tour.md", DATA / "outline_week.md", DATA / "session_crlf_bom.md"]
TERMS = ("quirky", "memgpt", "memory", "transformer", "agents", "language")


def search_index_ok(lib: Library) -> None:
    """FTS5's own checks (they raise): papers and sessions indexed exactly as their tables say; the notes index whole.

    Readings without notes are left out of their index on purpose, which the content check would flag.
    """
    for table in ("papers_fts", "sessions_fts"):
        lib.conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
    lib.conn.execute("INSERT INTO readings_fts (readings_fts) VALUES ('integrity-check')")


def schema(lib: Library) -> list[tuple]:
    return sorted(tuple(r) for r in lib.conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def found(lib: Library) -> dict[str, list[tuple]]:
    return {term: sorted((r["type"], r["id"], r["title"]) for r in queries.search(lib.conn, term)) for term in TERMS}


def undo_label(lib: Library) -> str:
    """What Edit ▸ Undo names now ('' when there is nothing to undo)."""
    row = lib.conn.execute("SELECT label FROM operations WHERE state = 'done' ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else ""


def undo_imports(lib: Library) -> int:
    steps = 0
    while undo_label(lib).startswith("Import"):
        operations.undo(lib)
        steps += 1
    return steps


@pytest.mark.parametrize("one_step", [False, True], ids=["per-file", "one-step"])
def test_undo_and_redo_of_an_import_restore_rows_search_and_schema(lib, one_step):
    build_small_library(lib)
    before, before_schema, before_found = dump(lib), schema(lib), found(lib)
    results, _ = import_paths(lib, FILES, one_step=one_step)
    assert [r.error for r in results] == [""] * len(FILES)
    after, after_found = dump(lib), found(lib)
    search_index_ok(lib)
    assert schema(lib) == before_schema  # the paused triggers are all back
    assert after_found["quirky"] and after_found["memgpt"] != before_found["memgpt"]
    assert any(kind == "notes" for kind, _, _ in after_found["memgpt"])  # a blog section became searchable notes
    assert undo_imports(lib) == (1 if one_step else len(FILES))
    assert dump(lib) == before and found(lib) == before_found
    search_index_ok(lib)
    while operations.redo(lib) is not None:
        pass
    assert dump(lib) == after and found(lib) == after_found
    search_index_ok(lib)


@pytest.mark.parametrize("one_step", [False, True], ids=["per-file", "one-step"])
def test_one_session_imported_twice_in_one_command_keeps_its_search_index_right(lib, tmp_path, one_step):
    paths = []
    for folder, title, fruit in (("a", "Alpha", "apple"), ("b", "Beta", "banana")):
        post = tmp_path / folder / "_contents" / "S1.md"
        post.parent.mkdir(parents=True)
        post.write_text(f"---\ntitle: {title} session\n---\n\n## Required Readings\n\n### Fruit studies\n"
                        f"  + https://arxiv.org/abs/2401.00001\n\n# Blog\n\n## Fruit studies\n\n{fruit} notes\n",
                        encoding="utf-8")
        paths.append(post)
    results, _ = import_paths(lib, paths, course="Fruit", one_step=one_step)
    assert [r.session for r in results] == ["Fruit/S1", "Fruit/S1"]
    search_index_ok(lib)
    assert [r["title"] for r in queries.search(lib.conn, "beta")] == ["Beta session"]
    assert queries.search(lib.conn, "alpha") == [] and queries.search(lib.conn, "apple") == []
    assert [r["type"] for r in queries.search(lib.conn, "banana")] == ["notes"]


def test_a_cancelled_or_failed_import_brings_every_trigger_back(lib):
    from annotator.store.importing import ImportCancelled

    before_schema = schema(lib)
    with pytest.raises(ImportCancelled):
        import_paths(lib, FILES, one_step=True, cancelled=lambda: bool(lib.conn.execute("SELECT 1 FROM sessions").fetchone()))
    assert schema(lib) == before_schema
    results, _ = import_paths(lib, [FILES[0], DATA / "bad" / "unclosed.md", FILES[1]], one_step=True)
    assert [bool(r.error) for r in results] == [False, True, False]
    assert schema(lib) == before_schema
    search_index_ok(lib)


def test_when_sqlite_drops_the_transaction_its_files_are_reported_failed_and_the_rest_imported(lib, monkeypatch):
    real_store = ImportWriter.store
    calls = []

    def store_then_lose_the_transaction(writer, changes, file, course, result):
        calls.append(file.path)
        real_store(writer, changes, file, course, result)
        if len(calls) == 3:
            writer.conn.execute("ROLLBACK")  # what SQLite may do by itself after a disk error
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ImportWriter, "store", store_then_lose_the_transaction)
    results, _ = import_paths(lib, FILES)
    message = "could not write to the library (database or disk is full); nothing of this file was kept"
    assert [r.error for r in results] == [f"{p}: {message}" for p in FILES[:3]] + ["", "", ""]
    assert all(r.papers_new == r.readings == 0 and not r.session for r in results[:3])
    assert sorted(s["source"] for s in queries.list_sessions(lib.conn)) == sorted(p.name for p in FILES[3:] if p.suffix == ".md")
    search_index_ok(lib)


def test_when_sqlite_drops_a_one_step_imports_transaction_the_database_error_is_raised(lib, monkeypatch):
    """Not the wrappers of its savepoints: the app and the CLI report a database error as one line, a
    TransactionLost as a crash (found in review)."""
    real_store = ImportWriter.store

    def store_then_lose_the_transaction(writer, changes, file, course, result):
        real_store(writer, changes, file, course, result)
        writer.conn.execute("ROLLBACK")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ImportWriter, "store", store_then_lose_the_transaction)
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        import_paths(lib, FILES, one_step=True)
    assert queries.list_sessions(lib.conn) == [] and not lib.conn.in_transaction


def test_a_long_import_commits_as_it_goes_each_file_still_one_undo_step(lib, monkeypatch):
    observer = sqlite3.connect(lib.path)  # another process's view: only what was committed
    committed = []
    monkeypatch.setattr(ImportWriter, "store", lambda *args, real=ImportWriter.store: (
        committed.append(observer.execute("SELECT count(*) FROM operations").fetchone()[0]), real(*args))[1])
    import_paths(lib, FILES)
    assert committed == [0] * len(FILES)  # quick files: one transaction
    undo_imports(lib)
    committed.clear()
    monkeypatch.setattr(importing, "COMMIT_EVERY_SECONDS", 0.0)  # as if every file took a second
    results, _ = import_paths(lib, FILES)
    assert not any(r.error for r in results)
    assert committed == [len(FILES), *range(1, len(FILES))]  # the undone steps (dropped by the first new one), then one per file
    assert undo_imports(lib) == len(FILES)
    assert dump(lib)["papers"] == []


def test_a_v3_library_keeps_its_undo_history_through_the_v4_migration(tmp_path):
    path = tmp_path / "library.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    script = "".join(m.sql() for m in migrations.available_migrations() if m.version <= 3)
    conn.executescript(f"BEGIN; {script}; PRAGMA user_version = 3; COMMIT;")
    v3 = Library(conn, path)
    _, session_id = editing.new_session(v3, "GenAI", "S1", "Before the upgrade", "2024-01-10")
    editing.edit_session(v3, session_id, title="Renamed before the upgrade")
    conn.close()
    with open_library(path) as lib:
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == migrations.latest_version() >= 4
        assert operations.undo(lib).label == "Edit title of S1"
        assert queries.list_sessions(lib.conn)[0]["title"] == "Before the upgrade"
        assert operations.undo(lib).label.startswith("New session")
        assert queries.list_sessions(lib.conn) == []
        assert operations.redo(lib) is not None and operations.redo(lib) is not None
        assert queries.list_sessions(lib.conn)[0]["title"] == "Renamed before the upgrade"
        search_index_ok(lib)


@pytest.mark.parametrize("listing", ["hflist_dense.txt", "session_quirks.md"])
def test_finding_known_papers_uses_the_indexes_not_a_scan_of_every_paper(lib, listing):
    """A list's papers have no arXiv ids: an empty `arxiv_id IN ()` once made SQLite read the whole table."""
    build_small_library(lib)
    lookups: list[str] = []
    lib.conn.set_trace_callback(lambda sql: lookups.append(sql) if " FROM papers WHERE title_key IN" in sql
                                or " FROM papers WHERE arxiv_id IN" in sql else None)
    import_paths(lib, [DATA / listing])
    lib.conn.set_trace_callback(None)
    assert lookups
    for sql in lookups:
        plan = " ".join(row[3] for row in lib.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN papers" not in plan and "USING INDEX" in plan, plan
