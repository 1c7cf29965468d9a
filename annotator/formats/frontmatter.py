"""Jekyll front matter: find it, and load it safely into plain JSON-friendly values.

The YAML is read event by event with PyYAML's parser (C-accelerated when available) and the values
are built here, not by PyYAML's constructors, so that:
- a key is the text it was written as: `on:` is "on", `010:` is "010", `~:` is "~", `<<:` is "<<"
  (the post writer finds a key's lines by that text, and the app shows what the file says);
- timestamps stay strings, as written, so the app shows `2025-09-02 10:00:00 +0800`; so do floats
  that JSON cannot hold (`.nan`, `.inf`, `1e999`) and integers too long for JSON;
- a bad value (`!!int nope`, `!!bool maybe`, bad base64, an unknown tag) is an AnnotatorError
  naming its line, never an exception out of PyYAML;
- aliases of lists and mappings (billion-laughs bombs) and deep nesting are refused where they occur.
`key_spans` says where each top-level key and its value are written, for the post writer.
"""

from __future__ import annotations

import binascii
import datetime
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from annotator.errors import AnnotatorError
from annotator.formats.textfile import BOM
from annotator.formats.textlines import split_lines

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only its parser is used
_BYTE_OFFSETS = _Parser is not yaml.SafeLoader  # libyaml places a reader error in UTF-8 bytes, PyYAML in characters

_Y = "tag:yaml.org,2002:"
_STR, _NULL, _MAP, _SEQ, _SET, _OMAP, _PAIRS = (_Y + t for t in ("str", "null", "map", "seq", "set", "omap", "pairs"))
# Implicit types as PyYAML's safe loader resolves them, by first character, minus timestamps.
_IMPLICIT = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _Y + "timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
assert None not in _IMPLICIT, "a resolver for any first character would be skipped"

_OPEN = re.compile(r"---[ \t]*\r?\n?\Z")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*\r?\n?\Z")
MAX_DEPTH = 50
_MAX_NUMBER_CHARS = 4000  # longer numbers stay text: Python converts at most 4300 digits
_MAX_INT_BITS = 14000  # about 4200 digits: json.dumps can still write it


@dataclass
class FrontMatterBlock:
    """Where the front matter sits: lines are 0-based indexes into split_lines(text, keepends=True)."""

    yaml_text: str
    open_line: int  # the opening `---`
    close_line: int  # the closing `---`


@dataclass(frozen=True)
class KeySpan:
    """Where a top-level key and its value are written: character offsets into the YAML text."""

    key: str
    start: int  # the key (with its anchor or tag, if any)
    key_end: int
    value_start: int
    end: int  # the end of the value's last character (not of a block's trailing blank lines)
    anchors: tuple[str, ...] = ()  # `&name`s in the key or value
    aliases: tuple[str, ...] = ()  # `*name`s in the key or value


def find_front_matter(text: str, path: str = "") -> FrontMatterBlock | None:
    """Locate front matter that starts at byte 0 (after a BOM); None when the file has none."""
    return front_matter_in_lines(split_lines(text, keepends=True), path)


def front_matter_in_lines(lines: list[str], path: str = "") -> FrontMatterBlock | None:
    """find_front_matter for a text already split with split_lines(text, keepends=True)."""
    if not lines or not _OPEN.match(lines[0].removeprefix(BOM)):
        return None
    for index in range(1, len(lines)):
        if lines[index].startswith(("---", "...")) and _CLOSE.match(lines[index]):  # startswith: fast test
            return FrontMatterBlock("".join(lines[1:index]), 0, index)
    raise AnnotatorError("front matter opened with '---' is never closed", path or None, 1)


def load_front_matter(yaml_text: str, path: str = "", first_line: int = 2) -> dict[str, Any]:
    """Load YAML_TEXT (which starts at FIRST_LINE of PATH) as an ordered dict of plain values.

    Raises AnnotatorError naming PATH and the line for anything it cannot load.
    """
    return _Reader(yaml_text, path, first_line, spans=False).read()[0]


def key_spans(yaml_text: str) -> tuple[list[KeySpan], bool]:
    """(where each top-level key is written, in file order; whether the mapping is in block style).

    A `{a: 1, b: 2}` mapping is in flow style: its keys may share lines.
    """
    _, spans, block = _Reader(yaml_text, "", 1, spans=True).read()
    return spans, block


