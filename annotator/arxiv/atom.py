"""arXiv's Atom answers read into `ArxivEntry` values: no network here, tested on strings.

The feed's shape is the one the arXiv API user manual documents: a `<feed>` in the Atom
namespace whose `<entry>` elements hold `<id>` (the abs URL with its version), `<title>` and
`<summary>` (both hard-wrapped), `<published>` and one `<author><name>` per author. A query
arXiv cannot answer comes back as HTTP 200 with one entry whose id is under
`http://arxiv.org/api/errors`: that is an error, never a result.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from annotator.errors import AnnotatorError

_ATOM = "{http://www.w3.org/2005/Atom}"
_ERROR_ID = "arxiv.org/api/errors"
_ABS_PREFIX = re.compile(r"arxiv\.org/abs/", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")
_ID_CHARS = re.compile(r"[\w.\-/]+")
# A DTD is the only place entities are declared: refusing one refuses every entity-expansion
# bomb (billion laughs, external entities) before expat reads it; arXiv's feeds never have one.
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)


class ArxivResponseError(AnnotatorError):
    """arXiv (or the server at ANNOTATOR_ARXIV_API) answered with something that is not a usable feed."""


@dataclass(frozen=True, slots=True)
class ArxivEntry:
    """One arXiv paper as the API describes it."""

    arxiv_id: str  # without version: "2303.17564", old style "cs/0112017"
    title: str  # whitespace collapsed
    authors: tuple[str, ...]
    abstract: str
    published: str  # "2023-03-30"

    @property
    def year(self) -> int:
        """The year it was first published on arXiv (0 when the feed had no date)."""
        return int(self.published[:4]) if self.published[:4].isdigit() else 0

    @property
    def abs_url(self) -> str:
        """Its abstract page, the link a post carries."""
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def authors_text(self) -> str:
        """The authors as a paper's `authors` field holds them: comma-separated."""
        return ", ".join(self.authors)

    def first_authors(self, most: int) -> str:
        """The first MOST authors, "et al." after them: how a list of candidates names them."""
        return ", ".join(self.authors[:most]) + (" et al." if len(self.authors) > most else "")


def collapse(text: str | None) -> str:
    """TEXT with every run of whitespace (arXiv's hard wraps) made one space."""
    return " ".join((text or "").split())


def parse_feed(text: str) -> list[ArxivEntry]:
    """The entries of an arXiv Atom feed, in its order; ArxivResponseError (one line) when it is not one."""
    if _DOCTYPE.search(text):
        raise ArxivResponseError("arXiv's answer is not an Atom feed (it declares a DTD)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ArxivResponseError(f"arXiv's answer is not valid XML ({exc})") from None
    if root.tag != f"{_ATOM}feed":
        raise ArxivResponseError(f"arXiv's answer is not an Atom feed (its root is <{root.tag}>)")
    return [_entry(element) for element in root.iter(f"{_ATOM}entry")]


def _entry(element: ET.Element) -> ArxivEntry:
    raw_id = collapse(element.findtext(f"{_ATOM}id"))
    if _ERROR_ID in raw_id:
        reason = collapse(element.findtext(f"{_ATOM}summary")) or "no reason given"
        raise ArxivResponseError(f"arXiv refused the query: {reason}")
    prefix = _ABS_PREFIX.search(raw_id)
    arxiv_id = _VERSION.sub("", raw_id[prefix.end():]) if prefix else ""
    if not _ID_CHARS.fullmatch(arxiv_id):
        raise ArxivResponseError(f"arXiv's answer has an entry without an arXiv id: {raw_id[:80]!r}")
    authors = tuple(name for name in (collapse(a.findtext(f"{_ATOM}name")) for a in element.iter(f"{_ATOM}author"))
                    if name)
    return ArxivEntry(
        arxiv_id=arxiv_id,
        title=collapse(element.findtext(f"{_ATOM}title")),
        authors=authors,
        abstract=collapse(element.findtext(f"{_ATOM}summary")),
        published=collapse(element.findtext(f"{_ATOM}published"))[:10],
    )
