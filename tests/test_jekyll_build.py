"""Exported posts build with real Jekyll and render the titles the app shows."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from annotator.store import editing, queries
from annotator.store.exporting import export_sessions
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from tests.conftest import DATA

pytestmark = pytest.mark.skipif(shutil.which("jekyll") is None, reason="jekyll is not installed (apt-get install jekyll)")

CONFIG = "title: annotator test site\ncollections:\n  contents:\n    output: true\n    permalink: /:collection/:name/\n"
LAYOUT = (
    '<html><body><h1 class="session-title">{{ page.title }}</h1>\n'
    '<p class="lead">{{ page.video }}</p>\n{{ content }}</body></html>\n'
)

TRICKY_TITLES = [
    "Agents: planning & tools",
    "#1 \"quoted\" title — with 'both' quotes",
    "大型語言模型的安全性：紅隊測試",
    "yes",
    "2024-01-25",
    "[bracketed] {braced} *starred*",
]


def build_site(tmp_path: Path, posts: Path) -> Path:
    site = tmp_path / "site"
    (site / "_layouts").mkdir(parents=True)
    (site / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (site / "_layouts" / "post.html").write_text(LAYOUT, encoding="utf-8")
    shutil.copytree(posts, site / "_contents")
    run = subprocess.run(["jekyll", "build", "-s", str(site), "-d", str(tmp_path / "_site")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return tmp_path / "_site"


def rendered(site: Path, name: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", name.lower())  # what Jekyll makes of :name
    [page] = [p for p in site.rglob("index.html") if p.parent.name == slug]
    return html.unescape(page.read_text(encoding="utf-8"))


def test_exported_posts_build_with_jekyll(tmp_path):
    with open_library(tmp_path / "library.sqlite") as lib:
        import_paths(lib, [DATA / "unusual" / "crlf.md", DATA / "unusual" / "cjk_titles.md"])
        for number, title in enumerate(TRICKY_TITLES):
            _, session_id = editing.new_session(lib, "Site", f"T{number}", title)
            editing.add_reading(lib, session_id, paper=editing.Paper(f"Reading {number}: {title}", "https://arxiv.org/abs/2401.00001"))
            editing.edit_session(lib, session_id, front_matter={"video": "team-3", "tags": ["Agents", "Safety: red teams"]})
        crlf = queries.resolve_session(lib.conn, "crlf")
        reading = queries.session_readings(lib.conn, crlf)[0]
        editing.edit_reading(lib, reading["reading_id"], team="team-2", notes="Notes with **bold** and 中文.",
                             add_videos=["https://youtu.be/react"])
        editing.edit_session(lib, crlf, title="ReAct: reasoning + acting #agents")
        ids = [s["row_id"] for s in queries.list_sessions(lib.conn)]
        export_sessions(lib.conn, ids, tmp_path / "posts")
        shown = {s["id"]: queries.session_detail(lib.conn, s["row_id"]) for s in queries.list_sessions(lib.conn)}
    site = build_site(tmp_path, tmp_path / "posts")
    for code, detail in shown.items():
        page = rendered(site, code)
        title = re.search(r'<h1 class="session-title">(.*?)</h1>', page, re.S).group(1)
        assert title == detail["title"], code
        if not code.startswith("T"):
            continue  # imported posts keep their own headings; a shared paper may carry another title
        for reading in detail["readings"]:
            assert re.search(rf"<h3[^>]*>{re.escape(reading['title'])}\s*</h3>", page), (code, reading["title"])
    crlf_page = rendered(site, "crlf")
    assert "Team: team-2" in crlf_page and "https://youtu.be/react" in crlf_page
    assert "<strong>bold</strong> and 中文" in crlf_page
