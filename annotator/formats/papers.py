"""Paper identity: arXiv ids from URLs, and normalised titles (docs/formats.md section 5)."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

_ARXIV_URL = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# ASCII bytes that are not letters or digits, mapped to a space: the regex's result, faster.
_ASCII_NON_WORD = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))


def arxiv_id_from_url(url: str) -> str:
    """Return the arXiv id in an abs/pdf/html URL, without version ('' when there is none)."""
    if not url:
        return ""
    match = _ARXIV_URL.search(url)
    return match.group("id") if match else ""


def title_key(title: str) -> str:
    """Fold case, whitespace and punctuation so that one paper's titles compare equal."""
    if title.isascii():  # most titles; a 10k-paper list import spends its time here
        return " ".join(title.encode().translate(_ASCII_NON_WORD).decode().lower().split())
    text = unicodedata.normalize("NFKC", title).casefold()
    return _NON_WORD.sub(" ", text).strip()


# How a paper is matched against the library and what its row holds (store/papers):
# (arXiv id or '', title key to match by, title as written but for whitespace,
#  then the row without its id: title, title_key, url, arxiv_id or None, authors, abstract).
PaperFields = tuple[str, str, str, str, str, str, "str | None", str, str]


class PaperText(Protocol):
    """What paper_fields reads of a paper: a model.Paper (which asks this module for its arXiv id)."""

    title: str
    url: str
    authors: str
    abstract: str


def paper_fields(paper: PaperText) -> PaperFields:
    """PAPER as the library matches and stores it; pure text work, so parse workers can do it."""
    raw = paper.title
    title = " ".join(raw.split())
    if title == raw:
        title = raw  # the same string: sent to the importing process once
    key = title_key(raw)
    url = paper.url.strip()
    stored_title, stored_key = title, key
    if title != raw or not title:
        stored_title = title or url  # a paper without a title is named by its URL
        stored_key = title_key(stored_title)
    arxiv_id = arxiv_id_from_url(paper.url)
    return (arxiv_id, key, title, stored_title, stored_key, url, arxiv_id or None,
            paper.authors.strip(), paper.abstract.strip())
