"""Read and parse many files on every core while this process stores them: parsing is half of a large import.

The files are cut into chunks that this process and the worker processes take in order from a
shared counter: the importing process claims the next chunk itself whenever no worker has
started it yet (while the workers start up, or when storing has caught up with parsing), and
otherwise waits for the worker that holds it. Results come back in the order of the paths.

Workers are started with `spawn` (never `fork`: the GUI process has threads and Qt state), and
only for batches large enough to repay their start-up. Errors travel back as text: they were
already made to name file and line. A worker that dies (out of memory?) costs nothing but
time: what it held is parsed here.

What travels is what the library stores, in plain values (ParsedSession, ParsedList, and each
paper's `paper_fields`): unpickling the parsers' own objects (a Session with its Reading and
Paper objects) took the importing process three times as long.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.detect import parse_text
from annotator.formats.model import PaperList, Session
from annotator.formats.papers import PaperFields, paper_fields
from annotator.formats.textfile import read_text_file

PARALLEL_FROM = 48  # files; below this, starting worker processes costs more than it saves
CHUNK_FILES = 8
_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class ParsedSession:
    """What the library stores of a parsed session post, lecture page or slide outline."""

    kind: str
    title: str
    date: str
    front_matter: str  # JSON, keys in file order
    text: str | None
    readings: list[tuple[str, str, list[str], str]]  # (section, team, videos, notes) of each reading, in order


@dataclass
class ParsedList:
    """What the library stores of a parsed paper list (its papers are ParsedFile.papers)."""

    name: str


@dataclass
class ParsedFile:
    """One file's parse: the value and its papers as the library matches them, or the error line naming file and line."""

    path: Path
    value: ParsedSession | ParsedList | None
    error: str = ""
    papers: list[PaperFields] = field(default_factory=list)  # paper_fields of each paper (or reading), in order


def parse_file(path: Path) -> ParsedFile:
    """Read and parse PATH; never raises for bad input."""
    try:
        parsed = parse_text(read_text_file(path), str(path), path.stem)
    except AnnotatorError as exc:
        return ParsedFile(path, None, str(exc.located(path)))
    except RecursionError:
        return ParsedFile(path, None, str(AnnotatorError("nested too deeply to read", path)))
    if isinstance(parsed, PaperList):
        return ParsedFile(path, ParsedList(parsed.name), papers=[paper_fields(paper) for paper in parsed.papers])
    return ParsedFile(path, _session(parsed), papers=[paper_fields(reading.paper) for reading in parsed.readings])


def _session(parsed: Session) -> ParsedSession:
    readings = [(reading.section, reading.team, reading.videos, reading.notes) for reading in parsed.readings]
    return ParsedSession(parsed.kind, parsed.title, parsed.date, json.dumps(parsed.front_matter, ensure_ascii=False),
                         parsed.text, readings)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _claim(counter: Synchronized, chunks: int) -> int | None:
    """Take the next chunk nobody has started; None when all are taken."""
    with counter.get_lock():
        index = counter.value
        if index >= chunks:
            return None
        counter.value = index + 1
        return index


