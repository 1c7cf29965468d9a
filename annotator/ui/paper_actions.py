"""What a right-click offers for a paper, wherever it is shown: open its link, copy it, copy it as Markdown.

The link opens only when it is a web link (http/https), in the system browser; the clipboard
gets the text as it is in the library.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu

from annotator.ui.notes_preview import is_web_url, open_web_link

FIND_ON_ARXIV = "Find on arXiv…"  # in every paper's right-click menu, beside Edit Paper…


def markdown_link(title: str, url: str) -> str:
    """`[title](url)` as a session post writes a paper, or the title alone when it has no web link."""
    title = " ".join(title.split())
    if not is_web_url(url):
        return title
    label = title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url.strip().replace(' ', '%20').replace(')', '%29')})"


def add_paper_actions(menu: QMenu, paper: dict[str, Any]) -> list[QAction]:
    """Add Open Link, Copy Link and Copy as Markdown for PAPER (its `title` and `url`) to MENU."""
    url = (paper.get("url") or "").strip()
    web = is_web_url(url)
    open_link = menu.addAction("Open Paper's Link", lambda: open_web_link(url))
    copy_link = menu.addAction("Copy Link", lambda: QGuiApplication.clipboard().setText(url))
    copy_markdown = menu.addAction("Copy as Markdown", lambda: QGuiApplication.clipboard().setText(
        markdown_link(paper.get("title") or "", url)))
    open_link.setEnabled(web)
    copy_link.setEnabled(bool(url))
    return [open_link, copy_link, copy_markdown]
