"""Parsed files, in the order of their paths: parsed here, or by worker processes when there are many.

`parse_files(paths)` is a plain iterator of `ParsedFile`; the importer takes files from it and
stores them, and never asks for the next one while it holds the library's write lock. With many
files, worker processes parse ahead while this process stores (parsing is about half of a
large import's work). Workers are spawned (never forked: the GUI process has threads and Qt
state) and die with this process. A worker that dies (out of memory?) costs only time: what is
left is parsed here.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.detect import parse_text
from annotator.formats.model import PaperList, Session
from annotator.formats.textfile import read_text_file

PARALLEL_FROM = 48  # files; below this, starting worker processes costs more than it saves
CHUNK_FILES = 8  # files a worker parses per task: fewer round trips, results still come early
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(slots=True)
class ParsedFile:
    """One file's parse: what the parser returned, or the error line naming file and line."""

    path: Path
    value: Session | PaperList | None
    error: str = ""


def parse_file(path: Path) -> ParsedFile:
    """Read and parse PATH; never raises for bad input."""
    try:
        return ParsedFile(path, parse_text(read_text_file(path), str(path), path.stem))
    except AnnotatorError as exc:
        return ParsedFile(path, None, str(exc.located(path)))
    except RecursionError:
        return ParsedFile(path, None, str(AnnotatorError("nested too deeply to read", path)))


@contextmanager
def parse_files(paths: list[Path]) -> Iterator[Iterator[ParsedFile]]:
    """The parsed files of PATHS in order; worker processes help when there are many (they end on exit)."""
    workers = min(_cores(), 8)  # this process mostly waits for them, or stores
    if len(paths) < PARALLEL_FROM or workers < 2:
        yield map(parse_file, paths)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        yield _parsed_by(pool, paths)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _parsed_by(pool: ProcessPoolExecutor, paths: list[Path]) -> Iterator[ParsedFile]:
    done = 0
    try:
        for parsed in pool.map(parse_file, paths, chunksize=CHUNK_FILES):
            done += 1
            yield parsed
    except BrokenProcessPool:  # a worker died: parse the rest here
        yield from map(parse_file, paths[done:])


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _die_with_parent(parent: int) -> None:
    """End this worker when the importing process ends, even killed (SIGKILL): nothing else would stop it.

    On Linux the kernel kills it (PR_SET_PDEATHSIG), even in the middle of a regex, which holds
    the GIL; elsewhere the pool notices a lost parent only between tasks.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0 and os.getppid() != parent:
            os._exit(1)  # the parent died before prctl: no signal will come
