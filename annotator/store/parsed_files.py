"""Parsed files, in the order of their paths: each read and parsed into the formats' dataclasses.

The importer takes them one at a time (`parse_files` is a plain iterator) and never asks for the
next one while it holds the library's write lock. Files are parsed in this process: worker
processes were tried and saved nothing measurable on the import bench
(tests/bench/bench_import.py prints the comparison), so they were removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError, is_utf8
from annotator.formats.detect import parse_text
from annotator.formats.model import PaperList, Session
from annotator.formats.textfile import read_text_file


@dataclass(slots=True)
class ParsedFile:
    """One file's parse: what the parser returned, or the error line naming file and line."""

    path: Path
    value: Session | PaperList | None
    error: str = ""


def parse_file(path: Path) -> ParsedFile:
    """Read and parse PATH; never raises for bad input."""
    if not is_utf8(path.name):  # its name is the session's id and the exported post's file name
        return ParsedFile(path, None, str(AnnotatorError(
            "the file's name is not UTF-8 text, which the library cannot keep: rename the file to import it", path)))
    try:
        return ParsedFile(path, parse_text(read_text_file(path), str(path), path.stem))
    except AnnotatorError as exc:
        return ParsedFile(path, None, str(exc.located(path)))
    except RecursionError:
        return ParsedFile(path, None, str(AnnotatorError("nested too deeply to read", path)))


def parse_files(paths: list[Path]) -> Iterator[ParsedFile]:
    """The parsed files of PATHS, in order, each parsed when it is asked for."""
    return map(parse_file, paths)
