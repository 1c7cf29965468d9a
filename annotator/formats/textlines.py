"""Lines of a text file: a line ends at `\\n`, `\\r\\n` or `\\r`, and at nothing else.

str.splitlines() also ends a line at \\v, \\f, \\x1c-\\x1e, \\x85, U+2028 and U+2029. Jekyll,
kramdown, git and editors do not, so a note holding one of them was cut in two on import
(issue 13). Every parser splits with split_lines; a value that must stay on one line of a post
is refused if it holds a break of ANY_BREAK (what some tool may still take for one).
"""

from __future__ import annotations

import re

LINE_BREAKS = "\r\n"  # the characters that end a line (`\r\n` is one break)
# What str.splitlines() splits on besides LINE_BREAKS: when a text holds none, splitlines is right.
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
ANY_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_BREAK = re.compile(r"\r\n?|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # a line with its break, or a last line without


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """TEXT's lines, as str.splitlines(KEEPENDS) gives them but split at `\\n`, `\\r\\n`, `\\r` only."""
    if not any(c in text for c in _OTHER_BREAKS):  # (8 `in` tests: faster than one regex search)
        return text.splitlines(keepends)  # the same lines, and much faster than a regex
    if keepends:
        return _LINE.findall(text)
    lines = _BREAK.split(text)
    if not lines[-1]:
        lines.pop()  # a text ending in a line break has no empty line after it
    return lines


def line_text(line: str) -> str:
    """LINE (as split_lines(keepends=True) gives it) without its line break."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line and line[-1] in LINE_BREAKS:
        return line[:-1]
    return line


def line_ending(lines: list[str]) -> str:
    """The line break of the first of LINES that has one (`\\n` when none has): the file's own."""
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line and line[-1] in LINE_BREAKS:
            return line[-1]
    return "\n"


def line_number(text: str | bytes, offset: int) -> int:
    """The 1-based number of the line of TEXT that holds position OFFSET."""
    head = text[:offset]
    if isinstance(head, bytes):
        return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1
