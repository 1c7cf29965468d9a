"""Reading a file's bytes as text, refusing what is not a text file we can import."""

from __future__ import annotations

from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.textlines import line_number

MAX_FILE_BYTES = 20 * 1024 * 1024
BOM = "\ufeff"


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode DATA as UTF-8, keeping a BOM and line endings as they are (export is byte-exact).

    Raises AnnotatorError naming PATH and the line for empty, binary or non-UTF-8 data.
    """
    if len(data) > MAX_FILE_BYTES:
        raise AnnotatorError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", path)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise AnnotatorError("binary file (contains NUL bytes), not text", path, line_number(data, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_number(data, exc.start)
        raise AnnotatorError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path, line) from None
    rest = text.lstrip(BOM)
    if not rest or rest.isspace():  # (not `rest.strip()`, which copies a long text)
        raise AnnotatorError("file is empty", path, 1)
    return text


def read_text_file(path: str | Path) -> str:
    """Read PATH as text (see decode_text); a missing or unreadable file is an AnnotatorError."""
    p = path if isinstance(path, Path) else Path(path)  # (a new Path would work out its string again)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AnnotatorError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", path)
        data = p.read_bytes()
    except FileNotFoundError:
        raise AnnotatorError("no such file", path) from None
    except IsADirectoryError:
        raise AnnotatorError("is a directory", path) from None
    except PermissionError:
        raise AnnotatorError("permission denied", path) from None
    except OSError as exc:
        raise AnnotatorError(exc.strerror or str(exc), path) from None
    return decode_text(data, path)
