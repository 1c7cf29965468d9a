"""The selected paper's details: title, link, authors, abstract, and where it is used."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

from annotator.ui.plain_text import escape

SESSION_SCHEME = "session"


def is_web_link(url: str) -> bool:
    """True for an http(s) URL with a host: the only links the pane makes clickable."""
    parsed = urlparse(url.strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not any(c.isspace() for c in url.strip())


def _section(heading: str, body: str) -> str:
    return f"<h4 style='margin-bottom:2px; color:gray'>{escape(heading)}</h4>{body}"


def paper_html(paper: dict[str, Any]) -> str:
    """The pane's HTML for PAPER (paper_browser.paper_detail); every library value is escaped."""
    parts = [f"<h3>{escape(paper['title'])}</h3>"]
    url = paper["url"].strip()
    if url:
        shown = escape(url)
        link = f"<a href='{escape(url)}'>{shown}</a>" if is_web_link(url) else shown
        parts.append(f"<p>{link}</p>")
    if paper["arxiv_id"]:
        parts.append(f"<p>arXiv {escape(paper['arxiv_id'])}</p>")
    if paper["authors"]:
        parts.append(_section("Authors", f"<p>{escape(paper['authors'])}</p>"))
    if paper["abstract"]:
        parts.append(_section("Abstract", f"<p>{escape(paper['abstract'])}</p>"))
    if paper["sessions"]:
        items = "".join(
            f"<li><a href='{SESSION_SCHEME}:{s['session_id']}'>{escape(s['ref'])}</a> {escape(s['title'])}</li>"
            for s in paper["sessions"]
        )
        parts.append(_section("Read in sessions", f"<ul>{items}</ul>"))
    else:
        parts.append(_section("Read in sessions", "<p><i>none yet</i></p>"))
    if paper["lists"]:
        items = "".join(f"<li>{escape(name)}</li>" for name in paper["lists"])
        parts.append(_section("In paper lists", f"<ul>{items}</ul>"))
    return "".join(parts)


class PaperDetailPane(QTextBrowser):
    """Read-only details of one paper; web links open in the browser, session links are signalled."""

    session_requested = Signal(int)  # session row id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setObjectName("paperDetail")
        self.anchorClicked.connect(self._open)
        self.show_placeholder("Select a paper to see its details.")

    def show_paper(self, paper: dict[str, Any]) -> None:
        """Show PAPER (paper_browser.paper_detail)."""
        self.setHtml(paper_html(paper))

    def show_placeholder(self, text: str) -> None:
        self.setHtml(f"<p style='color:gray'>{escape(text)}</p>")

    def _open(self, url: QUrl) -> None:
        if url.scheme() == SESSION_SCHEME:
            self.session_requested.emit(int(url.path()))
        elif is_web_link(url.toString()):
            QDesktopServices.openUrl(url)