class _Invalid(Exception):
    """A scalar that does not fit its tag; the message says what it should be."""


class _Frame:
    """A list or mapping being read."""

    __slots__ = ("kind", "value", "key", "key_start", "key_end", "pairs", "last_end", "flow", "index")

    def __init__(self, kind: str, flow: bool, index: int):
        self.kind = kind  # _MAP, _SET, _SEQ or _PAIRS (!!omap and !!pairs), compared by identity
        self.value: Any = [] if kind in (_SEQ, _PAIRS) else {}
        self.key: str | None = None  # a mapping's key whose value comes next
        self.key_start = self.key_end = 0
        self.pairs = 0
        self.last_end = index  # where the last item read ends
        self.flow = flow
        self.index = index  # where it starts


class _Reader:
    """Builds plain values from YAML events (see the module docstring)."""

    def __init__(self, text: str, path: str, first_line: int, spans: bool):
        self.text = text
        self.path = path or None
        self.first_line = first_line
        self.spans: list[KeySpan] | None = [] if spans else None
        self.names: tuple[list[str], list[str]] = ([], [])  # anchors and aliases met since the last top-level key
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, str] | None] = {}  # None: a list or mapping
        self.root: Any = None
        self.block = True

    def read(self) -> tuple[dict[str, Any], list[KeySpan], bool]:
        """(values, key spans, block style); raises AnnotatorError."""
        parser = None
        try:
            parser = _Parser(self.text)  # (PyYAML's own reader checks the characters here)
            self._events(parser)
        except UnicodeEncodeError as exc:  # (a str holding lone surrogates cannot be encoded for libyaml)
            raise self._error(f"front matter is not valid text: {exc.reason}", exc.start) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            reason = exc.problem or exc.context or "invalid YAML"
            raise self._error(f"YAML error in front matter: {reason}", mark.index if mark else 0) from None
        except yaml.reader.ReaderError as exc:
            where = f" (U+{exc.character:04X})" if isinstance(exc.character, int) else ""
            raise self._error(f"YAML error in front matter: {exc.reason}{where}", self._reader_index(exc.position)) from None
        except yaml.YAMLError as exc:
            reason = " ".join(str(exc).split())  # one line
            raise AnnotatorError(f"YAML error in front matter: {reason}", self.path, self.first_line) from None
        except RecursionError:  # (PyYAML's pure-Python parser nests calls)
            raise AnnotatorError("front matter is nested too deeply", self.path, self.first_line) from None
        finally:
            if parser is not None:
                parser.dispose()
        return self.root or {}, self.spans or [], self.block

    def _events(self, parser: Any) -> None:
        get_event = parser.get_event
        documents = 0
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                start, end = event.start_mark.index, event.end_mark.index
                value = self._scalar(event, start)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, event.value)
                    self.names[0].append(event.anchor)
                self._add(value, event.value, start, end)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self._open(event, kind is MappingStartEvent)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self._close(event.end_mark.index)
            elif kind is AliasEvent:
                self._alias(event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._error("YAML error in front matter: a second YAML document starts here",
                                      event.start_mark.index)
            elif kind is StreamEndEvent:
                return

    def _scalar(self, event: ScalarEvent, start: int) -> Any:
        """The value of a scalar, by its tag (or the type its plain text resolves to)."""
        value, tag = event.value, event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:  # quoted, or `! text`
                return value
            for candidate, regexp in _IMPLICIT.get(value[:1], ()):
                if regexp.match(value):
                    tag = candidate
                    break
            else:
                return value
        if tag == _STR:
            return value
        convert = _SCALARS.get(tag)
        if convert is None:
            raise self._error(_wrong_tag(tag, "a single value"), start)
        try:
            return convert(value)
        except _Invalid as exc:
            if event.tag is None:  # resolved from the text (`0b_`): it is text after all
                return value
            shown = repr(value if len(value) <= 40 else value[:40] + "…")
            raise self._error(f"YAML error in front matter: {shown} is not {exc}", start) from None

    def _open(self, event: MappingStartEvent | SequenceStartEvent, mapping: bool) -> None:
        start = event.start_mark.index
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.kind is not _SEQ and parent.kind is not _PAIRS and parent.key is None:
            raise self._error("YAML error in front matter: a key must be a single value, not a list or mapping", start)
        if len(self.stack) > MAX_DEPTH:
            raise self._error("front matter is nested too deeply", start)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP if mapping else _SEQ
        kind = _KINDS.get(tag)
        if kind is None or (kind is _MAP or kind is _SET) != mapping:
            raise self._error(_wrong_tag(tag, "a mapping" if mapping else "a list"), start)
        if parent is not None and parent.kind is _PAIRS and kind is not _MAP:
            raise self._error(_PAIRS_ONLY, start)
        if parent is None and kind is not _MAP:
            raise self._error("front matter is a list, not `key: value` lines", start)
        if event.anchor is not None:
            self.anchors[event.anchor] = None
            self.names[0].append(event.anchor)
        frame = _Frame(kind, bool(event.flow_style), start)
        if parent is None:
            self.block = not frame.flow
        self.stack.append(frame)

    def _close(self, end: int) -> None:
        frame = self.stack.pop()
        value = list(frame.value) if frame.kind is _SET else frame.value
        if not self.stack:
            self.root = value
            return
        pair = self.stack[-1].kind is _PAIRS
        if pair:
            if frame.pairs != 1:
                raise self._error(_PAIRS_ONLY, frame.index)
            value = list(next(iter(value.items())))
        self._add(value, "", frame.index, end if frame.flow else frame.last_end, pair)

    def _alias(self, event: AliasEvent) -> None:
        start = event.start_mark.index
        if event.anchor not in self.anchors:
            raise self._error(f"YAML error in front matter: found undefined alias {event.anchor!r}", start)
        target = self.anchors[event.anchor]
        if target is None:
            raise self._error("front matter uses YAML aliases (`*name`) of lists or mappings, "
                              "which annotator does not accept", start)
        if self.stack and self.stack[-1].kind is not _SEQ and self.stack[-1].kind is not _PAIRS \
                and self.stack[-1].key is None:  # (an edit could not keep such a key as written)
            raise self._error("front matter uses a YAML alias (`*name`) as a key, which annotator does not accept",
                              start)
        self.names[1].append(event.anchor)
        self._add(target[0], target[1], start, event.end_mark.index)

    def _add(self, value: Any, text: str, start: int, end: int, pair: bool = False) -> None:
        """Put a value read (TEXT: a scalar as written; PAIR: a `key: value` item of !!omap or
        !!pairs) into the list or mapping being read."""
        if not self.stack:
            if value is not None:
                raise self._error("front matter is a single value, not `key: value` lines", start)
            return
        frame = self.stack[-1]
        frame.last_end = end
        if frame.kind is _SEQ or frame.kind is _PAIRS:
            if frame.kind is _PAIRS and not pair:
                raise self._error(_PAIRS_ONLY, start)
            frame.value.append(value)
        elif frame.key is None:
            frame.key, frame.key_start, frame.key_end = text, start, end
        else:
            if self.spans is not None and len(self.stack) == 1:
                anchors, aliases = self.names
                self.spans.append(KeySpan(frame.key, frame.key_start, frame.key_end, start, end,
                                          tuple(anchors), tuple(aliases)))
                self.names = ([], [])
            frame.value[frame.key] = None if frame.kind is _SET else value
            frame.key = None
            frame.pairs += 1

    def _reader_index(self, position: int) -> int:
        """The character index of a reader error's POSITION."""
        if not _BYTE_OFFSETS:
            return position
        return len(self.text.encode("utf-8")[:position].decode("utf-8", "ignore"))

    def _error(self, reason: str, index: int) -> AnnotatorError:
        """REASON at character INDEX of the YAML text; lines end at \\n, \\r\\n or \\r, as in an editor."""
        before = self.text[:index]
        line = self.first_line + before.count("\n") + before.count("\r") - before.count("\r\n")
        return AnnotatorError(reason, self.path, line)


# --- scalars --------------------------------------------------------------------------------

_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_INT = re.compile(r"[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|0[0-7]*|[1-9][0-9]*(?::[0-5]?[0-9])*)\Z")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_BASE60_FLOAT = re.compile(r"[-+]?[0-9]+(?::[0-5]?[0-9])+\.[0-9]*\Z")
_NOT_FINITE = re.compile(r"[-+]?\.?(?:inf|infinity|nan)\Z", re.IGNORECASE)  # (PyYAML took `!!float inf` too)
# YAML 1.1 timestamps, and the `+0800` zones Jekyll posts use
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+]([0-9]{1,2})(?::?([0-9]{2}))?))?)?\Z"
)


