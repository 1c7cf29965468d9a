"""Notes preview: Markdown rendered to sanitised HTML in a browser that loads nothing.

Notes are written by students and may be pasted from anywhere, so the preview treats them as
hostile: python-markdown passes raw HTML through, nh3 then keeps only harmless tags and web links,
and the browser widget refuses every resource (no local files, no remote images) and opens links
only in the system browser, only for http/https.
"""

from __future__ import annotations

from urllib.parse import urlparse

import markdown
import nh3
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
LINK_SCHEMES = {"http", "https", "mailto"}
WEB_SCHEMES = ("http", "https")
_MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]
_PREVIEW_CSS = (
    "blockquote { margin-left: 8px; margin-right: 0px; color: #555555; }"
    "pre, code { font-family: monospace; } ul, ol { margin-left: 0px; } h1 { font-size: x-large; }"
)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop links without an allowed scheme (relative ones too: there is no page to be relative to)."""
    if attribute == "href" and urlparse(value.strip()).scheme.lower() not in LINK_SCHEMES:
        return None
    return value


def render_notes_html(notes: str) -> str:
    """Markdown NOTES as HTML safe to show: no scripts, images, styles, or non-web links."""
    html = markdown.markdown(notes, extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def is_web_url(url: str | QUrl) -> bool:
    """True for an absolute http(s) link with a host."""
    text = url.toString() if isinstance(url, QUrl) else url
    parsed = urlparse(text.strip())
    return parsed.scheme.lower() in WEB_SCHEMES and bool(parsed.netloc)


def open_web_link(url: str | QUrl) -> bool:
    """Open URL in the system browser if it is an http(s) link; anything else is ignored."""
    if not is_web_url(url):
        return False
    return QDesktopServices.openUrl(url if isinstance(url, QUrl) else QUrl(url.strip()))


class NotesPreview(QTextBrowser):
    """A read-only browser for rendered notes that never loads a resource or follows a link itself."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.refused_resources: list[str] = []
        self.sanitized_html = ""
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.document().setDefaultStyleSheet(_PREVIEW_CSS)
        self.setPlaceholderText("The notes, as they will read on the site, appear here.")
        self.anchorClicked.connect(open_web_link)

    def loadResource(self, kind: int, url: QUrl) -> object:
        """Refuse everything: images, style sheets, local files."""
        self.refused_resources.append(url.toString())
        return None

    def show_notes(self, notes: str) -> str:
        """Render NOTES and show them; returns the sanitised HTML."""
        self.sanitized_html = render_notes_html(notes)
        self.setHtml(self.sanitized_html)
        return self.sanitized_html
