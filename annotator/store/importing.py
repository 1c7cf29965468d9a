"""Import files into the library: each file one Operation (CLI), or one batch as one step (GUI)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper, PaperList, Session
from annotator.formats.papers import title_key
from annotator.store.editing import ensure_course
from annotator.store.library import Library
from annotator.store.operations import Changes, run_operation
from annotator.store.papers import upsert_paper
from annotator.store.parse_pool import ParsedFile, parse_file, parse_files

IMPORTABLE_SUFFIXES = (".md", ".markdown", ".txt")
SITE_COLLECTIONS = ("_contents", "_sessions", "_posts")
_NOT_CONTENT = {"_site", "_site-config", "_layouts", "_includes", "_data", "_sass", "_plugins", "node_modules"}


class ImportCancelled(Exception):
    """Raised inside a one-step import when the user pressed Cancel: the transaction rolls back."""


@dataclass
class FileResult:
    """One line of the import report (the `--json` shape, plus the change summary)."""

    path: str
    kind: str = ""
    course: str = ""
    session: str = ""
    list: str = ""
    papers_new: int = 0
    papers_existing: int = 0
    readings: int = 0
    error: str = ""
    changes: Changes | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("changes")
        return data


def gather_files(paths: list[str | Path], recursive: bool = False) -> list[tuple[Path, str]]:
    """Expand PATHS to files; a path that cannot be imported comes back with its error message."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            found.append((path, str(AnnotatorError("no such file or directory", path))))
        elif path.is_dir():
            files = _folder_files(path, recursive)
            if not files:
                found.append((path, str(AnnotatorError("no .md, .markdown or .txt files to import here", path))))
            found.extend((f, "") for f in files)
        else:
            found.append((path, ""))
    return found


def _folder_files(folder: Path, recursive: bool) -> list[Path]:
    files = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if recursive and entry.name not in _NOT_CONTENT:
                files.extend(_folder_files(entry, recursive))
        elif entry.suffix.lower() in IMPORTABLE_SUFFIXES:
            files.append(entry)
    return files


