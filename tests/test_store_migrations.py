"""Opening libraries: fresh, upgraded from v1, newer (refused, untouched), and not-a-library files."""

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.store import backups, migrations, queries, restoring
from annotator.store.library import open_library

V1_FIXTURE = Path(__file__).parent / "data" / "library-v1.sqlite"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_fresh_library_gets_the_latest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "sub" / "library.sqlite"
    with open_library(path) as lib:
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert lib.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert lib.conn.execute("PRAGMA page_size").fetchone()[0] == 8192  # (rows of ~1 KB and posts of ~8 KB)
    assert user_version(path) == migrations.latest_version() >= 2
    assert backups.list_backups(path) == []  # nothing to back up in an empty library


def test_v1_library_is_upgraded_after_a_verified_backup_and_keeps_its_data(tmp_path):
    path = tmp_path / "library.sqlite"
    shutil.copy(V1_FIXTURE, path)
    with open_library(path) as lib:
        assert lib.conn.execute("PRAGMA page_size").fetchone()[0] == 4096  # kept: changing it would mean a VACUUM
        [session] = queries.list_sessions(lib.conn)
        assert session["title"] == "Transformers"
        detail = queries.session_detail(lib.conn, session["row_id"])
        assert detail["readings"][0]["notes"] == "Read section 3 first."
        indexes = {r[0] for r in lib.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "papers_title_sort" in indexes
    assert user_version(path) == migrations.latest_version()
    [backup] = backups.list_backups(path)
    assert "before-v" in backup.name
    assert user_version(backup) == 1
    backups.verify_database(backup)


def test_failed_migration_leaves_the_v1_library_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite"
    shutil.copy(V1_FIXTURE, path)
    broken = tmp_path / "db"
    broken.mkdir()
    for m in migrations.available_migrations():
        shutil.copy(m.path, broken / m.path.name)
    (broken / "003_broken.sql").write_text("CREATE TABLE extra (x);\nTHIS IS NOT SQL;\n")
    monkeypatch.setattr(migrations, "shipped_dir", lambda name: broken)
    with pytest.raises(AnnotatorError):
        open_library(path)
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "extra" not in tables and "papers_title_sort" not in tables
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_newer_library_is_refused_and_left_byte_identical(tmp_path):
    path = tmp_path / "library.sqlite"
    shutil.copy(V1_FIXTURE, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = digest(path)
    with pytest.raises(AnnotatorError, match="newer annotator"):
        open_library(path)
    assert digest(path) == before
    assert not Path(str(path) + "-wal").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is a text file, not a database\n" * 50, "not an annotator library"),
        (None, "another application"),
        ("truncate", "truncated"),
    ],
    ids=["text-file", "other-app-db", "truncated"],
)
def test_files_that_are_not_libraries_are_refused_and_not_overwritten(tmp_path, content, message):
    path = tmp_path / "library.sqlite"
    if content is None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('Ada', '123')")
        conn.commit()
        conn.close()
    elif content == "truncate":
        shutil.copy(V1_FIXTURE, path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(content)
    before = digest(path)
    with pytest.raises(AnnotatorError, match=message):
        open_library(path)
    assert digest(path) == before


def test_backups_rotate_and_restore_brings_back_the_old_content(tmp_path):
    from annotator.store import editing

    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        backups.set_keep_count(lib.conn, 3)
        editing.new_session(lib, "C", "S1", "Before")
        first = backups.make_backup(lib.conn, path, "manual")
        for _ in range(4):
            backups.make_backup(lib.conn, path, "manual")
        assert len(backups.list_backups(path)) == 3
        assert not first.exists()
        kept = backups.list_backups(path)[0]
        editing.new_session(lib, "C", "S2", "After")
        safety = restoring.restore_backup(lib, kept)
        assert [s["id"] for s in queries.list_sessions(lib.conn)] == ["S1"]
        assert safety.exists()
    with open_library(safety) as old:
        assert {s["id"] for s in queries.list_sessions(old.conn)} == {"S1", "S2"}


def test_daily_backup_is_made_once_a_day_for_a_library_with_data(tmp_path):
    from annotator.store import editing

    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        editing.new_session(lib, "C", "S1", "One")
    open_library(path).close()
    open_library(path).close()
    daily = [p for p in backups.list_backups(path) if p.name.endswith("-daily.sqlite")]
    assert len(daily) == 1


def test_rotation_keeps_other_libraries_backups_and_leaves_no_side_files(tmp_path):
    from annotator.store import editing

    other = tmp_path / "library-old.sqlite"
    with open_library(other) as old:
        editing.new_session(old, "C", "S1", "Old")
        backups.make_backup(old.conn, other, "manual")
    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        backups.set_keep_count(lib.conn, 1)
        editing.new_session(lib, "C", "S1", "New")
        first = backups.make_backup(lib.conn, path, "manual")
        second = backups.make_backup(lib.conn, path, "manual")
    assert backups.list_backups(path) == [second] and not first.exists()
    assert len(backups.list_backups(other)) == 1  # its manual backup survived the rotation
    assert sorted(p.suffix for p in backups.backup_dir(path).iterdir()) == [".sqlite"] * 2


def test_a_library_from_before_the_prefix_indexes_finds_the_same_papers_in_the_same_order_after_upgrade(tmp_path):
    from annotator.store.paper_browser import PaperQuery, paper_ids

    path = tmp_path / "library.sqlite"
    conn = sqlite3.connect(path)
    script = "".join(m.sql() for m in migrations.available_migrations() if m.version < 9)
    conn.executescript(f"BEGIN; {script}; PRAGMA user_version = 8; COMMIT;")
    titles = ["Retrieval augmented generation", "Reasoning with retrieval", "Diffusion models", "Rotary embeddings"]
    conn.executemany("INSERT INTO papers (title, title_key, abstract) VALUES (?, ?, 'A study of r and re.')",
                     [(t, t.lower()) for t in titles])
    conn.commit()
    before = {text: paper_ids(conn, PaperQuery(text)) for text in ("r", "re", "ret", "d", "study")}
    conn.close()
    with open_library(path, daily_backup=False) as lib:
        assert {text: paper_ids(lib.conn, PaperQuery(text)) for text in before} == before
        assert sorted(before["r"]) == [1, 2, 3, 4] and before["r"][-1] == 3  # no title match: ranked last
        declared = lib.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()[0]
        assert "prefix='1 2'" in declared
        lib.conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('integrity-check')")  # raises if out of step
        lib.conn.execute("INSERT INTO papers (title, title_key) VALUES ('Rewards', 'rewards')")  # the triggers index it
        assert paper_ids(lib.conn, PaperQuery("rew")) == [5]


def test_a_library_from_before_source_folders_upgrades_and_its_imported_sessions_say_the_folder_is_unknown(tmp_path):
    from annotator.store.organising import source_file

    path = tmp_path / "library.sqlite"
    conn = sqlite3.connect(path)
    script = "".join(m.sql() for m in migrations.available_migrations() if m.version < 10)
    conn.executescript(f"BEGIN; {script}; PRAGMA user_version = 9; COMMIT;")
    conn.execute("INSERT INTO courses (name) VALUES ('GenAI 2024')")
    conn.execute("INSERT INTO sessions (course_id, code, title, source, original_text) "
                 "VALUES (1, 'S1', 'Transformers', 'S1.md', '---\ntitle: Transformers\n---\n')")
    conn.commit()
    conn.close()
    with open_library(path, daily_backup=False) as lib:
        [session] = queries.list_sessions(lib.conn)
        assert queries.session_detail(lib.conn, session["row_id"])["source_folder"] is None
        assert source_file(lib.conn, session["row_id"]) == (None, (
            "Imported from S1.md by an earlier version of annotator, which kept the file's name but not its folder. "
            "Import the file again to remember where it is."))
    assert user_version(path) == migrations.latest_version()


def test_undo_keeps_every_column_of_a_changed_or_deleted_row(lib):
    """Each undoable table's update and delete triggers log all its columns (a column added later is no exception)."""
    from annotator.store.operations import UNDOABLE_TABLES

    for table in UNDOABLE_TABLES:
        columns = [row[1] for row in lib.conn.execute(f"PRAGMA table_info({table})")]
        for action in ("update", "delete"):
            trigger = lib.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                                       (f"{table}_undo_{action}",)).fetchone()[0]
            assert [c for c in columns if f"OLD.{c})" not in trigger and f"OLD.{c}," not in trigger] == [], trigger
