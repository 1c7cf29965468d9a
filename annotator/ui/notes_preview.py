"""Notes preview: Markdown rendered as the site will show it, sanitised, in a browser that loads nothing.

The site's Jekyll reads posts with kramdown's GitHub-flavoured input, so the preview renders GFM
(markdown-it-py's gfm-like preset: tables, fenced code, strikethrough; task lists by a plugin,
shown as ☐/☑). Notes are written by students and may be pasted from anywhere, so the preview
treats them as hostile: raw HTML that embeds something (an image, a video, a frame, a script)
is shown as an inert placeholder naming it, so nothing the site would show is silently dropped;
nh3 then keeps only harmless tags and web links; and the browser widget refuses every resource
(no local files, no remote images) and opens links only in the system browser, only for http/https.
"""

from __future__ import annotations

import re
from html import escape as html_escape
from typing import Any
from urllib.parse import urlparse

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin
from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

from annotator.ui.theme import preview_css

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
LINK_SCHEMES = {"http", "https", "mailto"}
WEB_SCHEMES = ("http", "https")
_GFM = MarkdownIt("gfm-like", {"linkify": False, "html": True}).use(tasklists_plugin)
# Raw HTML elements that embed or run something: each is shown as a placeholder, its content dropped.
_EMBEDDING = ("img", "iframe", "video", "audio", "embed", "object", "script", "style", "svg", "canvas", "form",
              "input", "button", "link", "meta", "source", "picture", "math", "frame", "frameset", "noscript")
_WITH_CONTENT = ("script", "style", "svg", "math", "noscript", "object", "video", "audio", "iframe", "canvas", "form")
_OPEN_TAG = re.compile(r"<\s*(" + "|".join(_EMBEDDING) + r")\b([^<>]{0,4000})>?", re.IGNORECASE)
_CLOSE_TAG = re.compile(r"<\s*/\s*(?:" + "|".join(_EMBEDDING) + r")\s*>", re.IGNORECASE)
_SOURCE = re.compile(r"""\b(?:src|data|href)\s*=\s*["']?([^"'\s<>]{1,2000})""", re.IGNORECASE)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop links without an allowed scheme (relative ones too: there is no page to be relative to)."""
    if attribute == "href" and urlparse(value.strip()).scheme.lower() not in LINK_SCHEMES:
        return None
    return value


def _placeholder(tag: str, attributes: str) -> str:
    """What the site would embed, named: `[image from example.org]`, `[iframe]` (a local file's path is not shown)."""
    source = _SOURCE.search(attributes)
    host = urlparse(source.group(1)).netloc if source and is_web_url(source.group(1)) else ""
    kind = {"img": "image", "source": "media"}.get(tag.lower(), tag.lower())
    return f"<code>[{kind} from {html_escape(host)}]</code>" if host else f"<code>[{kind}]</code>"


def _inert(raw: str) -> str:
    """RAW HTML from the notes with every embedding element replaced by its placeholder (its content dropped)."""
    out: list[str] = []
    lower = raw.lower()
    start = 0
    unclosed: set[str] = set()  # tags with no end tag left: not looked for again (that made it quadratic)
    for match in _OPEN_TAG.finditer(raw):
        if match.start() < start:
            continue  # inside an element already dropped with its content
        out.append(raw[start:match.start()])
        out.append(_placeholder(match.group(1), match.group(2)))
        start = match.end()
        tag = match.group(1).lower()
        if tag in _WITH_CONTENT and tag not in unclosed:
            end = lower.find(f"</{tag}", start)
            if end < 0:
                unclosed.add(tag)
            else:
                close = lower.find(">", end)
                start = len(raw) if close < 0 else close + 1
    out.append(raw[start:])
    return _CLOSE_TAG.sub("", "".join(out))


def _render_html(_renderer: Any, tokens: list[Any], index: int, _options: Any, _env: Any) -> str:
    content = tokens[index].content
    if content.startswith('<input class="task-list-item-checkbox"'):  # the task-list plugin's own checkbox
        return "☑" if 'checked="checked"' in content else "☐"
    return _inert(content)


_GFM.add_render_rule("html_block", _render_html)
_GFM.add_render_rule("html_inline", _render_html)


PREVIEW_CHARS = 50_000  # the sanitiser is superlinear on some input (a long run of `&`): the preview stays quick


def render_notes_html(notes: str) -> str:
    """Markdown NOTES as HTML safe to show: no scripts, images, styles, or non-web links.

    Notes longer than PREVIEW_CHARS are previewed up to there (all of them are saved and exported).
    """
    cut = len(notes) > PREVIEW_CHARS
    if cut:
        notes = notes[:PREVIEW_CHARS] + f"\n\n*(The preview stops here, after {PREVIEW_CHARS:,} characters; " \
                                         "all of the notes are saved and exported.)*\n"
    html = _GFM.render(notes)
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
        self.document().setDefaultStyleSheet(preview_css(self.palette()))
        self.setPlaceholderText("The notes, as they will read on the site, appear here.")
        self.anchorClicked.connect(open_web_link)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: the style sheet applies when HTML is set
            self.document().setDefaultStyleSheet(preview_css(self.palette()))
            if self.sanitized_html:
                self.setHtml(self.sanitized_html)

    def loadResource(self, kind: int, url: QUrl) -> object:
        """Refuse everything: images, style sheets, local files."""
        self.refused_resources.append(url.toString())
        return None

    def show_notes(self, notes: str) -> str:
        """Render NOTES and show them; returns the sanitised HTML."""
        self.sanitized_html = render_notes_html(notes)
        self.setHtml(self.sanitized_html)
        return self.sanitized_html