def course_for(path: Path, explicit: str | None) -> tuple[str, str]:
    """(course name, site folder): --course, else the site folder holding _contents/_sessions/_posts, else the parent."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name in SITE_COLLECTIONS:
            site = parent.parent
            return (explicit or site.name, str(site))
    return (explicit or resolved.parent.name or "library", "")


def _store_session(conn: sqlite3.Connection, changes: Changes, parsed: Session, path: Path,
                   course: str, site: str, result: FileResult) -> None:
    course_id = ensure_course(conn, course, site, changes)
    code = path.stem
    result.session = f"{course}/{code}"
    result.readings = len(parsed.readings)
    existing = conn.execute("SELECT * FROM sessions WHERE course_id = ? AND code = ?", (course_id, code)).fetchone()
    if existing is not None and existing["original_text"] == parsed.text and existing["kind"] == parsed.kind:
        result.papers_existing = len(parsed.readings)  # the same file again: nothing to add
        return
    values = (parsed.title.strip() or code, parsed.date, path.name, parsed.kind,
              json.dumps(parsed.front_matter, ensure_ascii=False), parsed.text,
              dt.datetime.now().isoformat(timespec="seconds"))
    if existing is None:
        session_id = conn.execute(
            "INSERT INTO sessions (title, date, source, kind, front_matter, original_text, imported_at, course_id, code) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, course_id, code)).lastrowid
    else:
        session_id = existing["id"]
        conn.execute(
            "UPDATE sessions SET title = ?, date = ?, source = ?, kind = ?, front_matter = ?, original_text = ?, "
            "imported_at = ? WHERE id = ?", (*values, session_id))
    previous = _PreviousReadings(conn, session_id)
    changes.sessions.add(session_id)
    for index, reading in enumerate(parsed.readings):
        paper_id, created = upsert_paper(conn, reading.paper, changes)
        if created:
            result.papers_new += 1
        else:
            result.papers_existing += 1
        old = previous.take(paper_id, reading.paper)
        if old is None:
            reading_id = conn.execute(
                "INSERT INTO readings (session_id, position, section, paper_id, team, notes, source_index) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, index + 1, reading.section, paper_id, reading.team, reading.notes, index)).lastrowid
            old_videos: list[str] = []
        else:
            # A newer version of the post: what it says wins; what the app added stays.
            reading_id = old["id"]
            row = (index + 1, reading.section, paper_id, reading.team or old["team"], reading.notes or old["notes"], index)
            if row != tuple(old[k] for k in ("position", "section", "paper_id", "team", "notes", "source_index")):
                conn.execute("UPDATE readings SET position = ?, section = ?, paper_id = ?, team = ?, notes = ?, "
                             "source_index = ? WHERE id = ?", (*row, reading_id))
            old_videos = [r[0] for r in conn.execute(
                "SELECT url FROM reading_videos WHERE reading_id = ? ORDER BY position", (reading_id,))]
        if reading.videos and reading.videos != old_videos:
            conn.execute("DELETE FROM reading_videos WHERE reading_id = ?", (reading_id,))
            conn.executemany("INSERT INTO reading_videos (reading_id, position, url) VALUES (?, ?, ?)",
                             [(reading_id, i, url) for i, url in enumerate(reading.videos, 1)])
    position = len(parsed.readings)
    for gone in previous.left_over():
        if gone["source_index"] is None:  # added in the app, never exported: the file cannot know it
            position += 1
            conn.execute("UPDATE readings SET position = ? WHERE id = ?", (position, gone["id"]))
        else:
            conn.execute("DELETE FROM readings WHERE id = ?", (gone["id"],))


class _PreviousReadings:
    """A session's readings before a newer version of its file is imported, to match the new ones to.

    A reading is the same reading when its paper is the same, else when its URL is, else when its
    title reads the same: a reworded heading keeps its notes, team and videos.
    """

    def __init__(self, conn: sqlite3.Connection, session_id: int):
        self._rows = {row["id"]: row for row in conn.execute(
            "SELECT r.*, p.url AS paper_url, p.title_key FROM readings r JOIN papers p ON p.id = r.paper_id "
            "WHERE r.session_id = ? ORDER BY r.position", (session_id,))}
        self._by: list[dict[object, list[int]]] = [{}, {}, {}]
        for row_id, row in self._rows.items():
            for index, key in enumerate((row["paper_id"], row["paper_url"], row["title_key"])):
                if key:
                    self._by[index].setdefault(key, []).append(row_id)

    def take(self, paper_id: int, paper: Paper) -> sqlite3.Row | None:
        """The previous reading that PAPER continues, removed from what is left; None if new."""
        for index, key in enumerate((paper_id, paper.url.strip(), title_key(paper.title))):
            for row_id in self._by[index].get(key, ()):
                if row_id in self._rows:
                    return self._rows.pop(row_id)
        return None

    def left_over(self) -> list[sqlite3.Row]:
        """Previous readings the new file no longer has, in their old order."""
        return list(self._rows.values())


def _store_list(conn: sqlite3.Connection, changes: Changes, parsed: PaperList, path: Path, result: FileResult) -> None:
    result.list = parsed.name
    paper_ids: list[int] = []
    seen: set[int] = set()
    for paper in parsed.papers:
        paper_id, created = upsert_paper(conn, paper, changes)
        if paper_id in seen:
            continue  # listed twice in one list: still one paper
        seen.add(paper_id)
        paper_ids.append(paper_id)
        if created:
            result.papers_new += 1
        else:
            result.papers_existing += 1
    row = conn.execute("SELECT id FROM paper_lists WHERE name = ?", (parsed.name,)).fetchone()
    if row is None:
        list_id = conn.execute("INSERT INTO paper_lists (name, source, imported_at) VALUES (?, ?, ?)",
                               (parsed.name, str(path), dt.datetime.now().isoformat(timespec="seconds"))).lastrowid
        current: list[int] = []
    else:
        list_id = row[0]
        current = [r[0] for r in conn.execute(
            "SELECT paper_id FROM paper_list_items WHERE list_id = ? ORDER BY position", (list_id,))]
    if current != paper_ids:
        conn.execute("DELETE FROM paper_list_items WHERE list_id = ?", (list_id,))
        conn.executemany("INSERT INTO paper_list_items (list_id, position, paper_id) VALUES (?, ?, ?)",
                         [(list_id, i, pid) for i, pid in enumerate(paper_ids, 1)])
        changes.lists.add(list_id)


@contextmanager
def papers_indexed_at_the_end(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside one transaction: index the papers inserted meanwhile in one statement at the end."""
    conn.execute("INSERT INTO fts_pending (tbl, above) SELECT 'papers', coalesce(max(id), 0) FROM papers")
    yield
    conn.execute(
        "INSERT INTO papers_fts (rowid, title, abstract, authors) SELECT id, title, abstract, authors FROM papers "
        "WHERE id > (SELECT above FROM fts_pending WHERE tbl = 'papers')"
    )
    conn.execute("DELETE FROM fts_pending WHERE tbl = 'papers'")


