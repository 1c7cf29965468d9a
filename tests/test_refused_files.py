"""Refused or read-only means untouched: what annotator will not open, or only reads, stays byte-identical.

Each case runs the real command in its own process (SQLite's checkpoint-on-close happens there)
and compares the digests of every file in the folder before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.store import migrations
from annotator.store.library import PAGE_SIZE, open_library
from tests.store_helpers import build_small_library


def run(db: Path | str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`annotator --db DB ARGS` of this checkout (not the installed one, which a folder other than the
    checkout's would get), run in CWD."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run([sys.executable, "-m", "annotator", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def digests(folder: Path) -> dict[str, str]:
    """Every file below FOLDER and the first 12 hex digits of its SHA-256 (these are not library files of a live process)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in sorted(folder.rglob("*")) if p.is_file()}


def killed_writer(db: Path, script: str) -> None:
    """Run SCRIPT on a WAL connection to DB in a child that dies without closing: its -wal stays uncheckpointed."""
    code = (f"import os, sqlite3\nc = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode = WAL'); c.execute('PRAGMA wal_autocheckpoint = 0')\n"
            f"{script}\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def another_applications_wal_database(folder: Path) -> Path:
    db = folder / "other.sqlite"
    killed_writer(db, "c.execute('CREATE TABLE notes (x)'); c.execute(\"INSERT INTO notes VALUES ('theirs')\")")
    return db


def newer_library_with_a_wal(folder: Path) -> Path:
    db = folder / "newer.sqlite"
    with open_library(db) as lib:
        build_small_library(lib)
    killed_writer(db, f"c.execute('PRAGMA user_version = {migrations.latest_version() + 1}')")
    return db


COMMANDS = [("sessions",), ("show", "S0-L01"), ("papers",), ("search", "x"), ("export", "--all", "--out", "out"),
            ("new-session", "C/S9", "--title", "T"), ("import", "post.md")]


@pytest.mark.parametrize("make, message", [
    (another_applications_wal_database, "an SQLite database of another application"),
    (newer_library_with_a_wal, "newer"),
])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_refused_database_and_its_uncheckpointed_wal_stay_byte_identical(tmp_path, make, message, command):
    db = make(tmp_path)
    (tmp_path / "post.md").write_text("---\ntitle: T\n---\n", encoding="utf-8")
    assert db.with_name(db.name + "-wal").stat().st_size > 0
    before = digests(tmp_path)
    result = run(db, *command, cwd=tmp_path)
    assert result.returncode == 1 and message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    after = digests(tmp_path)
    after.pop(db.name + "-shm", None), before.pop(db.name + "-shm", None)  # (the WAL's index, rebuilt from the WAL)
    assert after == before


@pytest.mark.parametrize("command", COMMANDS[:5], ids=lambda c: c[0])
@pytest.mark.parametrize("kind", ["empty file", "SQLite without tables", "folder that does not exist"])
def test_reading_commands_create_no_library(tmp_path, kind, command):
    db = tmp_path / "library.sqlite"
    if kind == "empty file":
        db.write_bytes(b"")
    elif kind == "SQLite without tables":
        sqlite3.connect(db).execute("PRAGMA user_version = 0").connection.execute("VACUUM").connection.close()
    else:
        db = tmp_path / "missing" / "library.sqlite"
    before = digests(tmp_path)
    result = run(db, *command, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"error: no library at {db}; import something, or open the app, to start one\n"
    assert digests(tmp_path) == before and not (tmp_path / "missing").exists() and not (tmp_path / "out").exists()


def test_a_writing_command_starts_a_library_in_an_empty_file(tmp_path):
    db = tmp_path / "library.sqlite"
    db.write_bytes(b"")
    assert run(db, "new-session", "C/S1", "--title", "First").returncode == 0
    assert "First" in run(db, "sessions").stdout


@pytest.mark.parametrize("target", ["/dev/null", "fifo"])
def test_anything_but_a_regular_file_is_refused(tmp_path, target):
    if target == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    journal = Path(f"{target}-journal")
    journal_before = journal.exists()  # (an older annotator may have left /dev/null-journal behind)
    for command in (("sessions",), ("new-session", "C/S1", "--title", "T")):
        result = run(target, *command)
        assert result.returncode == 1
        assert result.stderr == (f"error: {target}: is not a regular file (a device, a pipe or a socket), "
                                 "so it cannot be a library\n")
    assert journal.exists() == journal_before


def test_reading_commands_make_no_daily_backup_and_do_not_look_like_a_change(tmp_path):
    db = tmp_path / "library.sqlite"
    with open_library(db, daily_backup=False) as lib:
        build_small_library(lib)
    with open_library(db, daily_backup=False) as app:  # the window, open meanwhile
        seen = app.data_version()
        before = digests(tmp_path)
        for command in COMMANDS[:4]:
            assert run(db, *command).returncode == 0
        assert not (tmp_path / "backups").exists()
        assert app.data_version() == seen
        assert run(db, "backup").returncode == 0  # a backup asked for: written, and still no change to the library
        assert app.data_version() == seen
    assert digests(tmp_path)["library.sqlite"] == before["library.sqlite"]


def damage_a_page(db: Path, page: int) -> None:
    with open(db, "r+b") as handle:  # (no live connection of this process has the library open)
        handle.seek(PAGE_SIZE * page)
        handle.write(bytes(range(256)) * (PAGE_SIZE // 256))


def test_a_damaged_library_is_named_with_how_to_restore_it(tmp_path):
    db = tmp_path / "library.sqlite"
    with open_library(db) as lib:
        build_small_library(lib)
    assert run(db, "import", *[str(p) for p in _posts(tmp_path, 40)]).returncode == 0
    shutil.rmtree(tmp_path / "backups")  # so that the daily backup is due again
    damage_a_page(db, 3)
    for command in (("new-session", "C/S99", "--title", "T"), ("papers",)):
        result = run(db, *command)
        assert result.returncode == 1 and result.stderr.count("\n") == 1
        assert result.stderr.startswith(f"error: {db}: the library is damaged"), result.stderr
        assert "annotator restore" in result.stderr and ".partial" not in result.stderr
    assert not list((tmp_path / "backups").glob("*.partial"))


def _posts(folder: Path, count: int) -> list[Path]:
    posts = folder / "posts"
    posts.mkdir()
    for number in range(count):
        (posts / f"S{number}.md").write_text(
            f"---\ntitle: Session {number}\n---\n\n## Readings\n\n- [Paper {number}](https://arxiv.org/abs/2401.{number:05d})\n",
            encoding="utf-8")
    return sorted(posts.iterdir())


def read_only_mount(folder: Path, command: list[str]) -> subprocess.CompletedProcess:
    """Run COMMAND with FOLDER bind-mounted read-only, in a user and mount namespace of its own."""
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && exec "$@"'
    return subprocess.run(["unshare", "-Urm", "sh", "-c", script, "sh", *command], capture_output=True, text=True,
                          timeout=60)


def test_on_a_read_only_file_system_reading_works_and_writing_names_the_folder(tmp_path):
    if not shutil.which("unshare") or read_only_mount(tmp_path, ["true"]).returncode != 0:
        pytest.skip("cannot make a read-only mount here (needs unshare and user namespaces)")
    db = tmp_path / "library.sqlite"
    with open_library(db) as lib:
        build_small_library(lib)
    before = digests(tmp_path)
    cli = [sys.executable, "-m", "annotator", "--db", str(db)]
    listed = read_only_mount(tmp_path, [*cli, "sessions"])
    assert listed.returncode == 0 and "Transformers" in listed.stdout, listed.stderr
    written = read_only_mount(tmp_path, [*cli, "new-session", "C/S9", "--title", "T"])
    assert written.returncode == 1
    assert written.stderr == (f"error: {db}: the folder {tmp_path} is read-only, so annotator cannot write the library "
                              "there; copy the library to a writable folder, or use --db\n")
    fresh = read_only_mount(tmp_path, [*cli[:-1], str(tmp_path / "new.sqlite"), "new-session", "C/S9", "--title", "T"])
    assert fresh.returncode == 1 and "is read-only" in fresh.stderr
    assert digests(tmp_path) == before
