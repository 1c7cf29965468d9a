"""Helpers shared by store tests: a small library built with the public operations, and table dumps."""

from __future__ import annotations

from annotator.formats.model import Paper
from annotator.store import editing
from annotator.store.library import Library

DATA_TABLES = ("courses", "sessions", "papers", "readings", "reading_videos", "teams", "paper_lists", "paper_list_items")
SEARCH_INDEXES = ("papers_fts", "sessions_fts", "readings_fts")


def dump(lib: Library) -> dict[str, list[tuple]]:
    """Every row of every data table, and every entry of every search index: what undo must restore exactly."""
    tables = {t: [tuple(r) for r in lib.conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in DATA_TABLES}
    for index in SEARCH_INDEXES:
        # The index itself, every word of every row by column and position (fts5vocab): a SELECT on
        # the FTS table would read its rows back from the table it indexes, whatever the index holds.
        lib.conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{index}_words USING fts5vocab(main, {index}, instance)")
        tables[index] = [tuple(r) for r in lib.conn.execute(
            f"SELECT term, doc, col, offset FROM temp.{index}_words ORDER BY term, doc, col, offset")]
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
