"""`annotator site link`: import every post of a Jekyll site into a course and remember the folder and each base."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.errors import AnnotatorError, is_utf8
from annotator.site.folders import site_folders
from annotator.site.git import Cancelled
from annotator.site.links import Fingerprint, set_imported_base, set_link
from annotator.site.status import Progress
from annotator.store.editing import ensure_course
from annotator.store.import_writer import FileResult
from annotator.store.importing import import_paths
from annotator.store.library import Library
from annotator.store.operations import Changes


def link_site(lib: Library, course: str, folder: str | Path, *, progress: Progress | None = None,
              cancelled: Cancelled | None = None) -> tuple[Changes | None, list[FileResult]]:
    """Link COURSE to the site at FOLDER: its posts are imported (as one operation, with the link and the bases).

    A post that cannot be imported is reported in its FileResult and gets no base (status shows it as new on disk).
    """
    if not course.strip():
        raise AnnotatorError("a course needs a name")
    folders = site_folders(folder)
    if not is_utf8(str(folders.root)):  # SQLite keeps text: such a folder cannot be remembered
        raise AnnotatorError("the site folder's name is not UTF-8 text, which the library cannot keep: "
                             "rename the folder to link it", folders.root)
    other = lib.conn.execute("SELECT c.name FROM site_links l JOIN courses c ON c.id = l.id WHERE l.folder = ? "
                             "AND c.name != ?", (str(folders.root), course)).fetchone()
    if other:
        raise AnnotatorError(f"this site is already linked to course {other[0]!r}; unlink it first", folders.root)
    files = folders.posts()
    seen = {path: Fingerprint.of(full) for path, full in files.items()}  # before the import reads them

    def record(conn: sqlite3.Connection, changes: Changes, results: list[FileResult]) -> None:
        course_id = ensure_course(conn, course, str(folders.root), changes)
        set_link(conn, course_id, folders.root, changes)
        for path, result in zip(files, results, strict=True):
            if result.session_id is not None:
                set_imported_base(conn, result.session_id, path, seen[path])

    results, changes = import_paths(lib, list(files.values()), course, one_step=True, progress=progress,
                                    cancelled=cancelled, label=f"Link {course} to {folders.root.name}", also=record)
    return changes, results
