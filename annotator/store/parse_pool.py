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

import json
import multiprocessing
import os
import queue
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


def _work(chunks: list[list[Path]], counter: Synchronized, results: multiprocessing.Queue) -> None:
    """A worker process: parse chunks until none is left."""
    while (index := _claim(counter, len(chunks))) is not None:
        results.put((index, [(p.value, p.error, p.papers) for p in map(parse_file, chunks[index])]))  # the paths are known there


def parse_files(paths: list[Path]) -> Iterator[ParsedFile]:
    """Parsed files in the order of PATHS; with worker processes helping when there are many."""
    workers = min(_workers() - 1, 8)  # this process is one of the parsers
    if len(paths) < PARALLEL_FROM or workers < 1:
        yield from map(parse_file, paths)
        return
    yield from _SharedParse(paths, workers).results()


class _SharedParse:
    """Chunks parsed by this process and WORKERS spawned processes, taken from one counter."""

    def __init__(self, paths: list[Path], workers: int):
        context = multiprocessing.get_context("spawn")
        self.chunks = [paths[i : i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES)]
        self.counter = context.Value("i", 0)
        self.queue = context.Queue()  # a worker's feeder thread sends while it parses on
        self.done: dict[int, list[ParsedFile]] = {}
        self.processes = []
        try:
            for _ in range(workers):
                process = context.Process(target=_work, args=(self.chunks, self.counter, self.queue), daemon=True)
                process.start()
                self.processes.append(process)
        except OSError:  # cannot start processes here: parse everything in this one
            pass

    def results(self) -> Iterator[ParsedFile]:
        try:
            for index, chunk in enumerate(self.chunks):
                yield from self._chunk(index, chunk)
        finally:
            self._stop()

    def _chunk(self, index: int, chunk: list[Path]) -> list[ParsedFile]:
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
                    return [parse_file(path) for path in chunk]  # its worker died (out of memory?)
        return self.done.pop(index)

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

    def _stop(self) -> None:
        with self.counter.get_lock():
            self.counter.value = len(self.chunks)  # nothing more to claim
        for process in self.processes:
            process.join(timeout=0.2)
            if process.is_alive():
                process.terminate()
                process.join()
