"""Operations: every change to the library is one transaction, one undo step, one change summary.

Undo is stored in the library itself, so it survives a restart: while an operation runs,
`undo_capture` names a log, and triggers (db/001_initial.sql) append every row the operation
inserts, updates or deletes to `undo_entries`; rows inserted many at once (an import's) are
logged as one id range instead (`NewRows`). Undo replays that log backwards, capturing its own changes as the
redo log; redo does the same the other way round. Several operations can share a transaction
(`transaction`): an import of many files commits them together, each still its own undo step.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from annotator.errors import AnnotatorError
from annotator.store.library import Library

T = TypeVar("T")
MAX_HISTORY = 200
UNDOABLE_TABLES = (
    "courses", "sessions", "papers", "readings", "reading_videos", "teams", "paper_lists", "paper_list_items",
    "site_links", "site_bases", "site_removed",
)


@dataclass
class Changes:
    """What an operation changed, by row id, so that views refresh only that."""

    label: str = ""
    courses: set[int] = field(default_factory=set)
    sessions: set[int] = field(default_factory=set)
    papers: set[int] = field(default_factory=set)
    lists: set[int] = field(default_factory=set)
    teams: set[int] = field(default_factory=set)  # course ids whose roster changed
    op_id: int | None = None

    def is_empty(self) -> bool:
        return not (self.courses or self.sessions or self.papers or self.lists or self.teams)

    def to_json(self) -> str:
        return json.dumps({k: sorted(getattr(self, k)) for k in ("courses", "sessions", "papers", "lists", "teams")})

    @classmethod
    def from_json(cls, label: str, text: str, op_id: int | None = None) -> Changes:
        data = json.loads(text or "{}")
        return cls(label, *(set(data.get(k, ())) for k in ("courses", "sessions", "papers", "lists", "teams")), op_id=op_id)


@contextmanager
def write_transaction(conn: sqlite3.Connection, path: object = None) -> Iterator[None]:
    """BEGIN IMMEDIATE (so a second process waits for the lock), COMMIT, or ROLLBACK on any error."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        raise AnnotatorError("the library is locked by another process; try again", path) from None
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite has already rolled back after some errors (disk full)
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        # (busy, or disk full): the transaction stays open holding the write lock, and a later COMMIT on this
        # connection would keep what the caller was told was not kept
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _stored_next_log(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM settings WHERE key = 'undo.next_log'").fetchone()
    return int(row[0]) if row else 1


def _store_next_log(conn: sqlite3.Connection, log_id: int) -> None:
    conn.execute(
        "INSERT INTO settings (key, value) VALUES ('undo.next_log', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(log_id),),
    )


def _next_log_id(conn: sqlite3.Connection) -> int:
    log_id = _stored_next_log(conn)
    _store_next_log(conn, log_id + 1)
    return log_id


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TransactionLost(Exception):
    """SQLite rolled back the whole transaction by itself (after some disk errors): every operation in it is gone."""


class Transaction:
    """An open write transaction in which operations run one after another, each its own undo step."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.recorded = 0  # undo steps recorded so far
        self._next_log: int | None = None  # counted here, saved once at the end (`transaction`)

    def _log_id(self) -> int:
        if self._next_log is None:
            self._next_log = _stored_next_log(self.lib.conn)
        self._next_log += 1
        return self._next_log - 1

    def save_log_counter(self) -> None:
        """Write the next undo log id back to the settings table (before COMMIT)."""
        if self._next_log is not None:
            _store_next_log(self.lib.conn, self._next_log)

    def run(self, label: str, body: Callable[[sqlite3.Connection, Changes], T]) -> tuple[T, Changes]:
        """Run BODY(conn, changes) as one undoable operation; if it raises, only its own changes are undone.

        An operation that changed no row leaves no undo step.
        """
        conn = self.lib.conn
        changes = Changes(label)
        conn.execute("SAVEPOINT operation")
        try:
            log_id = self._log_id()
            conn.execute("INSERT INTO undo_capture (log_id) VALUES (?)", (log_id,))
            try:
                result = body(conn, changes)
            finally:
                if conn.in_transaction:
                    conn.execute("DELETE FROM undo_capture")
            if conn.execute("SELECT 1 FROM undo_entries WHERE log_id = ? LIMIT 1", (log_id,)).fetchone():
                self._record(log_id, changes)
        except BaseException as exc:
            if not conn.in_transaction:
                raise TransactionLost(str(exc)) from exc
            conn.execute("ROLLBACK TO operation")
            conn.execute("RELEASE operation")
            raise
        conn.execute("RELEASE operation")
        return result, changes

    def _record(self, log_id: int, changes: Changes) -> None:
        conn = self.lib.conn
        if not self.recorded:
            _drop_redo_stack(conn)  # a new step: what was undone can no longer be redone
        changes.op_id = conn.execute(
            "INSERT INTO operations (label, changes, state, log_id, created_at) VALUES (?, ?, 'done', ?, ?)",
            (changes.label, changes.to_json(), log_id, _now()),
        ).lastrowid
        self.recorded += 1


@contextmanager
def transaction(lib: Library) -> Iterator[Transaction]:
    """One write transaction for several operations: they are kept together, or none of them."""
    lib.ensure_shared()
    with write_transaction(lib.conn, lib.path):
        tx = Transaction(lib)
        yield tx
        tx.save_log_counter()
        if tx.recorded:
            _prune_history(lib.conn)


def run_operation(lib: Library, label: str, body: Callable[[sqlite3.Connection, Changes], T]) -> tuple[T, Changes]:
    """Run BODY(conn, changes) as one undoable operation in its own transaction; nothing is kept if it raises."""
    with transaction(lib) as tx:
        return tx.run(label, body)


class NewRows:
    """Rows inserted with ids assigned in advance: one executemany, logged for undo as one range.

    Each insert logs one 'R' entry, "rows FIRST..LAST were inserted", which undo turns into one
    DELETE, instead of one entry per row; the primary key makes every id of the range ours. The
    per-row undo triggers are paused for the insert (the other triggers, which index the rows
    for search, run as usual).
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def first_id(self, table: str) -> int:
        """The id the next row of TABLE gets."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """Insert ROWS (id first, consecutive ascending ids from `first_id`) and log them for undo as one range."""
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        if [row[0] for row in rows] != list(range(first, first + len(rows))):
            raise ValueError(f"{table}: new rows need consecutive ids")
        capture = self.conn.execute("SELECT log_id FROM undo_capture").fetchone()
        if capture is None:  # no operation is capturing: nothing to undo
            self._insert(table, columns, rows)
            return
        self.conn.execute("DELETE FROM undo_capture")
        try:
            self._insert(table, columns, rows)
        finally:
            if self.conn.in_transaction:
                self.conn.execute("INSERT INTO undo_capture (log_id) VALUES (?)", (capture[0],))
        self.conn.execute("INSERT INTO undo_entries (log_id, tbl, row_id, action, old) VALUES (?, ?, ?, 'R', ?)",
                          (capture[0], table, first, last))


    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        """INSERT ROWS with as few statements as SQLite's parameter limit allows.

        One statement for many rows, not one per row (executemany): FTS5 writes a new index
        segment at the end of each statement that its trigger touched, and merges them later,
        so a row at a time took three times as long to index.
        """
        per_statement = max(1, self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns))
        row_marks = f"({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), per_statement):
            some = rows[start:start + per_statement]
            self.conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row_marks] * len(some))}",
                              [value for row in some for value in row])


def _drop_redo_stack(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM undo_entries WHERE log_id IN (SELECT log_id FROM operations WHERE state = 'undone')")
    conn.execute("DELETE FROM operations WHERE state = 'undone'")


def _prune_history(conn: sqlite3.Connection) -> None:
    old = "SELECT id FROM operations ORDER BY id DESC LIMIT -1 OFFSET ?"
    conn.execute(f"DELETE FROM undo_entries WHERE log_id IN (SELECT log_id FROM operations WHERE id IN ({old}))", (MAX_HISTORY,))
    conn.execute(f"DELETE FROM operations WHERE id IN ({old})", (MAX_HISTORY,))


def _replay(conn: sqlite3.Connection, log_id: int) -> None:
    """Apply the inverse of each logged row change, newest first."""
    entries = conn.execute(
        "SELECT tbl, row_id, action, old FROM undo_entries WHERE log_id = ? ORDER BY id DESC", (log_id,)
    ).fetchall()
    for tbl, row_id, action, old in entries:
        if tbl not in UNDOABLE_TABLES:
            raise AnnotatorError(f"undo log names an unknown table {tbl!r}")
        if action == "I":
            conn.execute(f"DELETE FROM {tbl} WHERE id = ?", (row_id,))
            continue
        if action == "R":
            conn.execute(f"DELETE FROM {tbl} WHERE id BETWEEN ? AND ?", (row_id, int(old)))
            continue
        values = json.loads(old)
        columns = list(values)
        if action == "U":
            assignments = ", ".join(f"{c} = ?" for c in columns)
            conn.execute(f"UPDATE {tbl} SET {assignments} WHERE id = ?", [*values.values(), row_id])
        else:
            marks = ", ".join("?" for _ in columns)
            conn.execute(f"INSERT INTO {tbl} ({', '.join(columns)}) VALUES ({marks})", list(values.values()))


def _step(lib: Library, from_state: str, to_state: str, order: str, op_id: int | None) -> Changes | None:
    lib.ensure_shared()
    conn = lib.conn
    with write_transaction(conn, lib.path):
        op = conn.execute(
            f"SELECT id, label, changes, log_id FROM operations WHERE state = ? ORDER BY id {order} LIMIT 1",
            (from_state,),
        ).fetchone()
        if op is None:
            return None
        if op_id is not None and op["id"] != op_id:
            verb = "undo" if to_state == "undone" else "redo"
            raise AnnotatorError(f"cannot {verb} that step: the library changed since (another window or command)")
        conn.execute("PRAGMA defer_foreign_keys = ON")
        new_log = _next_log_id(conn)
        conn.execute("INSERT INTO undo_capture (log_id) VALUES (?)", (new_log,))
        try:
            _replay(conn, op["log_id"])
        finally:
            conn.execute("DELETE FROM undo_capture")
        conn.execute("DELETE FROM undo_entries WHERE log_id = ?", (op["log_id"],))
        conn.execute("UPDATE operations SET state = ?, log_id = ? WHERE id = ?", (to_state, new_log, op["id"]))
    return Changes.from_json(op["label"], op["changes"], op["id"])


def undo(lib: Library, op_id: int | None = None) -> Changes | None:
    """Undo the newest operation (only if it is OP_ID, when given); None when there is none."""
    return _step(lib, "done", "undone", "DESC", op_id)


def redo(lib: Library, op_id: int | None = None) -> Changes | None:
    """Redo the most recently undone operation; None when there is none."""
    return _step(lib, "undone", "done", "ASC", op_id)

