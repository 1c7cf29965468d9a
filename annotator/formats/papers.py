"""Paper identity: arXiv ids from URLs, and normalised titles (docs/formats.md section 5)."""

from __future__ import annotations

import re
import unicodedata

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
