"""Values written on one line of a post: a reading's team (`+ Team: x`) and video links (`+ Video: url`).

One rule for the file and the app: the parsers offer a `+ Video:` value as a link only when it
is one the app would accept (`video_link_problem`), and the store refuses, at edit time, a value
that would not come back from the file as it was written (it holds a line break, or the excerpt
marker, which the site's layouts split the post at wherever it stands), and notes or values that
would make the post unreadable (a NUL character: `text_problem`).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from annotator.formats.blog import EXCERPT_MARKER
from annotator.formats.textlines import ANY_BREAK

WEB_SCHEMES = ("http", "https")
_NOT_IN_LINKS = '<>"'  # never in a URL unescaped (RFC 3986), and where HTML and Markdown end one


def text_problem(text: str) -> str | None:
    """Why TEXT cannot be written into a post at all (notes included); None when it can."""
    if "\x00" in text:  # import refuses a file holding one: it reads as binary
        return "holds a NUL character (\\x00), which would make the post a binary file"
    return None


def one_line_problem(value: str) -> str | None:
    """Why VALUE cannot be written as a value on one line of a post; None when it can."""
    problem = text_problem(value)
    if problem:
        return problem
    if ANY_BREAK.search(value):
        return "holds a line break"
    if EXCERPT_MARKER in value:
        return f"holds {EXCERPT_MARKER}, where the site splits a post"
    return None


def video_link_problem(url: str) -> str | None:
    """Why URL (stripped) is not a video link the app offers to open; None when it is one."""
    problem = one_line_problem(url)
    if problem:
        return problem
    if any(c.isspace() or c in _NOT_IN_LINKS or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        return "holds spaces, quotes, <, > or invisible control characters"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a broken `[IPv6]` host
        return "is not a web link (http:// or https://)"
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return "is not a web link (http:// or https://)"
    return None


def is_video_link(url: str) -> bool:
    """True when URL is a web link a `+ Video:` line offers (see video_link_problem)."""
    return video_link_problem(url) is None