def _bool(text: str) -> bool:
    value = _BOOLS.get(text.lower())
    if value is None:
        raise _Invalid("a !!bool (true, false, yes, no, on or off)")
    return value


def _int(text: str) -> int | str:
    digits = text.replace("_", "")
    if not _INT.match(digits):
        raise _Invalid("an !!int")
    if len(digits) > _MAX_NUMBER_CHARS:
        return text
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("+-")
    if digits.startswith(("0b", "0x", "0o")):  # (PyYAML took `!!int 0o17` too)
        value = int(digits[2:], {"b": 2, "x": 16, "o": 8}[digits[1]])
    elif digits.startswith("0"):
        value = int(digits, 8)
    else:
        value = 0
        for part in digits.split(":"):  # `1:30` is 90, as in YAML 1.1
            value = value * 60 + int(part)
    return sign * value if value.bit_length() <= _MAX_INT_BITS else text


def _float(text: str) -> float | str:
    digits = text.replace("_", "")
    if _NOT_FINITE.match(digits) or len(digits) > _MAX_NUMBER_CHARS:
        return text  # JSON has no NaN or infinity
    if _BASE60_FLOAT.match(digits):
        value = 0.0
        for part in digits.lstrip("+-").split(":"):
            value = value * 60 + float(part)
        value = -value if digits[0] == "-" else value
    elif _FLOAT.match(digits):
        value = float(digits)
    else:
        raise _Invalid("a !!float")
    return value if math.isfinite(value) else text


