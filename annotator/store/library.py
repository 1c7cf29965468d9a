"""Opening a library file: checks, pragmas, migrations, backups; and noticing when another program broke its locks.

A file is inspected through a read-only connection first, so that a file annotator refuses (another
application's database, a library from a newer annotator, a damaged file) is left byte-identical,
WAL and all. Only a file known to be ours is opened for writing.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import platformdirs

from annotator.errors import AnnotatorError
from annotator.store import backups, migrations, sharing
from annotator.store.sharing import SharingGuard

BUSY_TIMEOUT_MS = 15_000
# Pages of 8 KiB, not SQLite's 4: a paper's row is about 1 KB and a session keeps its whole post
# (about 8 KB), which in 4 KiB pages overflows into chains of pages.
PAGE_SIZE = 8192
_OUR_TABLES = {"courses", "sessions", "papers", "readings", "operations"}


def default_library_path() -> Path:
    """ANNOTATOR_DB if set, else library.sqlite in the user data folder."""
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("annotator", appauthor=False)) / "library.sqlite"


def _connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    options: dict = {"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None, "check_same_thread": False}
    if read_only:
        # A URI, so that a file name with '?' or '#' is still a file name.
        uri = Path(path).absolute().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
        conn = sharing.connect(uri, path, uri=True, **options)
    else:
        conn = sharing.connect(path, path, **options)
    conn.row_factory = sqlite3.Row
    return conn


def folder_is_read_only(folder: Path) -> bool:
    """True when nothing can be created in FOLDER (a read-only file system or folder)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def _read_only_folder_error(path: Path) -> AnnotatorError:
    return AnnotatorError(f"the folder {path.parent} is read-only, so annotator cannot write the library there; "
                          "copy the library to a writable folder, or use --db", path)


def _inspect(path: Path) -> tuple[int, set[str]]:
    """Read the schema version and table names through a read-only connection: the file, and its WAL, stay as they are."""
    immutable = folder_is_read_only(path.parent) and not path.with_name(path.name + "-wal").exists()
    try:
        conn = _connect(path, read_only=True, immutable=immutable)
    except sqlite3.Error as exc:
        raise AnnotatorError(f"cannot open the library: {exc}", path) from None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc):
            raise AnnotatorError(f"the library is damaged or truncated. {backups.restore_hint(path)}", path) from None
        if "unable to open" in str(exc) and folder_is_read_only(path.parent):
            raise _read_only_folder_error(path) from None
        raise AnnotatorError(f"not an annotator library: {exc}", path) from None
    finally:
        conn.close()
    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size) and path.stat().st_size < page_size * pages:
        raise AnnotatorError(f"the library is damaged or truncated. {backups.restore_hint(path)}", path)
    return version, tables


class SharingLost(AnnotatorError):
    """This process lost its locks on the library, or its -wal/-shm were replaced: the write was refused."""


class Library:
    """An open library: one SQLite connection plus where it lives."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, read_only: bool = False):
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self.sharing = SharingGuard(path, conn) if not read_only else None
        self.generation = 0  # counts reopens, so that views know their connection was replaced

    def close(self) -> None:
        self.conn.close()

    def data_version(self) -> int:
        """Changes when another connection commits (PRAGMA data_version): poll it to refresh."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def sharing_problem(self) -> str | None:
        """Why this connection can no longer safely share the library with other processes, or None."""
        return self.sharing.problem() if self.sharing is not None else None

    def ensure_shared(self) -> None:
        """Before a write: if the connection lost its share of the library, refuse this write (and reopen if it can)."""
        problem = self.sharing_problem()
        if problem:
            if self.reopen():
                raise SharingLost(f"{problem}; nothing was written, and the library was opened again with "
                                  "everything saved so far: please make that change again", self.path)
            raise SharingLost(f"{problem}; nothing was written. annotator opens the library again as soon as its "
                              "other work (an import, an export, a backup) has finished: make the change then", self.path)

    def reopen(self) -> bool:
        """Open the library again after its locks or side files were lost, keeping everything committed.

        False (and nothing done) while this process has another connection to the library: SQLite
        shares one set of locks among them, so a new connection would not take the lost locks again.
        """
        if sharing.other_connections(self.conn, self.path):
            return False
        if not _existing_file(self.path):  # (SQLite would start an empty library in its place)
            raise AnnotatorError("the library file is gone: it was moved or deleted while annotator had it open",
                                 self.path)
        try:
            with sharing.reader_in_another_process(self.path):
                self.conn.close()  # (not as the library's last connection: see reader_in_another_process)
        except OSError as exc:
            raise AnnotatorError(f"could not open the library again ({exc}); close annotator and start it again",
                                 self.path) from None
        conn = _connect(self.path)
        _set_pragmas(conn)
        self.conn, self.sharing = conn, SharingGuard(self.path, conn)
        self.generation += 1
        return True

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _set_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: a large import stays in memory until commit


