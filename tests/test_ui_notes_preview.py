"""Hostile notes render inert: no scripts, no local files, no non-web links, nothing loaded."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from annotator.ui.notes_preview import NotesPreview, open_web_link, render_notes_html

HOSTILE = (
    "# Notes\n\n"
    "<img src=file:///etc/passwd>\n\n"
    "<script>alert(1)</script>\n\n"
    "[x](javascript:alert(1)) and [y](JavaScript:alert(2))\n\n"
    '<a href="data:text/html,x">data</a> <a href="file:///etc/passwd">file</a>\n\n'
    '<iframe src="https://evil.example"></iframe><style>body{}</style>\n\n'
    '<p onclick="alert(1)" style="background:url(file:///x)">styled</p>\n\n'
    "![pic](file:///etc/passwd) ![remote](https://example.org/x.png)\n\n"
    "[a web link](https://arxiv.org/abs/1706.03762) and <mailto:someone@example.org>\n"
)


def test_sanitised_html_keeps_nothing_dangerous():
    html = render_notes_html(HOSTILE).lower()
    for bad in ("<script", "alert(", "javascript:", "data:", "file:", "<img", "<iframe", "<style",
                "onclick", "style="):
        assert bad not in html, bad
    assert '<a href="https://arxiv.org/abs/1706.03762"' in html
    assert "mailto:" in html
    assert "<h1>notes</h1>" in html


def test_preview_never_loads_a_resource(qtbot):
    preview = NotesPreview()
    qtbot.addWidget(preview)
    html = preview.show_notes(HOSTILE)
    preview.resize(400, 300)
    preview.show()
    qtbot.waitExposed(preview)
    assert "file:" not in html
    assert preview.openLinks() is False and preview.openExternalLinks() is False
    # Whatever Qt asks for is refused, and it was never asked for a local file.
    assert not any(url.startswith("file:") for url in preview.refused_resources)
    assert preview.loadResource(2, QUrl("file:///etc/passwd")) is None
    assert "file:///etc/passwd" in preview.refused_resources
    assert "styled" in preview.toPlainText()


@pytest.mark.parametrize(("url", "opened"), [
    ("https://arxiv.org/abs/1706.03762", True),
    ("http://example.org", True),
    ("javascript:alert(1)", False),
    ("file:///etc/passwd", False),
    ("data:text/html,x", False),
    ("mailto:a@b.org", False),
    ("relative/path", False),
])
def test_links_open_only_on_the_web(monkeypatch, qtbot, url, opened):
    calls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda u: calls.append(u.toString()) or True))
    preview = NotesPreview()
    qtbot.addWidget(preview)
    preview.anchorClicked.emit(QUrl(url))
    assert bool(calls) is opened
    assert open_web_link(url) is opened
