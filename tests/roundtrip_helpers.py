"""Round trips through the store: export a session, import the post into a fresh library, compare.

Reusable by any test (a property test can feed them generated notes, teams and videos):
`round_trip(lib, session_id, folder)` exports and re-imports and returns (post text, the session
as the second library shows it); `assert_round_trip` also checks that the values come back and
that exporting the re-import writes the same bytes. Notes come back as `notes_as_written` says.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from annotator.formats.post_writer import same_value
from annotator.store import queries
from annotator.store.exporting import export_sessions
from annotator.store.importing import import_paths
from annotator.store.library import Library, open_library


def import_post_text(lib: Library, folder: Path, text: str, name: str = "S9.md") -> int:
    """Import TEXT, written byte for byte as FOLDER/site/NAME, into course C; the new session's id."""
    path = folder / "site" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    [result], _ = import_paths(lib, [path], course="C")
    assert result.error == ""
    return queries.resolve_session(lib.conn, f"C/{path.stem}")


def notes_as_written(notes: str) -> str:
    """What NOTES come back as from a post: their lines (split at `\\n`, `\\r\\n`, `\\r` only) joined
    with `\\n`, blank lines at both ends dropped; nothing else changes. (Written out here rather
    than taken from the writer, so that it states what the writer must do.)"""
    rows = re.split(r"\r\n|\r|\n", notes)
    while rows and not rows[0].strip():
        rows.pop(0)
    while rows and not rows[-1].strip():
        rows.pop()
    return "\n".join(rows)


def annotations(detail: dict[str, Any]) -> list[tuple[str, str, list[str], str]]:
    """(title, team, videos, notes as written) of each reading of a session_detail."""
    return [(r["title"], r["team"], r["videos"], notes_as_written(r["notes"])) for r in detail["readings"]]


def export_one(lib: Library, session_id: int, folder: Path) -> Path:
    """Export SESSION_ID into FOLDER; the written file."""
    [result] = export_sessions(lib.conn, [session_id], folder)
    return Path(result.path)


def round_trip(lib: Library, session_id: int, folder: Path) -> tuple[str, dict[str, Any]]:
    """(post text, session detail after importing it into a new library in FOLDER)."""
    path = export_one(lib, session_id, folder / "first")
    detail = queries.session_detail(lib.conn, session_id)
    with open_library(folder / "again.sqlite") as again:
        [result], _ = import_paths(again, [path], course=detail["course"])
        assert result.error == "", result.error
        again_id = queries.resolve_session(again.conn, f"{detail['course']}/{detail['id']}")
        return path.read_bytes().decode("utf-8"), queries.session_detail(again.conn, again_id)


def assert_round_trip(lib: Library, session_id: int, folder: Path) -> str:
    """Export SESSION_ID, import it again: the same annotations and front matter; exporting the
    re-imported session writes the same bytes. Returns the post text."""
    text, again = round_trip(lib, session_id, folder)
    before = queries.session_detail(lib.conn, session_id)
    assert annotations(again) == annotations(before)
    assert same_value(again["front_matter"], before["front_matter"])  # ('' is written `key: `, read as None)
    with open_library(folder / "again.sqlite") as second:
        again_id = queries.resolve_session(second.conn, f"{again['course']}/{again['id']}")
        path = export_one(second, again_id, folder / "second")
    assert path.read_bytes() == text.encode("utf-8")
    return text
