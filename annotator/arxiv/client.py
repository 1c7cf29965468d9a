"""The arXiv API over HTTP: the documented Atom API called with urllib, one request at a time.

Why not the `arxiv` package: it is one more dependency for two GET requests, and it hides what
this client must control itself: the base URL (ANNOTATOR_ARXIV_API, for tests, mirrors and
proxies), the timeout of each request, the retries, and arXiv's rule of one request every
3 seconds across a whole batch. The answers are parsed by `atom.parse_feed`.

Nothing here touches the library: the store decides what to look up and what to keep.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from annotator import __version__
from annotator.arxiv.atom import ArxivEntry, ArxivResponseError, parse_feed
from annotator.errors import AnnotatorError
from annotator.formats.papers import title_key

DEFAULT_API = "https://export.arxiv.org/api/query"
API_ENV = "ANNOTATOR_ARXIV_API"
MAX_RETRY_AFTER_S = 30.0  # a longer Retry-After is arXiv saying "not now": the user hears so at once
MAX_ANSWER_BYTES = 8 * 1024 * 1024  # a feed of a few entries is a few KB; a mirror gone wrong must not fill memory
_WAIT_SLICE_S = 0.05  # how often a rate-limit wait looks at Cancel
_READ_PIECE = 64 * 1024
Cancelled = Callable[[], bool]


class ArxivOffline(AnnotatorError):
    """arXiv could not be reached (no network, refused, timed out, busy) after the retries; nothing was changed."""


class LookupCancelled(Exception):
    """The user pressed Cancel while a lookup waited for its turn."""


def api_url() -> str:
    """The API's base URL: ANNOTATOR_ARXIV_API when set, else arXiv's own."""
    return os.environ.get(API_ENV, "").strip() or DEFAULT_API


class ArxivClient:
    """Queries arXiv's API, at most one request per MIN_INTERVAL seconds (shared by every thread using it)."""

    def __init__(self, base_url: str | None = None, timeout: float = 15.0, min_interval: float = 3.0,
                 retries: int = 2, *, clock: Callable[[], float] = time.monotonic):
        self.base_url = base_url or api_url()
        self.timeout = timeout
        self.min_interval = min_interval
        self.retries = retries
        self.requests = 0  # HTTP requests sent so far (a cached lookup sends none)
        self._clock = clock
        self._next_at = float("-inf")  # the clock's time at which the next request may go
        self._lock = threading.Lock()

    def by_id(self, arxiv_id: str, *, cancelled: Cancelled | None = None) -> list[ArxivEntry]:
        """The paper with that arXiv id (a list of at most one; empty when arXiv has none)."""
        return self._query({"id_list": arxiv_id.strip(), "max_results": "1"}, cancelled)

    def by_title(self, title: str, max_results: int = 5, *, cancelled: Cancelled | None = None) -> list[ArxivEntry]:
        """Papers whose title holds TITLE's words as a phrase, best first (arXiv's relevance order)."""
        words = title_key(title)  # punctuation would be query syntax (ti:, AND, quotes, parentheses)
        if not words:
            return []
        return self._query({"search_query": f'ti:"{words}"', "max_results": str(max_results)}, cancelled)

    def _query(self, params: dict[str, str], cancelled: Cancelled | None) -> list[ArxivEntry]:
        url = f"{_web_address(self.base_url)}?{urllib.parse.urlencode(params)}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self._wait_turn(cancelled)
            try:
                return parse_feed(self._get(url))
            except urllib.error.HTTPError as exc:
                exc.close()  # (its body is not read: the status says it all)
                if exc.code not in (429, 503):
                    raise ArxivResponseError(f"arXiv answered HTTP {exc.code} {exc.reason}".rstrip()) from None
                wait = _retry_after(exc.headers.get("Retry-After"))
                if last or wait > MAX_RETRY_AFTER_S:
                    raise ArxivOffline(f"arXiv is busy (HTTP {exc.code}, after {_tries(attempt + 1)}): "
                                       "nothing was changed") from None
                self._postpone(wait)
            except urllib.error.URLError as exc:
                if not isinstance(exc.reason, TimeoutError):
                    raise ArxivOffline(f"arXiv is not reachable ({_reason(exc.reason)}): nothing was changed") from None
                if last:
                    raise self._timed_out() from None
            except (TimeoutError, ConnectionError, http.client.HTTPException):
                if last:
                    raise self._timed_out() from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _get(self, url: str) -> str:
        request = urllib.request.Request(url, headers={"User-Agent": f"annotator/{__version__} (reading-group tool)"})
        # urllib's timeout bounds each wait for the socket, not the answer: one that trickles in would never end
        deadline = time.monotonic() + self.timeout
        data = bytearray()
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            while len(data) <= MAX_ANSWER_BYTES and (piece := answer.read1(_READ_PIECE)):
                data += piece
                if time.monotonic() > deadline:
                    raise TimeoutError("the answer took longer than the timeout")
        if len(data) > MAX_ANSWER_BYTES:
            raise ArxivResponseError(f"arXiv's answer is larger than {MAX_ANSWER_BYTES // 2**20} MB")
        return bytes(data).decode("utf-8", "replace")

    def _timed_out(self) -> ArxivOffline:
        return ArxivOffline(f"arXiv is not reachable (timed out after {self.timeout:g} s, "
                            f"{_tries(self.retries + 1)}): nothing was changed")

    def _wait_turn(self, cancelled: Cancelled | None) -> None:
        """Sleep until MIN_INTERVAL has passed since the previous request; then this request is the latest."""
        with self._lock:
            while (left := self._next_at - self._clock()) > 0:
                if cancelled and cancelled():
                    raise LookupCancelled()
                time.sleep(min(left, _WAIT_SLICE_S))
            if cancelled and cancelled():
                raise LookupCancelled()
            self._next_at = self._clock() + self.min_interval
            self.requests += 1

    def _postpone(self, seconds: float) -> None:
        """The server asked for a pause (Retry-After): the next request waits at least that long."""
        with self._lock:
            self._next_at = max(self._next_at, self._clock() + seconds)


def _web_address(url: str) -> str:
    """URL when it is an http(s) address, else AnnotatorError: urllib would raise ValueError for a URL without a
    scheme (a crash report), and read a file: URL from the disk."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise AnnotatorError(f"{API_ENV} is {url!r}, not a web address (http:// or https://): nothing was changed")
    return url


def _retry_after(value: str | None) -> float:
    """Retry-After in seconds (a number; an HTTP date or nothing counts as 0: the rate limit's wait applies)."""
    try:
        return max(0.0, float(value or 0))
    except ValueError:
        return 0.0


def _tries(count: int) -> str:
    return f"{count} tr{'y' if count == 1 else 'ies'}"


def _reason(reason: object) -> str:
    """What went wrong in a few words: the OS's message, without its errno."""
    return getattr(reason, "strerror", None) or str(reason)
