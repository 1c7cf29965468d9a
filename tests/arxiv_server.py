"""A stand-in for arXiv's API on 127.0.0.1, answering Atom feeds in the shape the API user manual documents.

Tests (and the GUI's) add papers with `add_paper`, point an `ArxivClient` (or ANNOTATOR_ARXIV_API)
at `server.url`, and read what was asked in `server.requests`, each with the server's own clock.
`script` queues special answers (HTTP 503, a slow answer, malformed XML) for the next requests.
Never reaches the internet.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from annotator.formats.papers import title_key

_FEED_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {query}</title>
  <id>http://arxiv.org/api/test</id>
  <updated>2026-01-01T00:00:00-05:00</updated>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>{count}</opensearch:itemsPerPage>
"""
_ENTRY = """  <entry>
    <id>http://arxiv.org/abs/{arxiv_id}v2</id>
    <updated>{published}T17:56:31Z</updated>
    <published>{published}T17:56:31Z</published>
    <title>{title}</title>
    <summary>  {abstract}
</summary>
{authors}    <link href="http://arxiv.org/abs/{arxiv_id}v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{arxiv_id}v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""
_ERROR_ENTRY = """  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{arxiv_id}</id>
    <title>Error</title>
    <summary>incorrect id format for {arxiv_id}</summary>
  </entry>
"""


@dataclass(frozen=True)
class Paper:
    """A paper the server knows."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    abstract: str = "We study things. Results follow."
    published: str = "2023-03-30"


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it: when (its monotonic clock), and the query's parameters."""

    at: float
    params: dict[str, str]


@dataclass
class Reply:
    """A scripted answer: STATUS with BODY (default: the normal feed), after DELAY seconds, with HEADERS."""

    status: int = 200
    body: str | None = None
    delay: float = 0.0
    trickle: float = 0.0  # seconds between each 64 bytes of the body (a server that answers, but ever so slowly)
    headers: dict[str, str] = field(default_factory=dict)


def _wrapped(text: str, width: int = 60) -> str:
    """TEXT hard-wrapped as arXiv wraps titles and abstracts."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return "\n  ".join([*lines, line])


def atom_feed(papers: list[Paper], query: str = "") -> str:
    """An Atom feed holding PAPERS, as arXiv's API writes one."""
    entries = "".join(_ENTRY.format(
        arxiv_id=p.arxiv_id, published=p.published, title=escape(_wrapped(p.title)), abstract=escape(_wrapped(p.abstract)),
        authors="".join(f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in p.authors))
        for p in papers)
    return _FEED_HEAD.format(query=escape(query), total=len(papers), count=len(papers)) + entries + "</feed>\n"


class ArxivServer:
    """The running server: its URL, its papers, its scripted replies and the requests it saw."""

    def __init__(self) -> None:
        self.papers: list[Paper] = []
        self.requests: list[Seen] = []
        self.replies: list[Reply] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/api/query"
        self._thread = threading.Thread(target=self._http.serve_forever, name="arxiv-test-server", daemon=True)

    def add_paper(self, arxiv_id: str, title: str, **fields: object) -> Paper:
        """Make the server know a paper (AUTHORS, ABSTRACT, PUBLISHED optional)."""
        paper = Paper(arxiv_id, title, **fields)  # type: ignore[arg-type]
        self.papers.append(paper)
        return paper

    def script(self, *replies: Reply) -> None:
        """The next requests get REPLIES, in order; later ones are answered normally."""
        with self._lock:
            self.replies.extend(replies)

    def answer(self, params: dict[str, str]) -> str:
        """The feed arXiv would send for PARAMS: papers by id_list, or whose title holds the ti:"…" phrase."""
        limit = int(params.get("max_results", "10"))
        if "id_list" in params:
            wanted = params["id_list"].split(",")
            if any(not i or " " in i for i in wanted):
                error = _ERROR_ENTRY.format(arxiv_id=escape(wanted[0]))
                return _FEED_HEAD.format(query="", total=1, count=1) + error + "</feed>\n"
            found = [p for p in self.papers if p.arxiv_id in wanted]
        else:
            query = params.get("search_query", "")
            phrase = title_key(query.removeprefix("ti:").strip('"'))
            found = [p for p in self.papers if phrase and f" {phrase} " in f" {title_key(p.title)} "]
        return atom_feed(found[:limit], urllib.parse.urlencode(params))

    def next_reply(self, params: dict[str, str]) -> Reply:
        """Note the request; the scripted reply it gets, or the normal one."""
        with self._lock:
            self.requests.append(Seen(time.monotonic(), params))
            return self.replies.pop(0) if self.replies else Reply()

    def start(self) -> ArxivServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # a slow reply still waiting gives up
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)


def _handler(server: ArxivServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # (http.server's name)
            query = urllib.parse.urlsplit(self.path).query
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            reply = server.next_reply(params)
            if reply.delay and server.stopping.wait(reply.delay):
                return
            body = (reply.body if reply.body is not None else server.answer(params)).encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                for start in range(0, len(body), 64 if reply.trickle else len(body) or 1):
                    if start and server.stopping.wait(reply.trickle):
                        return
                    self.wfile.write(body[start:start + 64] if reply.trickle else body)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the timeout tests): nothing to answer

        def log_message(self, format: str, *args: object) -> None:  # (http.server's signature)
            pass  # the tests read `requests`, not stderr

    return Handler

