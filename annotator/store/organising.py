"""Organising the library: rename a course or a paper list, move a session to another course, delete a list.

Each public function is one Operation and returns (Changes, None), as the edits of editing.py do.

A course linked to its site (site/) is known to the sync by its row id, and each of its sessions
by the session's id and sync base (site_bases): renaming the course changes neither, so the next
sync sees nothing new. Moving a session that has a base out of its course would: the site's post
of it would no longer belong to any session of the course, and the next sync would import it
again as a new session. Such a move is refused (`move_session`). A session without a base (never
synced) moves freely; moved into a linked course, it is "new in the app" there, as a session made
in that course is, and the next sync writes its post (never over a post already there).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.line_values import one_line_problem
from annotator.store.editing import _operation, _quoted, ensure_course
from annotator.store.library import Library
from annotator.store.operations import Changes


def _new_name(what: str, name: str) -> str:
    """NAME stripped, if a course or list (WHAT) can be called so; else AnnotatorError."""
    name = name.strip()
    if not name:
        raise AnnotatorError(f"a {what} needs a name")
    problem = one_line_problem(name)
    if problem:
        raise AnnotatorError(f"the {what} name {name!r} {problem}")
    return name


def _named_row(conn: sqlite3.Connection, table: str, what: str, row_id: int) -> sqlite3.Row:
    row = conn.execute(f"SELECT id, name FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if row is None:
        raise AnnotatorError(f"that {what} is no longer in the library")
    return row


def _rename(lib: Library, table: str, what: str, row_id: int, name: str) -> tuple[Changes, None]:
    """Rename the row ROW_ID of TABLE (courses or paper_lists, both with unique names) to NAME."""
    name = _new_name(what, name)

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _named_row(conn, table, what, row_id)
        changes.label = f"Rename {what} {_quoted(row['name'])} to {_quoted(name)}"
        if name == row["name"]:
            return  # nothing changed: no undo step
        if conn.execute(f"SELECT 1 FROM {table} WHERE name = ? AND id != ?", (name, row_id)).fetchone():
            raise AnnotatorError(f"there is already a {what} named {name!r}; choose another name")
        conn.execute(f"UPDATE {table} SET name = ? WHERE id = ?", (name, row_id))
        (changes.courses if table == "courses" else changes.lists).add(row_id)

    return _operation(lib, f"Rename {what}", body)


def rename_course(lib: Library, course_id: int, name: str) -> tuple[Changes, None]:
    """Rename course COURSE_ID to NAME (refused when another course has that name)."""
    return _rename(lib, "courses", "course", course_id, name)


def rename_list(lib: Library, list_id: int, name: str) -> tuple[Changes, None]:
    """Rename paper list LIST_ID to NAME (refused when another list has that name)."""
    return _rename(lib, "paper_lists", "list", list_id, name)


def delete_list(lib: Library, list_id: int) -> tuple[Changes, None]:
    """Delete paper list LIST_ID (undoable); its papers stay in the library."""

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = _named_row(conn, "paper_lists", "list", list_id)
        changes.label = f"Delete list {_quoted(row['name'])}"
        conn.execute("DELETE FROM paper_lists WHERE id = ?", (list_id,))  # its items go with it (ON DELETE CASCADE)
        changes.lists.add(list_id)

    return _operation(lib, "Delete list", body)


def move_refusal(conn: sqlite3.Connection, session_id: int) -> str:
    """Why session SESSION_ID cannot move to another course ('' when it can): its post is on its course's site."""
    row = conn.execute("SELECT s.code, c.name, b.path FROM site_bases b JOIN sessions s ON s.id = b.id "
                       "JOIN courses c ON c.id = s.course_id WHERE b.id = ?", (session_id,)).fetchone()
    if row is None:  # never synced (unlinking a course drops its bases too)
        return ""
    code, course, path = row
    return (f"{code} is a post on the site of course {course!r} ({path}): moved to another course, its post would "
            f"come back into {course!r} as a new session at the next sync. Unlink {course!r} from its site first, "
            "or make a new session in the other course.")


def move_session(lib: Library, session_id: int, course: str) -> tuple[Changes, None]:
    """Move session SESSION_ID with its readings into COURSE (created if new).

    Refused when COURSE has a session of the same id, and when the session's post is on the site
    its course is linked to (see the module's docstring).
    """
    course = _new_name("course", course)

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        row = conn.execute("SELECT s.code, s.course_id, c.name FROM sessions s JOIN courses c ON c.id = s.course_id "
                           "WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise AnnotatorError("that session is no longer in the library")
        code, old_course, old_name = row
        changes.label = f"Move {code} to course {_quoted(course)}"
        if course == old_name:
            return
        refusal = move_refusal(conn, session_id)
        if refusal:
            raise AnnotatorError(refusal)
        course_id = ensure_course(conn, course, "", changes)
        if conn.execute("SELECT 1 FROM sessions WHERE course_id = ? AND code = ?", (course_id, code)).fetchone():
            raise AnnotatorError(f"course {course!r} already has a session {code}; rename one of them first")
        conn.execute("UPDATE sessions SET course_id = ? WHERE id = ?", (course_id, session_id))
        changes.sessions.add(session_id)
        changes.courses.update((old_course, course_id))

    return _operation(lib, "Move session", body)


def source_file(conn: sqlite3.Connection, session_id: int) -> tuple[Path | None, str]:
    """(the file session SESSION_ID came from, '') when it is known and there, else (None, why not).

    A post of a linked course's site is known by its place in the site; any other imported file
    by the folder it was imported from (sessions.source_folder, kept since db/010; '' for a folder whose name
    is not UTF-8) and its name.
    """
    row = conn.execute(
        "SELECT s.source, s.source_folder, b.path, l.folder FROM sessions s LEFT JOIN site_bases b ON b.id = s.id "
        "LEFT JOIN site_links l ON l.id = s.course_id WHERE s.id = ?", (session_id,)).fetchone()
    if row is None:
        return None, "That session is no longer in the library."
    source, source_folder, path, site = row
    if path is not None and site is not None:
        full = Path(site) / path
        return (full, "") if full.is_file() else (None, f"Its post {full} is no longer there.")
    if not source:
        return None, "Made in the app: it was not imported from a file."
    if source_folder is None:
        return None, (f"Imported from {source} by an earlier version of annotator, which kept the file's name "
                      "but not its folder. Import the file again to remember where it is.")
    if not source_folder:
        return None, f"Imported from {source} in a folder whose name is not UTF-8 text, which the library cannot keep."
    full = Path(source_folder) / source
    return (full, "") if full.is_file() else (None, f"Imported from {full}, which is no longer there.")
