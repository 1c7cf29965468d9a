"""Export sessions as Jekyll posts: lossless text, atomic writes, nothing outside the target folder."""

from __future__ import annotations

import difflib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.filenames import post_file_name
from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.model import LECTURE_PAGE, SESSION_POST, Paper, Reading, Session
from annotator.formats.post_writer import render_session
from annotator.formats.session_post import parse_session_post
from annotator.formats.textlines import split_lines
from annotator.store.queries import session_readings

_PARSERS = {SESSION_POST: parse_session_post, LECTURE_PAGE: parse_lecture_page}


@dataclass
class ExportResult:
    """One exported file: `created`, `updated` or `unchanged` (and the diff when asked for)."""

    session: str
    path: str
    status: str
    diff: str = ""

    def as_json(self) -> dict[str, str]:
        return {"session": self.session, "path": self.path, "status": self.status}


def unified_diff(old: str, new: str, name: str) -> str:
    """The unified diff from OLD to NEW, texts of the file NAME (each side's line breaks kept)."""
    return "".join(difflib.unified_diff(split_lines(old, keepends=True), split_lines(new, keepends=True),
                                        f"a/{name}", f"b/{name}"))


def _session_row(conn: sqlite3.Connection, session_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT s.*, c.name AS course FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        raise AnnotatorError("that session is no longer in the library")
    return row


def render_stored_session(conn: sqlite3.Connection, session_id: int) -> tuple[str, str, sqlite3.Row]:
    """(COURSE/ID, post text, session row) for a stored session, as it would be exported now."""
    row = _session_row(conn, session_id)
    parser = _PARSERS.get(row["kind"])
    original = parser(row["original_text"], row["source"]) if parser and row["original_text"] is not None else None
    edited = _urls_edited_since_import(conn, session_id, row["imported_at"]) if original is not None else set()
    readings = [
        Reading(
            paper=Paper(r["title"], _url_in_post(r, original, edited), r["authors"], r["abstract"]),
            section=r["section"], team=r["team"], videos=list(r["videos"]), notes=r["notes"],
            source_index=r["source_index"] if original is not None else None,
        )
        for r in session_readings(conn, session_id)
    ]
    kind = row["kind"] if original is not None else SESSION_POST
    current = Session(kind, row["title"], row["date"], json.loads(row["front_matter"]), readings,
                      text=row["original_text"] if original is not None else None)
    ref = _ref(row)
    try:
        return ref, render_session(original, current), row
    except ValueError as exc:  # the stored readings no longer fit the stored text: never a half post
        raise AnnotatorError(f"cannot write session {ref}: {exc}") from None


def _urls_edited_since_import(conn: sqlite3.Connection, session_id: int, imported_at: str) -> set[int]:
    """The session's papers whose URL was set by an edit (or a fill-in from arXiv) after its post was read."""
    return {row[0] for row in conn.execute(
        "SELECT p.id FROM readings r JOIN papers p ON p.id = r.paper_id WHERE r.session_id = ? AND p.url_edited_at > ?",
        (session_id, imported_at))}


def _url_in_post(reading: dict, original: Session | None, edited: set[int]) -> str:
    """The link READING shows in its post. A block of the imported post that had none gains the paper's URL
    only when it was set since (`edited`): one the library knew from another post leaves the post as it was."""
    index = reading["source_index"]
    if original is None or index is None or not 0 <= index < len(original.readings):
        return reading["url"]
    if original.readings[index].paper.url.strip() or reading["paper_id"] in edited:
        return reading["url"]
    return ""


def _ref(row: sqlite3.Row) -> str:
    return f"{row['course']}/{row['code']}"


def target_path(out_dir: Path, row: sqlite3.Row) -> Path:
    """Where a session goes in OUT_DIR: its own file name, never outside OUT_DIR."""
    source = f"{Path(row['source']).stem}.md" if row["source"] else ""  # seeds are .txt; posts are .md
    name = post_file_name(row["code"], row["title"], row["date"], source, out_dir.name == "_posts")
    path = out_dir / name
    if path.resolve().parent != out_dir.resolve():
        raise AnnotatorError(f"refusing to write outside the export folder: {name!r}", out_dir)
    return path


def atomic_write(path: Path, data: bytes) -> None:
    """Write DATA to PATH via a temp file in the same folder, fsync, rename: old or new, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AnnotatorError(exc.strerror or str(exc), path) from None
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the rename is done either way
    finally:
        os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _targets(out: Path, sessions: list[tuple[str, sqlite3.Row]]) -> dict[Path, str]:
    """{file: COURSE/ID} for SESSIONS exported into OUT; refused when two would share a file."""
    targets: dict[Path, str] = {}
    for ref, row in sessions:
        path = target_path(out, row)
        if path in targets:  # e.g. S0-L16 of two courses, or one date and title twice in _posts
            raise AnnotatorError(f"{targets[path]} and {ref} would both be written to this file; "
                                 "export them into different folders", path)
        targets[path] = ref
    return targets


def check_targets(conn: sqlite3.Connection, session_ids: list[int], out_dir: str | Path) -> None:
    """Refuse (AnnotatorError) SESSION_IDS that would overwrite each other in OUT_DIR, as
    export_sessions does: for a caller exporting them a few at a time, before the first write."""
    rows = [_session_row(conn, session_id) for session_id in session_ids]
    _targets(Path(out_dir), [(_ref(row), row) for row in rows])


def export_sessions(
    conn: sqlite3.Connection, session_ids: list[int], out_dir: str | Path, *, dry_run: bool = False, diff: bool = False
) -> list[ExportResult]:
    """Export SESSION_IDS into OUT_DIR; with DIFF or DRY_RUN nothing is written.

    Stops at the first file that cannot be written (AnnotatorError naming it); files already
    written stay complete.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise AnnotatorError("not a folder", out)
    rendered = [render_stored_session(conn, session_id) for session_id in session_ids]
    targets = _targets(out, [(ref, row) for ref, _, row in rendered])
    results = []
    for (ref, text, _row), path in zip(rendered, targets, strict=True):
        data = text.encode("utf-8")
        try:
            old = path.read_bytes() if path.exists() else None
        except OSError as exc:
            raise AnnotatorError(exc.strerror or str(exc), path) from None
        status = "created" if old is None else ("unchanged" if old == data else "updated")
        result = ExportResult(ref, str(path), status)
        if diff and status != "unchanged":
            result.diff = unified_diff((old or b"").decode("utf-8", "replace"), text, path.name)
        if not (dry_run or diff) and status != "unchanged":
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise AnnotatorError(exc.strerror or str(exc), out) from None
            atomic_write(path, data)
        results.append(result)
    return results
