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
    # No element or attribute that runs, loads or links anything but the web. (A refused link stays
    # on the page as the text it was written as: inert, as the site would show it.)
    for bad in ("<script", "<img", "<iframe", "<style", "<input", "onclick", "style=", "src=", 'href="javascript',
                'href="data:', 'href="file:', "<a href=\"j"):
        assert bad not in html, bad
    assert "alert(1)</" not in html  # the script's body went with it
    assert '<a href="https://arxiv.org/abs/1706.03762"' in html
    assert "mailto:" in html
    assert "<h1>notes</h1>" in html
    # What the site would embed is named, not silently dropped; a local file's path is not shown.
    assert "<code>[iframe from evil.example]</code>" in html and "<code>[image]</code>" in html
    assert "<code>[script]</code>" in html and "<code>[style]</code>" in html


def test_notes_render_as_github_flavoured_markdown_like_the_site():
    html = render_notes_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] read it\n- [ ] blog it\n\n"
                             "```python\nx = 1\n```\n\n<b>kept</b> and <div align=center>its text</div>\n")
    assert "<table>" in html and "<td>1</td>" in html
    assert "<s>gone</s>" in html
    assert "<li>☑ read it</li>" in html and "<li>☐ blog it</li>" in html
    assert "<pre><code>x = 1\n</code></pre>" in html
    assert "<b>kept</b>" in html and "its text" in html


def test_preview_never_loads_a_resource(qtbot):
    preview = NotesPreview()
    qtbot.addWidget(preview)
    html = preview.show_notes(HOSTILE)
    preview.resize(400, 300)
    preview.show()
    qtbot.waitExposed(preview)
    assert 'src="file:' not in html and 'href="file:' not in html  # (as text it stays: inert)
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


@pytest.mark.parametrize("line", ["<img " * 200_000, "<script>" * 125_000, "<iframe src=" + "x" * 1_000_000,
                                  "| a " * 250_000, "~~" * 500_000], ids=["img", "script", "iframe", "table", "strike"])
def test_a_megabyte_line_of_notes_renders_in_linear_time(line):
    from tests.hang_guard import finishes_within

    html = finishes_within(30, lambda: render_notes_html(line + "\n"))
    assert "<script" not in html and "<img" not in html and "<iframe" not in html


def test_very_long_notes_preview_their_start_quickly_and_say_so():
    from tests.hang_guard import finishes_within

    html = finishes_within(5, lambda: render_notes_html("&" * 1_000_000))  # the sanitiser alone took 9 s on this
    assert "The preview stops here, after 50,000 characters" in html
