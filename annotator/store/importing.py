"""Import files into the library: each file one Operation (CLI), or one batch as one step (GUI).

Files are parsed in worker processes while this process writes (store/parse_pool), and all the
writes of one command share a transaction, committed every second or so: each file is still
its own undo step (or the batch is one, for the GUI), and a file that fails leaves nothing.
Nothing is parsed while the write lock is held: a transaction stores only files already parsed,
so a file slow to parse never keeps another process (`annotator edit`) waiting for the lock.
Consecutive session posts new to the library are stored in runs, with one statement per table
(ImportWriter.store_new_sessions); a run that fails is stored again file by file, to find the
file at fault.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.store.import_writer import FileResult, ImportWriter, NewSession, bulk_inserts
from annotator.store.library import Library
from annotator.store.operations import Changes, TransactionLost, transaction
from annotator.store.parse_pool import ParsedFile, ParseStream, parse_files
from annotator.store.sharing import library_file_test

IMPORTABLE_SUFFIXES = (".md", ".markdown", ".txt")
COMMIT_EVERY_SECONDS = 1.0  # the CLI commits this often: the write lock is held no longer than that
RUN_FILES = 256  # new sessions stored with one statement per table, in one savepoint (see _Runs)
_NOT_CONTENT = {"_site", "_site-config", "_layouts", "_includes", "_data", "_sass", "_plugins", "node_modules"}


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
                found.append((path, str(AnnotatorError("no .md, .markdown or .txt files to import here", path))))
            found.extend((f, "") for f in files)
        else:
            found.append((path, ""))
    return found


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
) -> tuple[list[FileResult], Changes | None]:
    """Import PATHS; bad files are reported, the others imported.

    one_step=False: each file is its own Operation (the CLI). one_step=True: the whole batch is
    one Operation, each file in a savepoint; `cancelled()` returning True rolls all of it back.
    """
    is_own = library_file_test(lib.path)
    files = [(path, error or _own_file_error(is_own, path)) for path, error in gather_files(paths, recursive)]
    results = [FileResult(str(path), error=error) for path, error in files]
    with _collector_paused(), closing(parse_files([path for path, error in files if not error])) as parsed_files:
        todo = [(path, result) for (path, _), result in zip(files, results, strict=True) if not result.error]
        if one_step:
            changes = _import_as_one_step(lib, todo, parsed_files, course, progress, cancelled)
            return results, changes
        done = 0
        while done < len(todo):
            parsed_files.parse_ahead(COMMIT_EVERY_SECONDS)  # before the transaction: no lock held meanwhile
            done = _import_group(lib, todo, done, parsed_files, course)
        return results, None


def _own_file_error(is_own: Callable[[Path], bool], path: Path) -> str:
    """Refuse the library's own files before anything reads them: closing them would drop its locks."""
    if is_own(path):
        return str(AnnotatorError("this is the library itself (or one of its journal files); it cannot be imported", path))
    return ""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during the import (reference counting still frees what it can).

    An import makes hundreds of thousands of objects that live until it ends (rows, parsed
    files); the collector went through all of them again and again, 2-3% of the import's time.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cannot_write(exc: BaseException) -> str:
    if "locked" in str(exc) or "busy" in str(exc):
        raise exc
    return f"could not write to the library ({exc}); nothing of this file was kept"


class _Runs:
    """Files in order: sessions new to the library gathered into runs stored together, anything else stored alone.

    STORE_RUN stores a run and says whether it was kept; a run rolled back is stored again file
    by file (STORE_ONE), to find the file at fault.
    """

    def __init__(self, writer: ImportWriter, course: str | None, store_run: Callable[[list[NewSession]], bool],
                 store_one: Callable[[ParsedFile, FileResult], None]):
        self.writer, self.course = writer, course
        self.store_run, self.store_one = store_run, store_one
        self.run: list[NewSession] = []

    def add(self, parsed_file: ParsedFile, result: FileResult) -> None:
        """Take the next file: report its parse error, or store it (now, or with its run)."""
        if parsed_file.error:
            result.error = parsed_file.error
            return
        new = self.writer.new_session(parsed_file, self.course, result)
        if new is None:
            self.flush()
            self.store_one(parsed_file, result)
            return
        self.run.append(new)
        if len(self.run) >= RUN_FILES:
            self.flush()

    def flush(self) -> None:
        run, self.run = self.run, []
        if run and not self.store_run(run):
            for new in run:
                self.store_one(new.file, new.result)


