"""The library's side of a linked site: which course is linked to which folder, and each session's sync base.

These are rows of the library (db/006_site_sync.sql), written inside the operations whose import
or export they belong to, so that undo takes back the rows and the bases together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store.exporting import render_stored_session
from annotator.store.library import Library
from annotator.store.operations import Changes, run_operation


@dataclass(slots=True, frozen=True)
class Link:
    """A course linked to its site folder."""

    course_id: int
    course: str
    folder: Path


@dataclass(slots=True, frozen=True)
class Base:
    """A session's sync base: the text last read from or written to PATH (relative to the site folder)."""

    session_id: int
    code: str
    path: str
    text: str
    size: int
    mtime_ns: int
    app_edited: bool
    written: bool  # annotator wrote the text to the file (else it read it from there)

    @property
    def fingerprint(self) -> Fingerprint:
        """The file's fingerprint when it held this text."""
        return Fingerprint(self.size, self.mtime_ns)


@dataclass(slots=True, frozen=True)
class Fingerprint:
    """A file's size and modification time, taken before its text was read: if either differs later, read it again."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | Path) -> Fingerprint:
        """PATH's fingerprint, or one that matches nothing when it cannot be read."""
        try:
            st = os.stat(path)
        except OSError:
            return cls(-1, -1)
        return cls(st.st_size, st.st_mtime_ns)


def linked_course(conn: sqlite3.Connection, course: str | None) -> Link:
    """The linked course named COURSE; without a name, the only linked course (else an error listing them)."""
    links = course_links(conn)
    if course is not None:
        links = [link for link in links if link.course == course]
        if not links:
            raise AnnotatorError(f"course {course!r} is not linked to a site; link it with `annotator site link {course} PATH`")
    elif not links:
        raise AnnotatorError("no course is linked to a site; link one with `annotator site link COURSE PATH`")
    elif len(links) > 1:
        raise AnnotatorError(f"several courses are linked to sites; say which one: {', '.join(k.course for k in links)}")
    return links[0]


def course_links(conn: sqlite3.Connection) -> list[Link]:
    """Every linked course, by name."""
    return [Link(row[0], row[1], Path(row[2])) for row in conn.execute(
        "SELECT l.id, c.name, l.folder FROM site_links l JOIN courses c ON c.id = l.id ORDER BY c.name")]


def bases(conn: sqlite3.Connection, course_id: int) -> list[Base]:
    """The sync bases of COURSE_ID's sessions."""
    return [Base(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), bool(row[7])) for row in conn.execute(
        "SELECT b.id, s.code, b.path, b.text, b.size, b.mtime_ns, b.app_edited, b.written FROM site_bases b "
        "JOIN sessions s ON s.id = b.id WHERE s.course_id = ? ORDER BY b.path", (course_id,))]


def set_link(conn: sqlite3.Connection, course_id: int, folder: Path, changes: Changes) -> None:
    """Remember FOLDER as COURSE_ID's site (in an operation)."""
    conn.execute("INSERT INTO site_links (id, folder, linked_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
                 "SET folder = excluded.folder, linked_at = excluded.linked_at",
                 (course_id, str(folder), dt.datetime.now().isoformat(timespec="seconds")))
    changes.courses.add(course_id)


def text_hash(text: str) -> str:
    """The hash a sync base keeps of its text (sha256 of its UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def removed_posts(conn: sqlite3.Connection, course_id: int) -> dict[str, str]:
    """Path -> text hash of the posts whose sessions were deleted in the app (db/007)."""
    return {row[0]: row[1] for row in conn.execute("SELECT path, hash FROM site_removed WHERE course_id = ?",
                                                   (course_id,))}


def set_base(conn: sqlite3.Connection, session_id: int, path: str, text: str, seen: Fingerprint, *,
             written: bool, edited: bool = False) -> None:
    """Record TEXT as the session's sync base at PATH (in an operation): WRITTEN by annotator or read from the
    file; EDITED when the library's export differs from it."""
    digest = text_hash(text)
    conn.execute("INSERT INTO site_bases (id, path, text, hash, size, mtime_ns, app_edited, written) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET path = excluded.path, "
                 "text = excluded.text, hash = excluded.hash, size = excluded.size, mtime_ns = excluded.mtime_ns, "
                 "app_edited = excluded.app_edited, written = excluded.written",
                 (session_id, path, text, digest, seen.size, seen.mtime_ns, int(edited), int(written)))


def set_imported_base(conn: sqlite3.Connection, session_id: int, path: str, seen: Fingerprint,
                      written: bool = False) -> None:
    """Record the text the import just read as the session's base (WRITTEN: a merge annotator wrote first).

    A re-import keeps what the app added where the file has none (a team the file lost, say),
    so the library's export can differ from the file: then the session stays marked edited, and
    status shows it as changed in the app rather than hiding the difference.
    """
    text = stored_text(conn, session_id)
    if text is None:  # (a kind without a lossless text: never a post, but say it is edited)
        set_base(conn, session_id, path, "", seen, written=written, edited=True)
        return
    try:
        edited = render_stored_session(conn, session_id)[1] != text
    except AnnotatorError:
        edited = True
    set_base(conn, session_id, path, text, seen, written=written, edited=edited)


def stored_text(conn: sqlite3.Connection, session_id: int) -> str | None:
    """The text the library last imported for a session (what the import parsed)."""
    row = conn.execute("SELECT original_text FROM sessions WHERE id = ?", (session_id,)).fetchone()
    return row[0] if row else None


def unlink(lib: Library, course: str) -> tuple[Changes, None]:
    """Forget COURSE's site folder and its sessions' sync bases (one operation; the library keeps its sessions)."""
    link = linked_course(lib.conn, course)

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        conn.execute("DELETE FROM site_bases WHERE id IN (SELECT id FROM sessions WHERE course_id = ?)", (link.course_id,))
        conn.execute("DELETE FROM site_links WHERE id = ?", (link.course_id,))
        changes.courses.add(link.course_id)

    _, changes = run_operation(lib, f"Unlink {link.course} from its site", body)
    return changes, None
