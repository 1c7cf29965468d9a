"""Restoring a backup into the open library, after a safety backup of what it holds now."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store import migrations
from annotator.store.backups import make_backup, verify_database
from annotator.store.library import Library
from annotator.store.sharing import is_library_file


def restore_backup(lib: Library, source: Path) -> Path:
    """Replace the open library's content with SOURCE (verified first); returns the safety backup made before."""
    if not source.is_file():
        raise AnnotatorError("no such backup file", source)
    if is_library_file(source, lib.path):
        raise AnnotatorError("this is the library itself, not a backup of it; choose a file in backups/", source)
    lib.ensure_shared()
    verify_database(source)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        version = src.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 or "sessions" not in tables:
            raise AnnotatorError("not an annotator library backup", source)
        migrations.check_not_newer(version, str(source))
        safety = make_backup(lib.conn, lib.path, "before-restore")
        src.backup(lib.conn)
    finally:
        src.close()
    if version < migrations.latest_version():
        migrations.apply_pending(lib.conn, version)
    return safety
