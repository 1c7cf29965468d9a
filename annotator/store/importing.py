"""Import files into the library: each file its own undo step (the CLI), or the batch one step (the GUI).

The way of every file is the same: `parse_files` reads and parses it, then `ImportWriter.store`
writes it inside a savepoint, so that a file that fails leaves nothing and is reported with its
file and line. The two kinds of import differ only in where the undo boundary falls:

- per file (`annotator import`): files are parsed for up to a second, then stored in one
  transaction, each as its own operation; the write lock is never held while a file is parsed,
  so a file slow to parse never keeps another process (`annotator edit`) waiting.
- one step (the app's Import): every file is parsed first (with progress and Cancel), then all
  are stored in one transaction as one operation; Cancel rolls all of it back.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store.import_writer import FileResult, ImportWriter
from annotator.store.library import Library
from annotator.store.operations import Changes, TransactionLost, transaction
from annotator.store.parsed_files import ParsedFile, parse_files
from annotator.store.sharing import library_file_test

IMPORTABLE_SUFFIXES = (".md", ".markdown", ".txt")
COMMIT_EVERY_SECONDS = 1.0  # per-file import: files parsed for about this long are stored in one transaction
_NOT_CONTENT = {"_site", "_site-config", "_layouts", "_includes", "_data", "_sass", "_plugins", "node_modules"}

Batch = list[tuple[ParsedFile, FileResult]]
# Stores one file as LABEL: STEP(label, store) runs store(changes) kept whole or not at all, and
# returns the file's own Changes when it is an undo step of its own.
Step = Callable[[str, Callable[[Changes], None]], Changes | None]
# Runs inside a one-step import's operation, after its files: ALSO(conn, changes, results).
Also = Callable[[sqlite3.Connection, Changes, list[FileResult]], None]


class ImportCancelled(Exception):
    """Raised inside a one-step import when the user pressed Cancel: the transaction rolls back."""


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
                found.append((path, str(AnnotatorError(_nothing_here(path, recursive), path))))
            found.extend((f, "") for f in files)
        else:
            found.append((path, ""))
    return found


def _nothing_here(folder: Path, recursive: bool) -> str:
    """Why FOLDER gives nothing to import, and, when its subfolders hold files, how to take them."""
    below = [] if recursive else _folder_files(folder, recursive=True)
    if below:
        return (f"no .md, .markdown or .txt files here; its subfolders hold {len(below)}, which were skipped "
                "(add --recursive to import them)")
    return "no .md, .markdown or .txt files to import here"


def _folder_files(folder: Path, recursive: bool) -> list[Path]:
    files = []
    with os.scandir(folder) as entries:  # the file type comes with the listing: no stat per file
        listing = sorted((entry.name, entry.is_dir()) for entry in entries if not entry.name.startswith("."))
    for name, is_dir in listing:
        if is_dir:
            if recursive and name not in _NOT_CONTENT:
                files.extend(_folder_files(folder / name, recursive))
        elif name.lower().endswith(IMPORTABLE_SUFFIXES):
            files.append(folder / name)
    return files


def import_paths(
    lib: Library,
    paths: list[str | Path],
    course: str | None = None,
    recursive: bool = False,
    *,
    one_step: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    label: str | None = None,
    also: Also | None = None,
) -> tuple[list[FileResult], Changes | None]:
    """Import PATHS; bad files are reported, the others imported.

    one_step=False: each file is its own operation (the CLI). one_step=True: the whole batch is
    one operation (named LABEL), and its Changes are returned; `cancelled()` returning True rolls
    all of it back; ALSO, when given, runs in that operation after the files (a site sync records
    its bases there, so that undo takes back the import and the bases together).
    """
    is_own = library_file_test(lib.path)
    files = [(path, error or _own_file_error(is_own, path)) for path, error in gather_files(paths, recursive)]
    results = [FileResult(str(path), error=error) for path, error in files]
    todo = [result for result in results if not result.error]
    parsed = zip(parse_files([Path(result.path) for result in todo]), todo, strict=True)
    if one_step:
        batch = _parse_all(parsed, len(todo), progress, cancelled)
        label = label or (f"Import {len(todo)} files" if len(todo) != 1 else f"Import {Path(todo[0].path).name}")
        return results, _store_as_one_step(lib, batch, course, label, cancelled,
                                           (lambda conn, changes: also(conn, changes, results)) if also else None)
    for batch in _batches(parsed, COMMIT_EVERY_SECONDS):
        while batch:
            batch = _store_each_file(lib, batch, course)
    return results, None


def _own_file_error(is_own: Callable[[Path], bool], path: Path) -> str:
    """Refuse the library's own files before anything reads them: closing them would drop its locks."""
    if is_own(path):
        return str(AnnotatorError("this is the library itself (or one of its journal files); it cannot be imported", path))
    return ""