def _import_group(lib: Library, todo: list[tuple[Path, FileResult]], start: int, parsed_files: ParseStream,
                  course: str | None) -> int:
    """Import the parsed files from START on, each its own Operation, in one transaction of up to about a second;
    return where it stopped (at the first file not parsed yet: it is never parsed with the lock held)."""
    stored: list[FileResult] = []
    index = start
    try:
        with transaction(lib) as tx, bulk_inserts(lib.conn) as writer:

            def store_one(file: ParsedFile, result: FileResult) -> None:
                stored.append(result)
                try:
                    result.changes = tx.run(f"Import {file.path.name}", lambda conn, changes: writer.store(
                        changes, file, course, result))[1]
                except AnnotatorError as exc:
                    stored.pop().failed(str(exc.located(file.path)))
                except sqlite3.OperationalError as exc:
                    stored.pop().failed(str(AnnotatorError(_cannot_write(exc), file.path)))

            def store_run(run: list[NewSession]) -> bool:
                stored.extend(file.result for file in run)
                try:
                    steps = tx.run_each([f"Import {file.path.name}" for file in run], lambda conn, log_ids, changes: (
                        writer.store_new_sessions(run, log_ids, changes)))[1]
                except (AnnotatorError, sqlite3.OperationalError):  # rolled back
                    del stored[-len(run):]
                    return False
                for file, step in zip(run, steps, strict=True):
                    file.result.changes = step
                return True

            runs = _Runs(writer, course, store_run, store_one)
            began = time.monotonic()
            while index < len(todo) and (index == start or time.monotonic() - began < COMMIT_EVERY_SECONDS):
                parsed_file = parsed_files.take()
                if parsed_file is None:
                    break
                result = todo[index][1]
                index += 1  # before storing: a file whose transaction is lost is done with, failed
                runs.add(parsed_file, result)
            runs.flush()
    except (TransactionLost, sqlite3.OperationalError) as exc:  # SQLite dropped the transaction, or COMMIT failed
        if not stored:
            raise
        cause = exc.__cause__ if isinstance(exc, TransactionLost) and exc.__cause__ else exc
        for result in stored:
            result.failed(str(AnnotatorError(_cannot_write(cause), result.path)))
    return index


def _import_as_one_step(
    lib: Library,
    todo: list[tuple[Path, FileResult]],
    parsed_files: ParseStream,
    course: str | None,
    progress: Callable[[int, int, str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> Changes:
    """Parse every file, then store them all in one transaction (the lock is held only to store).

    PROGRESS follows the parsing, the longer part; `cancelled()` is asked between files in both parts.
    """
    parsed: list[ParsedFile] = []
    for number, (path, _) in enumerate(todo):
        if cancelled and cancelled():
            raise ImportCancelled()
        if progress:
            progress(number, len(todo), str(path))
        parsed.append(next(parsed_files))

    def store_each(writer: ImportWriter, conn: sqlite3.Connection, changes: Changes) -> None:
        def store_one(file: ParsedFile, result: FileResult) -> None:
            try:
                with _savepoint(conn):
                    writer.store(changes, file, course, result)
            except AnnotatorError as exc:
                result.failed(str(exc.located(file.path)))

        def store_run(run: list[NewSession]) -> bool:
            try:
                with _savepoint(conn):
                    writer.store_new_sessions(run, None, [changes] * len(run))
            except AnnotatorError:  # rolled back
                return False
            return True

        runs = _Runs(writer, course, store_run, store_one)
        for parsed_file, (_, result) in zip(parsed, todo, strict=True):
            if cancelled and cancelled():
                raise ImportCancelled()
            runs.add(parsed_file, result)
        runs.flush()
        if progress:
            progress(len(todo), len(todo), "")

    label = f"Import {len(todo)} files" if len(todo) != 1 else f"Import {todo[0][0].name}"
    with transaction(lib) as tx, bulk_inserts(lib.conn) as writer:
        return tx.run(label, lambda conn, changes: store_each(writer, conn, changes))[1]


@contextmanager
def _savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """A part of the one-step import that is kept whole or not at all."""
    conn.execute("SAVEPOINT import_file")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO import_file")
            conn.execute("RELEASE import_file")
        raise
    conn.execute("RELEASE import_file")
