"""Read and parse many files on every core: parsing is most of a large import's time.

Workers are started with `spawn` (never `fork`: the GUI process has threads and Qt state), and
only for batches large enough to repay their start-up. Errors travel back as text: they were
already made to name file and line.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.detect import parse_text
from annotator.formats.model import PaperList, Session
from annotator.formats.textfile import read_text_file

PARALLEL_FROM = 48  # files; below this, starting worker processes costs more than it saves


@dataclass
class ParsedFile:
    """One file's parse: the value, or the error line naming file and line."""

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


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_files(paths: list[Path]) -> Iterator[ParsedFile]:
    """Parsed files in the order of PATHS; in worker processes when there are many."""
    workers = min(_workers() - 1, 8)  # one core stays with the process that writes to SQLite
    if len(paths) < PARALLEL_FROM or workers < 1:
        yield from map(parse_file, paths)
        return
    done = 0
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        for parsed in pool.map(parse_file, paths, chunksize=16):
            done += 1
            yield parsed
    except (BrokenProcessPool, OSError):
        yield from map(parse_file, paths[done:])  # a worker died (out of memory?): go on here
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