def _die_with_parent(parent: int) -> None:
    """End this worker when the importing process ends, even killed (SIGKILL): nothing else would stop it.

    (It would parse all that is left, then wait forever to send results nobody reads.) On Linux
    the kernel kills it (PR_SET_PDEATHSIG), even in the middle of a regex, which holds the GIL;
    elsewhere a thread watches the pipe from the parent, which ends when the parent does.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before prctl: no signal will come
                os._exit(1)
            return
    parent_process = multiprocessing.parent_process()
    if parent_process is not None:
        threading.Thread(target=_exit_after, args=(parent_process.sentinel,), daemon=True).start()


def _exit_after(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _work(chunks: list[list[Path]], counter: Synchronized, results: multiprocessing.Queue, parent: int) -> None:
    """A worker process: parse chunks until none is left (or the importing process is gone)."""
    _die_with_parent(parent)
    while (index := _claim(counter, len(chunks))) is not None:
        results.put((index, [(p.value, p.error, p.papers) for p in map(parse_file, chunks[index])]))  # the paths are known there


class ParseStream:
    """Parsed files in the order of their paths, parsed in this process.

    The importer parses with `parse_ahead`, outside any transaction, and stores what `take`
    hands out, which never parses: a file slow to parse never holds the library's write lock.
    Iterating parses as needed (for callers that hold no lock).
    """

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self._parsed = 0
        self._ready: deque[ParsedFile] = deque()

    def parse_ahead(self, seconds: float) -> None:
        """Parse the next file if none is ready, then more files for up to SECONDS."""
        started = time.monotonic()
        while self._parsed < len(self.paths) and (not self._ready or time.monotonic() - started < seconds):
            self._ready.append(parse_file(self.paths[self._parsed]))
            self._parsed += 1

    def take(self) -> ParsedFile | None:
        """The next file if it is parsed already, else None (also when there are no more)."""
        return self._ready.popleft() if self._ready else None

    def close(self) -> None:
        """Stop parsing (worker processes end)."""

    def __iter__(self) -> Iterator[ParsedFile]:
        return self

    def __next__(self) -> ParsedFile:
        self.parse_ahead(0)
        parsed = self.take()
        if parsed is None:
            self.close()
            raise StopIteration
        return parsed


def parse_files(paths: list[Path]) -> ParseStream:
    """Parsed files in the order of PATHS; with worker processes helping when there are many."""
    workers = min(_workers() - 1, 8)  # this process is one of the parsers
    if len(paths) < PARALLEL_FROM or workers < 1:
        return ParseStream(paths)
    return _SharedParse(paths, workers)


class _SharedParse(ParseStream):
    """Chunks parsed by this process and WORKERS spawned processes, taken from one counter."""

    def __init__(self, paths: list[Path], workers: int):
        super().__init__(paths)
        context = multiprocessing.get_context("spawn")
        self.chunks = [paths[i : i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES)]
        self.counter = context.Value("i", 0)
        self.queue = context.Queue()  # a worker's feeder thread sends while it parses on
        self.done: dict[int, list[ParsedFile]] = {}
        self._next_chunk = 0  # the chunk `take` hands out next
        self.processes = []
        try:
            for _ in range(workers):
                process = context.Process(target=_work, args=(self.chunks, self.counter, self.queue, os.getpid()),
                                          daemon=True)
                process.start()
                self.processes.append(process)
        except OSError:  # cannot start processes here: parse everything in this one
            pass

    def results(self) -> Iterator[ParsedFile]:
        """Every parsed file in order, parsing or waiting as needed."""
        return self

    def parse_ahead(self, seconds: float) -> None:
        """Have the next chunk parsed (by a worker, or here), then parse chunks nobody started for up to SECONDS."""
        started = time.monotonic()
        if not self._ready and self._next_chunk < len(self.chunks):
            self._wait_for(self._next_chunk)
        while time.monotonic() - started < seconds and (ahead := _claim(self.counter, len(self.chunks))) is not None:
            self.done[ahead] = [parse_file(path) for path in self.chunks[ahead]]
        self._collect_ready()

    def take(self) -> ParsedFile | None:
        if not self._ready and self._next_chunk < len(self.chunks):
            self._collect_ready()
            if self._next_chunk in self.done:
                self._ready.extend(self.done.pop(self._next_chunk))
                self._next_chunk += 1
        return super().take()

    def _wait_for(self, index: int) -> None:
        """Chunk INDEX parsed: by a worker, or here. While a worker still holds it, parse ahead here."""
        while index not in self.done:
            if self._collect_ready() and index in self.done:
                break
            if (ahead := _claim(self.counter, len(self.chunks))) is not None:
                self.done[ahead] = [parse_file(path) for path in self.chunks[ahead]]
                continue
            try:
                self._received(*self.queue.get(timeout=_POLL_SECONDS))
            except queue.Empty:
                if not any(p.is_alive() for p in self.processes):
                    self.done[index] = [parse_file(path) for path in self.chunks[index]]  # its worker died (out of memory?)

    def _collect_ready(self) -> bool:
        """Take every chunk the workers have already sent, without waiting; True if there was one."""
        got_any = False
        while True:
            try:
                self._received(*self.queue.get_nowait())
            except queue.Empty:
                return got_any
            got_any = True

    def _received(self, index: int, parsed: list[tuple]) -> None:
        self.done[index] = [ParsedFile(path, *values) for path, values in zip(self.chunks[index], parsed, strict=True)]

    def close(self) -> None:
        with self.counter.get_lock():
            self.counter.value = len(self.chunks)  # nothing more to claim
        for process in self.processes:
            process.join(timeout=0.2)
            if process.is_alive():
                process.terminate()
                process.join()
