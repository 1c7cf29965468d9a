"""Opening a library file: checks, pragmas, migrations, backups."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import platformdirs
import sqlite_utils

from annotator.errors import AnnotatorError
from annotator.store import backups, migrations

BUSY_TIMEOUT_MS = 15_000
# Pages of 8 KiB, not SQLite's 4: a paper's row is about 1 KB and a session keeps its whole post
# (about 8 KB), which in 4 KiB pages overflows into chains of pages. A large import writes half
# as many pages (to the WAL, then the file) and spends a quarter less time in the kernel.
PAGE_SIZE = 8192
_OUR_TABLES = {"courses", "sessions", "papers", "readings", "operations"}


def default_library_path() -> Path:
    """ANNOTATOR_DB if set, else library.sqlite in the user data folder."""
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("annotator", appauthor=False)) / "library.sqlite"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    return conn


def _inspect(conn: sqlite3.Connection, path: Path) -> tuple[int, set[str]]:
    """Read the schema version and table names without writing a byte."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc):
            raise AnnotatorError("library file is damaged or truncated; restore a backup", path) from None
        raise AnnotatorError(f"not an annotator library: {exc}", path) from None
    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size) and path.stat().st_size < page_size * pages:
        raise AnnotatorError("library file is damaged or truncated; restore a backup", path)
    return version, tables


class Library:
    """An open library: one SQLite connection plus where it lives."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        self.conn.close()

    def data_version(self) -> int:
        """Changes when another connection commits (PRAGMA data_version): poll it to refresh."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_library(path: str | Path | None = None, *, create: bool = True, daily_backup: bool = True) -> Library:
    """Open (creating if needed) the library at PATH, migrating it after a backup.

    Refuses, leaving the file untouched: a file that is not SQLite, a truncated DB, another
    application's DB, and a library from a newer annotator.
    """
    path = Path(path) if path is not None else default_library_path()
    if path.is_dir():
        raise AnnotatorError("is a directory, not a library file", path)
    fresh = not path.exists() or path.stat().st_size == 0
    if fresh:
        if not create:
            raise AnnotatorError("no such library", path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AnnotatorError(f"cannot create the library folder: {exc.strerror}", path) from None
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise AnnotatorError(f"cannot open the library: {exc}", path) from None
    try:
        version, tables = _inspect(conn, path)
        migrations.check_not_newer(version, str(path))
        if version == 0 and tables:
            raise AnnotatorError("an SQLite database of another application, not an annotator library", path)
        if version > 0 and not tables >= _OUR_TABLES:
            raise AnnotatorError("not an annotator library (its tables are missing)", path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if fresh:  # (fixed when the first page is written: by journal_mode below)
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: a large import stays in memory until commit
        if version < migrations.latest_version():
            if version > 0:
                backups.make_backup(conn, path, f"before-v{migrations.latest_version()}")
            migrations.apply_pending(conn, version)
        elif daily_backup:
            backups.daily_backup_if_due(conn, path)
    except AnnotatorError:
        conn.close()
        raise
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise AnnotatorError("library is locked by another process; try again", path) from None
        raise AnnotatorError(f"cannot open the library: {exc}", path) from None
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise AnnotatorError(f"library is damaged: {exc}", path) from None
    return Library(conn, path)


def database_problem(exc: sqlite3.DatabaseError) -> str:
    """What a user can do about an SQLite error, in one line."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the library is locked by another process; try again"
    if "readonly" in text or "read-only" in text:
        return "the library is read-only here (attempt to write a readonly database); nothing was changed"
    if "full" in text:
        return "the disk is full (database or disk is full); nothing was changed"
    if isinstance(exc, sqlite3.OperationalError):
        return f"library: {text}"
    return f"the library is damaged: {text}; restore a backup (annotator restore FILE)"
