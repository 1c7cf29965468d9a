"""Numbered SQL migrations from db/, applied at start-up in one transaction after a backup."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.resources_path import shipped_dir

_NUMBERED = re.compile(r"^(\d{3})_[\w\-]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def available_migrations(folder: Path | None = None) -> list[Migration]:
    """The migrations shipped with this version, in order."""
    folder = folder or shipped_dir("db")
    found = []
    for path in folder.iterdir():
        match = _NUMBERED.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), path))
    found.sort(key=lambda m: m.version)
    return found


def latest_version() -> int:
    """The schema version this code writes."""
    migrations = available_migrations()
    return migrations[-1].version if migrations else 0


def check_not_newer(version: int, path: str) -> None:
    """Refuse a library written by a newer annotator: it must stay byte-identical."""
    latest = latest_version()
    if version > latest:
        raise AnnotatorError(
            f"this library was written by a newer annotator (schema {version}; this version "
            f"knows up to {latest}); upgrade annotator to open it",
            path,
        )


def apply_pending(conn: sqlite3.Connection, current: int) -> int:
    """Apply every migration newer than CURRENT in one transaction; return the new version."""
    pending = [m for m in available_migrations() if m.version > current]
    if not pending:
        return current
    script = "".join(m.sql() + "\n" for m in pending)
    target = pending[-1].version
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;")
    except sqlite3.Error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return target