def _parse_all(parsed: Iterator[tuple[ParsedFile, FileResult]], total: int,
               progress: Callable[[int, int, str], None] | None, cancelled: Callable[[], bool] | None) -> Batch:
    """Every file parsed, reporting PROGRESS and asking `cancelled()` before each."""
    batch: Batch = []
    while True:
        if cancelled and cancelled():
            raise ImportCancelled()
        item = next(parsed, None)
        if item is None:
            return batch
        if progress:
            progress(len(batch), total, item[1].path)
        batch.append(item)


def _batches(parsed: Iterator[tuple[ParsedFile, FileResult]], seconds: float) -> Iterator[Batch]:
    """The parsed files in batches of about SECONDS of parsing (at least one file each)."""
    batch: Batch = []
    began = time.monotonic()
    for item in parsed:
        batch.append(item)
        if time.monotonic() - began >= seconds:
            yield batch
            batch, began = [], time.monotonic()
    if batch:
        yield batch


def _store_each_file(lib: Library, batch: Batch, course: str | None) -> Batch:
    """Store BATCH in one transaction, each file its own operation; return the files not tried.

    If SQLite drops the transaction (a disk error) or cannot commit it, every file stored in it
    is reported as not imported, and the files after them are left to another transaction.
    """
    writer = ImportWriter(lib.conn)
    tried = 0
    try:
        with transaction(lib) as tx:
            for parsed, result in batch:
                tried += 1
                _store_file(writer, parsed, result, course,
                            lambda label, store: tx.run(label, lambda conn, changes: store(changes))[1])
    except (TransactionLost, sqlite3.OperationalError) as exc:
        lost = [result for _, result in batch[:tried] if not result.error]
        if not lost:
            raise
        cause = _first_cause(exc)
        for result in lost:
            result.failed(str(AnnotatorError(_cannot_write(cause), result.path)))
        return batch[tried:]
    return []


def _store_as_one_step(lib: Library, batch: Batch, course: str | None, label: str,
                       cancelled: Callable[[], bool] | None,
                       after: Callable[[sqlite3.Connection, Changes], None] | None) -> Changes:
    """Store BATCH in one transaction as one operation, each file in a savepoint of its own, then AFTER."""

    def store_all(conn: sqlite3.Connection, changes: Changes) -> None:
        def in_savepoint(_label: str, store: Callable[[Changes], None]) -> None:
            with _savepoint(conn):
                store(changes)

        writer = ImportWriter(conn)
        for parsed, result in batch:
            if cancelled and cancelled():
                raise ImportCancelled()
            _store_file(writer, parsed, result, course, in_savepoint)
        if after:
            after(conn, changes)

    try:
        with transaction(lib) as tx:
            return tx.run(label, store_all)[1]
    except TransactionLost as exc:  # nothing was kept: report the database's own error
        raise _first_cause(exc) from None


def _store_file(writer: ImportWriter, parsed: ParsedFile, result: FileResult, course: str | None, step: Step) -> None:
    """Store one parsed file with STEP; a file that fails is reported in RESULT and leaves nothing."""
    if parsed.error:
        result.error = parsed.error
        return
    try:
        result.changes = step(f"Import {parsed.path.name}", lambda changes: writer.store(changes, parsed, course, result))
    except AnnotatorError as exc:
        result.failed(str(exc.located(parsed.path)))
    except sqlite3.OperationalError as exc:
        result.failed(str(AnnotatorError(_cannot_write(exc), parsed.path)))


def _first_cause(exc: BaseException) -> BaseException:
    """The database's own error under the TransactionLost wrappers (one per savepoint it went through)."""
    while isinstance(exc, TransactionLost) and exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def _cannot_write(exc: BaseException) -> str:
    if "locked" in str(exc) or "busy" in str(exc):
        raise exc
    return f"could not write to the library ({exc}); nothing of this file was kept"


@contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """A part of the one-step import that is kept whole or not at all."""
    conn.execute("SAVEPOINT import_file")
    try:
        yield
    except BaseException as exc:
        if not conn.in_transaction:  # SQLite rolled back the whole transaction (a disk error)
            raise TransactionLost(str(exc)) from exc
        conn.execute("ROLLBACK TO import_file")
        conn.execute("RELEASE import_file")
        raise
    conn.execute("RELEASE import_file")
