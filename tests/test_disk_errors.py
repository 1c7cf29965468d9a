"""Disk full and unwritable folders: a clear error, nothing half-written, the library still opens."""

from __future__ import annotations

import errno
import os
import sqlite3

import pytest

from annotator.cli import main
from annotator.store import exporting
from annotator.store.library import open_library
from tests.bench.generate import paper_list_text
from tests.conftest import DATA
from tests.store_helpers import build_small_library, dump


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        build_small_library(lib)
    return path


def test_disk_full_during_import_keeps_nothing_and_the_library_opens(db, tmp_path, capsys, monkeypatch):
    import annotator.store.library as library

    listing = tmp_path / "list.txt"
    listing.write_text(paper_list_text(2000), encoding="utf-8")
    with open_library(db) as lib:
        before = dump(lib)
        pages = lib.conn.execute("PRAGMA page_count").fetchone()[0]
    real_connect = library._connect

    def connect_with_a_full_disk(path, **options):
        conn = real_connect(path, **options)
        if options.get("read_only"):
            return conn
        conn.execute(f"PRAGMA max_page_count = {pages + 20}")  # SQLite's own "database or disk is full"
        return conn

    monkeypatch.setattr(library, "_connect", connect_with_a_full_disk)
    assert main(["--db", str(db), "import", str(listing), str(DATA / "unusual" / "bom.md")]) == 1
    err = capsys.readouterr().err
    assert f"error: {listing}: could not write to the library (database or disk is full)" in err
    monkeypatch.undo()
    with open_library(db) as lib:
        after = dump(lib)
        assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert after["papers"][: len(before["papers"])] == before["papers"]
    assert not any(row[1].startswith("Language") and "2000" in row[1] for row in after["papers"])
    assert len(after["sessions"]) == len(before["sessions"]) + 1  # the small file still fit


def fail_writes(monkeypatch, error: int):
    real_fdopen = os.fdopen

    class FailingFile:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(error, os.strerror(error))

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(exporting.os, "fdopen", lambda fd, mode: FailingFile(real_fdopen(fd, mode)))


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_export_write_failure_leaves_the_old_file_and_no_temp_files(db, tmp_path, capsys, monkeypatch, error):
    out = tmp_path / "site"
    out.mkdir()
    assert main(["--db", str(db), "export", "S0-L01", "--out", str(out)]) == 0
    capsys.readouterr()
    [target] = out.iterdir()
    old = target.read_bytes()
    assert main(["--db", str(db), "edit", "S0-L01", "--title", "A new title"]) == 0
    capsys.readouterr()
    fail_writes(monkeypatch, error)
    assert main(["--db", str(db), "export", "S0-L01", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: {target}: {os.strerror(error)}"
    assert target.read_bytes() == old
    assert [p.name for p in out.iterdir()] == [target.name]


def test_export_into_a_path_that_is_a_file_is_a_clean_error(db, tmp_path, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["--db", str(db), "export", "--all", "--out", str(blocker)]) == 1
    assert capsys.readouterr().err.strip() == f"error: {blocker}: not a folder"


def test_unchanged_export_does_not_rewrite_the_file(db, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["--db", str(db), "export", "--all", "--out", str(out), "--json"]) == 0
    assert {r["status"] for r in __import__("json").loads(capsys.readouterr().out)} == {"created"}
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    os.utime(next(iter(stamps)), ns=(1, 1))
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    assert main(["--db", str(db), "export", "--all", "--out", str(out)]) == 0
    assert capsys.readouterr().out.split()[::2] == ["unchanged", "unchanged"]
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_a_read_only_library_is_a_clean_error_and_stays_as_it_was(db, capsys, monkeypatch):
    import annotator.store.library as library

    before = db.read_bytes()

    def connect_read_only(path, **options):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    monkeypatch.setattr(library, "_connect", connect_read_only)  # as on a read-only mount
    assert main(["--db", str(db), "edit", "S0-L01", "--title", "Never written"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {db}: ") and "readonly" in err.replace("read-only", "readonly")
    assert db.read_bytes() == before