def _timestamp(text: str) -> str:
    match = _TIMESTAMP.match(text)
    if not match:
        raise _Invalid("a !!timestamp (a date such as 2024-09-02 or 2024-09-02 10:00:00 +08:00)")
    year, month, day, hour, minute, second, zone_hour, zone_minute = (int(g or 0) for g in match.groups())
    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise _Invalid("a !!timestamp: there is no such date or time") from None
    if zone_hour > 23 or zone_minute > 59:
        raise _Invalid("a !!timestamp: there is no such time zone")
    return text


def _binary(text: str) -> str:
    """The bytes TEXT encodes, as text (PyYAML's lenient decoding would take `!!!` for no bytes)."""
    try:
        data = binascii.a2b_base64("".join(text.split()).encode("ascii"), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        raise _Invalid("!!binary (base64)") from None
    return data.decode("utf-8", "replace")


_SCALARS = {
    _NULL: lambda text: None,
    _Y + "bool": _bool,
    _Y + "int": _int,
    _Y + "float": _float,
    _Y + "timestamp": _timestamp,
    _Y + "binary": _binary,
    _Y + "merge": str,  # `<<` and `=` are text here: keys are as written, and nothing is merged
    _Y + "value": str,
}
_KINDS = {_MAP: _MAP, _SET: _SET, _SEQ: _SEQ, _OMAP: _PAIRS, _PAIRS: _PAIRS}  # (kinds compare by identity)
_PAIRS_ONLY = "YAML error in front matter: each item of !!omap or !!pairs is one `key: value` pair"


def _wrong_tag(tag: str, found: str) -> str:
    """What is wrong with TAG on FOUND (`a list`, `a mapping`, `a single value`)."""
    if tag == _STR or tag in _SCALARS:
        needs = "a single value"
    elif tag in _KINDS:
        needs = "a mapping" if tag in (_MAP, _SET) else "a list"
    else:
        return f"YAML error in front matter: the tag {_short(tag)} is not accepted in front matter"
    return f"YAML error in front matter: {_short(tag)} needs {needs}, not {found}"


def _short(tag: str) -> str:
    """TAG as written in YAML (`!!int`, `!custom`), shortened if very long."""
    short = "!!" + tag[len(_Y) :] if tag.startswith(_Y) else tag
    return short if len(short) <= 60 else short[:60] + "…"
