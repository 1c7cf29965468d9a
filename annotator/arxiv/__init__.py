"""arXiv lookups: the API client and its Atom parser. No Qt, no SQL (the cache lives in store/lookups.py)."""

from annotator.arxiv.atom import ArxivEntry, ArxivResponseError, parse_feed
from annotator.arxiv.client import ArxivClient, ArxivOffline, LookupCancelled

__all__ = ["ArxivClient", "ArxivEntry", "ArxivOffline", "ArxivResponseError", "LookupCancelled", "parse_feed"]