def _existing_file(path: Path) -> bool:
    """True for a library file with content, False when there is none (missing, or 0 bytes); refuses anything else."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise AnnotatorError(f"cannot read the library: {exc.strerror}", path) from None
    if stat.S_ISDIR(info.st_mode):
        raise AnnotatorError("is a directory, not a library file", path)
    if not stat.S_ISREG(info.st_mode):
        raise AnnotatorError("is not a regular file (a device, a pipe or a socket), so it cannot be a library", path)
    return info.st_size > 0


def open_library(
    path: str | Path | None = None, *, create: bool = True, daily_backup: bool = True, read_only: bool = False
) -> Library:
    """Open the library at PATH (the default library when None), migrating an older one after a backup.

    CREATE: a new library may be made at PATH (only the app and commands that write may). READ_ONLY:
    the caller only reads, so a current library is opened without write access and no backup is made.
    Refuses, leaving every file untouched: anything but a regular file, a file that is not SQLite, a
    damaged file, another application's database, and a library from a newer annotator.
    """
    path = Path(path) if path is not None else default_library_path()
    exists = _existing_file(path)
    version, tables = _inspect(path) if exists else (0, set())
    migrations.check_not_newer(version, str(path))
    if version == 0 and tables:
        raise AnnotatorError("an SQLite database of another application, not an annotator library", path)
    if version > 0 and not tables >= _OUR_TABLES:
        raise AnnotatorError("not an annotator library (its tables are missing)", path)
    fresh = version == 0
    if fresh and not create:
        raise AnnotatorError(f"no library at {path}; import something, or open the app, to start one")
    if read_only and version == migrations.latest_version():
        if folder_is_read_only(path.parent):  # (a CD, a read-only mount: SQLite cannot make its -shm there)
            return _open_connection(path, lambda conn: None, read_only=True)
        # An ordinary connection that writes nothing: unlike a read-only one, it removes the -wal and -shm it
        # made when it closes, and it sees what other processes write while it reads.
        return _open_connection(path, _set_pragmas)
    if fresh and not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if folder_is_read_only(path.parent.parent if not path.parent.exists() else path.parent):
                raise _read_only_folder_error(path) from None
            raise AnnotatorError(f"cannot create the library folder: {exc.strerror}", path) from None
    if folder_is_read_only(path.parent):
        raise _read_only_folder_error(path)

    def prepare(conn: sqlite3.Connection) -> None:
        if fresh:  # (fixed when the first page is written: by journal_mode below)
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        _set_pragmas(conn)
        if version < migrations.latest_version():
            if version > 0:
                backups.make_backup(conn, path, f"before-v{migrations.latest_version()}")
            migrations.apply_pending(conn, version)
        elif daily_backup:
            backups.daily_backup_if_due(conn, path)

    return _open_connection(path, prepare)


def _open_connection(path: Path, prepare: Callable[[sqlite3.Connection], None], *, read_only: bool = False) -> Library:
    """Connect to PATH and run PREPARE(conn), turning SQLite's errors into one line that names the library."""
    try:
        immutable = read_only and not path.with_name(path.name + "-wal").exists()  # (nobody can be writing it)
        conn = _connect(path, read_only=read_only, immutable=immutable)
    except sqlite3.Error as exc:
        raise AnnotatorError(f"cannot open the library: {exc}", path) from None
    try:
        prepare(conn)
        if read_only:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
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
        raise AnnotatorError(f"the library is damaged ({exc}). {backups.restore_hint(path)}", path) from None
    return Library(conn, path, read_only=read_only)


def database_problem(exc: sqlite3.DatabaseError, path: Path | None = None) -> str:
    """What a user can do about an SQLite error of the library at PATH, in one line."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the library is locked by another process; try again"
    if "readonly" in text or "read-only" in text:
        return "the library is read-only here (attempt to write a readonly database); nothing was changed"
    if "full" in text:
        return "the disk is full (database or disk is full); nothing was changed"
    if isinstance(exc, sqlite3.OperationalError):
        return f"library: {text}"
    hint = backups.restore_hint(path) if path is not None else "Restore a backup with: annotator restore FILE"
    return f"the library is damaged ({text}). {hint}"
