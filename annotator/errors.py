"""The one exception type for mistakes a user can cause (bad file, unknown session, locked DB)."""

from __future__ import annotations

from pathlib import Path


def is_utf8(text: str) -> bool:
    """Whether TEXT can be stored by SQLite, printed and shown by Qt as it is: False for a file name that is
    not UTF-8 (Python reads its undecodable bytes as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable(text: str) -> str:
    """TEXT with the undecodable bytes of a file name (lone surrogates, as Python reads a name that is not
    UTF-8) shown as U+FFFD: such a str cannot be printed, stored by SQLite or shown by Qt."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return text.encode("utf-8", "replace").decode("utf-8")


class AnnotatorError(Exception):
    """A problem the user can fix; shown as one line `PATH: line N: reason`, never as a traceback."""

    def __init__(self, reason: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.path = readable(str(path)) if path is not None else None
        self.line = line

    def located(self, path: str | Path, line_offset: int = 0) -> AnnotatorError:
        """Return this error attributed to PATH, its line shifted by LINE_OFFSET."""
        line = self.line + line_offset if self.line is not None else None
        return AnnotatorError(self.reason, self.path or path, line)

    def __str__(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"line {self.line}")
        parts.append(self.reason)
        return ": ".join(parts)
