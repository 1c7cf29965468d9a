"""A read-only connection to the library for queries run off the GUI thread, and the errors reads and writes raise.

The app's layers above the store name these instead of sqlite3, so that only the store knows
the library is SQLite.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.store import sharing

Connection = sqlite3.Connection
# Any error of the library's database (locked, read-only, disk full, damaged), and its parent,
# which also covers an interrupted query.
DatabaseError = sqlite3.DatabaseError
LibraryError = sqlite3.Error


def open_read_only(path: Path, timeout_s: float) -> Connection:
    """A fresh read-only connection to the library at PATH, usable from any thread.

    A library that vanished is an error here, never a new empty file; `interrupt()` on it (from
    another thread) stops the query it runs.
    """
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sharing.connect(uri, Path(path), uri=True, timeout=timeout_s, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn
