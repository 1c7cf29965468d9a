"""Sharing the library with other processes safely: never open its files, and notice when its locks were lost.

SQLite's locks on a file are POSIX advisory locks, which belong to the process, not to a
descriptor: when *any* descriptor of the library's files is closed in this process (a file
dialog sniffing a file's type, a hash, a copy), every lock SQLite holds on that file is gone,
though SQLite does not know. Another process that closes the library then believes it was the
last one, and deletes the `-wal` and `-shm` files this process still uses: from then on the two
no longer see each other's writes, and what this process writes is lost when it closes.

So annotator opens the library's files through SQLite only (`is_library_file` lets the import
and restore paths refuse them before they are read), and, as a second line of defence, each
open library carries a `SharingGuard` that is asked before every write and on every poll of
the app: have the `-wal` and `-shm` this connection uses been removed or replaced, or does this
process hold no lock on them any more?
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOCKS_TABLE = Path("/proc/locks")  # Linux: every POSIX lock, with the holder's pid and the file's inode
SIDE_FILES = ("-wal", "-shm", "-journal")


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of PATH, or None when there is no such file (a stat, which opens nothing)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def library_files(library: Path) -> list[Path]:
    """The library file and the side files SQLite keeps beside it."""
    return [library, *(library.with_name(library.name + suffix) for suffix in SIDE_FILES)]


def library_file_test(library: Path) -> Callable[[str | Path], bool]:
    """A test telling whether a path is LIBRARY or one of its side files (by identity: links and other names count)."""
    own = {identity for identity in map(_identity, library_files(library)) if identity is not None}
    return lambda candidate: _identity(Path(candidate)) in own


def is_library_file(candidate: str | Path, library: Path) -> bool:
    """True when CANDIDATE is the library or one of its side files."""
    return library_file_test(library)(candidate)


def _inodes_locked_by(pid: int) -> set[int] | None:
    """The inodes on which process PID holds a POSIX lock, or None where the system does not list them."""
    try:
        text = LOCKS_TABLE.read_text()
    except OSError:
        return None
    inodes = set()
    for line in text.split("\n"):
        fields = line.split()
        # "1: POSIX  ADVISORY  READ 5329 08:01:1234 128 128"; waiters are listed as "1: -> POSIX ..."
        if len(fields) >= 6 and fields[1] == "POSIX" and fields[4] == str(pid):
            inodes.add(int(fields[5].rsplit(":", 1)[-1]))
    return inodes


class TrackedConnection(sqlite3.Connection):
    """An SQLite connection that counts itself among this process's open connections to its library file.

    SQLite keeps one set of locks per file per process, shared by all of the process's connections
    to it: the locks of a connection reopened while another is open are not taken again. So a
    library is reopened only when it has no other open connection here (`other_connections`).
    """

    def close(self) -> None:
        with _registry_lock:
            for live in _open.values():
                live.discard(self)
        super().close()


_registry_lock = threading.Lock()
_open: dict[tuple[int, int], weakref.WeakSet[TrackedConnection]] = {}


def connect(database: str | Path, library: Path, **options: Any) -> TrackedConnection:
    """sqlite3.connect(DATABASE, **OPTIONS) for the library at LIBRARY, counted until it is closed."""
    conn = sqlite3.connect(database, factory=TrackedConnection, **options)
    identity = _identity(library)
    if identity is not None:
        with _registry_lock:
            _open.setdefault(identity, weakref.WeakSet()).add(conn)
    return conn


# A reader in a process of its own, holding the shared lock that every open connection in WAL mode holds.
_READER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], uri=True, timeout=15)
conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
print("ready", flush=True)
sys.stdin.read()
"""


@contextmanager
def reader_in_another_process(library: Path) -> Iterator[None]:
    """While this lasts, another process has the library open, so no connection here can close as its last one.

    A connection that lost its locks, or whose -wal was replaced, would otherwise close as if it were
    the library's last: checkpoint its old WAL into the file and delete the -wal by name, which may
    now be another process's. (SQLite's own switch for that, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, is not
    reachable from Python before 3.12.) It must be another process: a second connection of this one
    would share the lost locks and the stale WAL index.
    """
    uri = library.absolute().as_uri() + "?mode=ro"
    reader = subprocess.Popen([sys.executable, "-c", _READER, uri], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        if reader.stdout.readline().strip() != "ready":
            raise OSError("could not open the library in a second process")
        yield
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)


def other_connections(conn: sqlite3.Connection, library: Path) -> int:
    """How many connections to LIBRARY besides CONN this process has open."""
    with _registry_lock:
        return sum(1 for other in _open.get(_identity(library), ()) if other is not conn)


class SharingGuard:
    """Remembers which `-wal` and `-shm` files an open connection uses, and tells when that is no longer so."""

    def __init__(self, library: Path, conn: sqlite3.Connection):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a read opens the -wal and -shm
        wal = library.with_name(library.name + "-wal")
        shm = library.with_name(library.name + "-shm")
        self._seen = {path: _identity(path) for path in (wal, shm)}
        # In WAL mode a connection holds a shared lock on the library file and one on its -shm for as long as
        # it is open: a process that finds none on the library file believes it is the last and deletes the WAL.
        self._locked_inodes = {identity[1] for identity in (_identity(library), self._seen[shm]) if identity}
        if len(self._locked_inodes) < 2 or not self._locks_held():
            # Where the system does not list them, or lists other inode numbers than stat() gives (some
            # overlay file systems), lost locks cannot be seen: only a removed or replaced file can.
            self._locked_inodes = set()

    def _locks_held(self) -> bool:
        locked = _inodes_locked_by(os.getpid()) if sys.platform.startswith("linux") else None
        return locked is None or self._locked_inodes <= locked

    def problem(self) -> str | None:
        """One line saying how this connection lost its share of the library, or None while all is well."""
        for path, seen in self._seen.items():
            if seen is not None and _identity(path) != seen:
                return f"another program removed or replaced {path.name} while this window had the library open"
        if self._locked_inodes and not self._locks_held():
            return "this process lost its locks on the library (a program opened and closed one of its files)"
        return None
