"""Rotating, verified backups of the library, made with SQLite's online backup API."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError

DEFAULT_KEEP = 10
KEEP_SETTING = "backups.keep"


def backup_dir(db_path: Path) -> Path:
    """Backups sit in a `backups` folder beside the library file."""
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[Path]:
    """This library's backups (not those of `library-old.sqlite` beside it), oldest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    own = re.compile(rf"{re.escape(db_path.stem)}-\d{{8}}-\d{{6}}-\d{{6}}-[\w.-]+\.sqlite")
    return sorted(p for p in folder.iterdir() if own.fullmatch(p.name))


def keep_count(conn: sqlite3.Connection) -> int:
    """How many backups to keep: the library's setting, else ANNOTATOR_BACKUP_KEEP, else 10."""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (KEEP_SETTING,)).fetchone()
    except sqlite3.OperationalError:  # before the first migration there is no settings table
        row = None
    value = row[0] if row else os.environ.get("ANNOTATOR_BACKUP_KEEP", DEFAULT_KEEP)
    try:
        return max(1, int(value))
    except ValueError:
        return DEFAULT_KEEP


def verify_database(path: Path) -> None:
    """Raise AnnotatorError unless PATH passes SQLite's integrity_check."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise AnnotatorError(f"not a usable SQLite database ({exc})", path) from None
    if result != "ok":
        raise AnnotatorError(f"integrity check failed: {result}", path)


def make_backup(conn: sqlite3.Connection, db_path: Path, reason: str) -> Path:
    """Copy the open library to a new timestamped file, verify it, and drop the oldest extras."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{db_path.stem}-{stamp}-{reason}.sqlite"
    partial = dest.with_suffix(".partial")
    try:
        target = sqlite3.connect(partial)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file, no -wal/-shm
        finally:
            target.close()
        try:
            verify_database(partial)
        except AnnotatorError as exc:  # a faithful copy of a damaged library fails the check: say so of the library
            raise AnnotatorError(f"the library is damaged ({exc.reason}); nothing was changed. {restore_hint(db_path)}",
                                 db_path) from None
        os.replace(partial, dest)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise AnnotatorError(f"could not write a backup: {exc}", dest) from None
    except AnnotatorError:
        partial.unlink(missing_ok=True)
        raise
    for old in list_backups(db_path)[: -keep_count(conn)]:
        old.unlink(missing_ok=True)
    return dest


def restore_hint(db_path: Path) -> str:
    """How to get the library back from its newest backup, in one sentence."""
    newest = list_backups(db_path)[-1:]
    if newest:
        return f"Restore its newest backup with: annotator restore {newest[0]}"
    return f"There is no backup in {backup_dir(db_path)}; restore one with: annotator restore FILE"


def daily_backup_due(db_path: Path) -> bool:
    """True when no backup of this library was made today."""
    today = dt.date.today().strftime("%Y%m%d")
    return not any(p.name.startswith(f"{db_path.stem}-{today}") for p in list_backups(db_path))


def daily_backup_if_due(conn: sqlite3.Connection, db_path: Path) -> Path | None:
    """Back up a library that holds anything, once a day; the backup's path, or None."""
    if not daily_backup_due(db_path):
        return None
    has_data = conn.execute("SELECT EXISTS (SELECT 1 FROM sessions UNION ALL SELECT 1 FROM papers)").fetchone()[0]
    return make_backup(conn, db_path, "daily") if has_data else None


def set_keep_count(conn: sqlite3.Connection, keep: int) -> None:
    """Remember how many backups to keep for this library."""
    if keep < 1:
        raise AnnotatorError("keep at least one backup")
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (KEEP_SETTING, str(keep)),
    )

