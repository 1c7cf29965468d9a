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


UDORA = "UDora: A Unified Red Teaming Framework against LLM Agents by Dynamically Hijacking Their Own Reasoning"


def paragraphs_in_list_items(text: str) -> list[str]:
    """The texts the site shows inside a bullet (CommonMark, as kramdown: a line right under a bullet continues it)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    depth, inside = 0, []
    for token in tokens:
        depth += token.type == "list_item_open"
        depth -= token.type == "list_item_close"
        if depth and token.type == "inline":
            inside.append(token.content)
    return inside


def test_a_link_added_above_a_paragraph_leaves_that_paragraph_out_of_the_bullet(lib, tmp_path, corpus_dir):
    """UDora's block is a heading, a blank line and plain lines ("[Submitted on …]", the authors, the abstract)."""
    session, copy, before = imported(lib, tmp_path, corpus_dir / "2025sp-GenAI-overview" / "S0-L18.md")
    editing.edit_paper(lib, paper_id(lib, UDORA), {"url": "https://arxiv.org/abs/2503.01908"})
    export_sessions(lib.conn, [session], copy.parent)
    after = copy.read_text(encoding="utf-8")
    assert added_lines(unified_diff(before, after, copy.name)) == ["+  + https://arxiv.org/abs/2503.01908"]
    block = after[after.index(f"#### {UDORA}"):]
    block = block[:block.index("\n#", 1)]
    assert paragraphs_in_list_items(block) == ["https://arxiv.org/abs/2503.01908"]  # "[Submitted on …]" is no bullet's
    reread = next(r for r in parse_session_post(after, copy.name).readings if r.paper.title == UDORA)
    old = next(r for r in parse_session_post(before, copy.name).readings if r.paper.title == UDORA)
    assert reread.paper.url == "https://arxiv.org/abs/2503.01908"
    assert (reread.paper.authors, reread.paper.abstract, reread.notes) == (old.paper.authors, old.paper.abstract, old.notes)


def test_a_link_added_to_a_block_whose_text_starts_under_its_heading_gets_a_blank_line_after_it():
    from annotator.formats.post_writer import render_session

    text = "---\ntitle: T\n---\n\n## Required Readings:\n\n### Alpha paper\nAda Lovelace, Charles Babbage\n\n### Beta\n"
    original = parse_session_post(text, "post.md")
    current = parse_session_post(text, "post.md")
    for index, reading in enumerate(current.readings):
        reading.source_index = index
    current.readings[0].paper.url = "https://arxiv.org/abs/2401.00001"
    after = render_session(original, current)
    assert added_lines(unified_diff(text, after, "post.md")) == ["+  + https://arxiv.org/abs/2401.00001", "+"]
    assert paragraphs_in_list_items(after[after.index("## Required"):]) == ["https://arxiv.org/abs/2401.00001"]
    reread = parse_session_post(after, "post.md").readings[0]
    assert (reread.paper.url, reread.paper.authors) == ("https://arxiv.org/abs/2401.00001", original.readings[0].paper.authors)
