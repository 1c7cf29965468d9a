"""A link filled in from arXiv is exported as one new bullet in the reading's block, in that block's style."""

from __future__ import annotations

import shutil

from annotator.arxiv import ArxivEntry
from annotator.formats.session_post import parse_session_post
from annotator.store import editing
from annotator.store.exporting import export_sessions, unified_diff
from annotator.store.importing import import_paths
from annotator.store.lookups import apply_lookups

SORA = "Sora: A Review on Background, Technology, Limitations, and Opportunities of Large Vision Models"
TOXIC = "ToxicChat: Unveiling Hidden Challenges of Toxicity Detection in Real-World User-AI Conversation / EMNLP2023"


def imported(lib, tmp_path, post):
    """Import a copy of POST: (its session id, the copy's path, its text)."""
    copy = tmp_path / "site" / post.name
    copy.parent.mkdir()
    shutil.copy(post, copy)
    import_paths(lib, [copy], "GenAI")
    session = lib.conn.execute("SELECT id FROM sessions").fetchone()[0]
    return session, copy, copy.read_text(encoding="utf-8")


def paper_id(lib, title: str) -> int:
    return lib.conn.execute("SELECT id FROM papers WHERE title = ?", (title,)).fetchone()[0]


def added_lines(diff: str) -> list[str]:
    return [line for line in diff.split("\n") if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]


def test_a_found_link_is_the_only_changed_line_in_the_blocks_bullet_style(lib, tmp_path, corpus_dir):
    session, copy, before = imported(lib, tmp_path, corpus_dir / "2024sp-GenAI-Risk-Benefits" / "S0-L14.md")
    sora = paper_id(lib, SORA)
    apply_lookups(lib, [(sora, ArxivEntry("2402.17177", SORA, ("Yixin Liu",), "Sora is a model.", "2024-02-27"))])
    [result] = export_sessions(lib.conn, [session], copy.parent)
    after = copy.read_text(encoding="utf-8")
    assert result.status == "updated"
    assert added_lines(unified_diff(before, after, copy.name)) == ["+- https://arxiv.org/abs/2402.17177"]  # the block's `- `
    assert f"### {SORA}\n\n- https://arxiv.org/abs/2402.17177\n- Yixin Liu, Kai Zhang" in after
    reread = parse_session_post(after, copy.name)
    assert next(r for r in reread.readings if r.paper.title == SORA).paper.url == "https://arxiv.org/abs/2402.17177"


def test_a_block_with_only_a_heading_gets_the_posts_usual_bullet(lib, tmp_path, corpus_dir):
    post = corpus_dir / "2024sp-GenAI-Risk-Benefits-planning-2024-01-26" / "S0-L04.md"
    session, copy, before = imported(lib, tmp_path, post)
    editing.edit_paper(lib, paper_id(lib, TOXIC), {"url": "https://arxiv.org/abs/2310.17389"})
    export_sessions(lib.conn, [session], copy.parent)
    after = copy.read_text(encoding="utf-8")
    assert added_lines(unified_diff(before, after, copy.name)) == ["+  + https://arxiv.org/abs/2310.17389"]
    assert f"### {TOXIC}\n  + https://arxiv.org/abs/2310.17389\n" in after


def test_a_block_that_had_a_link_keeps_its_line(lib, tmp_path, corpus_dir):
    """Only a missing link is added: a changed one is not written over the post's (the post stays as it was)."""
    session, copy, before = imported(lib, tmp_path, corpus_dir / "2024sp-GenAI-Risk-Benefits" / "S0-L14.md")
    linked = lib.conn.execute("SELECT id FROM papers WHERE url != '' ORDER BY id").fetchone()[0]
    editing.edit_paper(lib, linked, {"url": "https://example.org/elsewhere"})
    assert export_sessions(lib.conn, [session], copy.parent)[0].status == "unchanged"
