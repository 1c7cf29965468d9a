"""Jekyll front matter: find it, and load it safely into plain JSON-friendly values.

Values are loaded with PyYAML's safe loader (C-accelerated when available). Timestamps stay
strings, as written, so the app shows `2025-09-02 10:00:00 +0800`, not a re-formatted datetime.
Aliases are refused: front matter never needs them, and they are how billion-laughs bombs work.

Most front matter is strings, nulls, lists and mappings only: such a document is built straight
from PyYAML's node tree. Anything else goes through PyYAML's constructor, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from annotator.errors import AnnotatorError
from annotator.formats.textfile import BOM
from annotator.formats.textlines import split_lines

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps timestamps as the strings they were written as."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a node, as BaseResolver.resolve says; its scalar case written out for speed
        (it runs for every key and value), which holds while no resolver is filed under None or
        by path."""
        if kind is not yaml.ScalarNode or _BY_PATH_OR_ANY_CHARACTER:
            return super().resolve(kind, value, implicit)
        if implicit[0]:  # a plain scalar: `~`, `true`, `12` ... are resolved by their first character
            for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        return self.DEFAULT_SCALAR_TAG


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
# Resolvers for any first character (filed under None) or by path: PyYAML's safe loader has none.
_BY_PATH_OR_ANY_CHARACTER = None in _FrontMatterLoader.yaml_implicit_resolvers or bool(_FrontMatterLoader.yaml_path_resolvers)
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_OPEN = re.compile(r"---[ \t]*\r?\n?\Z")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*\r?\n?\Z")
MAX_DEPTH = 50


@dataclass
class FrontMatterBlock:
    """Where the front matter sits: lines are 0-based indexes into split_lines(text, keepends=True)."""

    yaml_text: str
    open_line: int  # the opening `---`
    close_line: int  # the closing `---`


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
    """Load YAML_TEXT (which starts at FIRST_LINE of PATH) as an ordered dict of plain values."""
    try:
        loader = _FrontMatterLoader(yaml_text)
        try:  # (yaml.load, with a shortcut for plain documents)
            node = loader.get_single_node()
            if type(node) is yaml.MappingNode:
                try:
                    return _plain_nodes(node, set(), 0)
                except _NotPlain:
                    pass
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        reason = exc.problem or exc.context or "invalid YAML"
        raise AnnotatorError(f"YAML error in front matter: {reason}", path or None, line) from None
    except yaml.YAMLError as exc:
        raise AnnotatorError(f"YAML error in front matter: {exc}", path or None, first_line) from None
    except RecursionError:
        raise AnnotatorError("front matter is nested too deeply", path or None, first_line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else "a single value"
        raise AnnotatorError(f"front matter is {what}, not `key: value` lines", path or None, first_line)
    try:
        return _plain(data, set(), 0)
    except _Refused as exc:
        raise AnnotatorError(str(exc), path or None, first_line) from None


class _Refused(Exception):
    pass


class _NotPlain(Exception):
    """A node tree that _plain_nodes leaves to PyYAML's constructor."""


def _plain_nodes(node: yaml.Node, seen: set[int], depth: int) -> Any:
    """What _plain makes of the value PyYAML constructs from NODE, built from the nodes directly.

    Only for trees of string and null scalars, lists, and mappings with string keys, with no node
    met twice (aliases) or nested deeper than MAX_DEPTH; raises _NotPlain for anything else.
    """
    if depth > MAX_DEPTH:
        raise _NotPlain
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        raise _NotPlain
    if id(node) in seen:
        raise _NotPlain
    seen.add(id(node))
    if kind is yaml.MappingNode and tag == _MAP:
        mapping: dict[str, Any] = {}
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag != _STR:  # (`<<` merges, `=`, other keys)
                raise _NotPlain
            mapping[key.value] = _plain_nodes(value, seen, depth + 1)
        return mapping
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_plain_nodes(item, seen, depth + 1) for item in node.value]
    raise _NotPlain


def _plain(value: Any, seen: set[int], depth: int) -> Any:
    """Copy VALUE into JSON-friendly types; refuse shared nodes (aliases) and deep nesting."""
    if depth > MAX_DEPTH:
        raise _Refused("front matter is nested too deeply")
    if isinstance(value, str):  # most values
        return value
    if isinstance(value, (dict, list, set, tuple)):
        if id(value) in seen:
            raise _Refused("front matter uses YAML aliases (`*name`), which annotator does not accept")
        seen.add(id(value))
        if isinstance(value, dict):
            return {_key(k): _plain(v, seen, depth + 1) for k, v in value.items()}
        return [_plain(v, seen, depth + 1) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _key(key: Any) -> str:
    if type(key) is str:  # most keys
        return key
    if key is None:
        return ""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