def _store_parsed(conn: sqlite3.Connection, changes: Changes, parsed: Session | PaperList, path: Path,
                  course: str | None, result: FileResult) -> None:
    if isinstance(parsed, PaperList):
        result.kind = "hf_list"
        _store_list(conn, changes, parsed, path, result)
    else:
        result.kind = parsed.kind
        name, site = course_for(path, course)
        result.course = name
        _store_session(conn, changes, parsed, path, name, site, result)


def import_file(lib: Library, path: str | Path, course: str | None = None, parsed_file: ParsedFile | None = None) -> FileResult:
    """Import one file as one Operation; a bad file leaves the library unchanged (result.error set)."""
    path = Path(path)
    result = FileResult(str(path))
    parsed_file = parsed_file or parse_file(path)
    if parsed_file.error:
        result.error = parsed_file.error
        return result
    parsed = parsed_file.value
    try:

        def body(conn: sqlite3.Connection, ch: Changes) -> None:
            with papers_indexed_at_the_end(conn):
                _store_parsed(conn, ch, parsed, path, course, result)

        changes = run_operation(lib, f"Import {path.name}", body)[1]
        result.changes = changes
    except AnnotatorError as exc:
        result.error = str(exc.located(path))
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise
        result.error = str(AnnotatorError(f"could not write to the library ({exc}); nothing of this file was kept", path))
    return result


def import_paths(
    lib: Library,
    paths: list[str | Path],
    course: str | None = None,
    recursive: bool = False,
    *,
    one_step: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[FileResult], Changes | None]:
    """Import PATHS; bad files are reported, the others imported.

    one_step=False: each file is its own Operation (the CLI). one_step=True: the whole batch is
    one Operation, each file in a savepoint; `cancelled()` returning True rolls all of it back.
    """
    files = gather_files(paths, recursive)
    with closing(parse_files([path for path, error in files if not error])) as parsed_files:
        return _import_parsed(lib, files, parsed_files, course, one_step, progress, cancelled)


def _import_parsed(
    lib: Library,
    files: list[tuple[Path, str]],
    parsed_files: Iterator[ParsedFile],
    course: str | None,
    one_step: bool,
    progress: Callable[[int, int, str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> tuple[list[FileResult], Changes | None]:
    results: list[FileResult] = []
    if not one_step:
        for number, (path, error) in enumerate(files, 1):
            if progress:
                progress(number - 1, len(files), str(path))
            results.append(FileResult(str(path), error=error) if error
                           else import_file(lib, path, course, next(parsed_files)))
        return results, None

    def body(conn: sqlite3.Connection, changes: Changes) -> None:
        with papers_indexed_at_the_end(conn):
            store_each(conn, changes)

    def store_each(conn: sqlite3.Connection, changes: Changes) -> None:
        for number, (path, error) in enumerate(files, 1):
            if cancelled and cancelled():
                raise ImportCancelled()
            if progress:
                progress(number - 1, len(files), str(path))
            result = FileResult(str(path), error=error)
            results.append(result)
            if error:
                continue
            parsed = next(parsed_files)
            if parsed.error:
                result.error = parsed.error
                continue
            conn.execute("SAVEPOINT import_file")
            try:
                _store_parsed(conn, changes, parsed.value, path, course, result)
                conn.execute("RELEASE import_file")
            except AnnotatorError as exc:
                conn.execute("ROLLBACK TO import_file")
                conn.execute("RELEASE import_file")
                result.error = str(exc.located(path))
        if progress:
            progress(len(files), len(files), "")

    label = f"Import {len(files)} files" if len(files) != 1 else f"Import {files[0][0].name}"
    _, changes = run_operation(lib, label, body)
    return results, changes
