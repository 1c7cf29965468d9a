"""Helpers shared by store tests: a small library built with the public operations, and table dumps."""

from __future__ import annotations

from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.library import Library

DATA_TABLES = ("courses", "sessions", "papers", "readings", "reading_videos", "teams", "paper_lists", "paper_list_items")


def dump(lib: Library) -> dict[str, list[tuple]]:
    """Every row of every data table, and the FTS index contents: what undo must restore exactly."""
    tables = {t: [tuple(r) for r in lib.conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in DATA_TABLES}
    tables["papers_fts"] = [tuple(r) for r in lib.conn.execute(
        "SELECT rowid, title FROM papers_fts WHERE papers_fts MATCH 'transformer' ORDER BY rowid")]
    return tables


def build_small_library(lib: Library) -> dict[str, int]:
    """Two sessions, three papers, annotations: enough to see undo and export at work."""
    _, s1 = editing.new_session(lib, "GenAI 2024", "S0-L01", "Transformers", "2024-01-10")
    _, s2 = editing.new_session(lib, "GenAI 2024", "S0-L02", "Diffusion", "2024-01-17")
    _, r1 = editing.add_reading(lib, s1, paper=Paper("Attention Is All You Need", "https://arxiv.org/abs/1706.03762v7"))
    _, r2 = editing.add_reading(lib, s1, paper=Paper("Language Models are Few-Shot Learners", "https://arxiv.org/abs/2005.14165"))
    _, r3 = editing.add_reading(lib, s2, paper=Paper("Denoising Diffusion Probabilistic Models", "https://arxiv.org/pdf/2006.11239.pdf"))
    editing.edit_reading(lib, r1, notes="A transformer is all attention.", team="team-1",
                         add_videos=["https://youtu.be/abc"])
    editing.edit_session(lib, s1, front_matter={"video": "team-1", "notes": "team-2", "tags": ["Basics"]})
    return {"s1": s1, "s2": s2, "r1": r1, "r2": r2, "r3": r3}
