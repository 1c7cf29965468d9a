"""Importing a Jekyll session post: what a user sees after opening seed 000 and its quirky cousins."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.blog import attach_blog_notes, find_blog_start
from annotator.formats.model import SESSION_POST, Paper, Reading
from annotator.formats.session_post import parse_session_post
from tests.conftest import DATA, seed_path


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # exactly as on disk: BOM and CRLF kept


@pytest.fixture
def seed000():
    path = seed_path(0)
    return parse_session_post(read(path), str(path))


@pytest.fixture
def quirks():
    return parse_session_post(read(DATA / "session_quirks.md"), "_contents/W07.1.memory.md")


# --- seed 000 ------------------------------------------------------------------------------


def test_seed000_session_title_and_front_matter(seed000):
    assert seed000.kind == SESSION_POST
    assert seed000.title == "Domain Centered FMs"  # the trailing space in the file is gone
    fm = seed000.front_matter
    assert (fm["notes"], fm["video"], fm["tags"]) == ("team-2", "team-2", ["1Basic"])
    assert list(fm) == ["layout", "title", "lecture", "lectureVersion", "extraContent", "notes", "video", "tags"]


def test_seed000_has_nine_readings_in_file_order(seed000):
    titles = [r.paper.title for r in seed000.readings]
    assert len(titles) == 9
    assert titles[0] == "BloombergGPT: A Large Language Model for Finance"
    assert titles[4] == "Emu Video: Factorizing Text-to-Video Generation by Explicit Image Conditioning"


def test_seed000_indented_dash_heading_is_the_emu_video_paper(seed000):
    emu = seed000.readings[4]
    assert emu.paper.url == "https://arxiv.org/abs/2311.10709"
    assert emu.paper.abstract.startswith("We present Emu Video, a text-to-video generation model")
    assert emu.bullet == "+ "


def test_seed000_bloomberggpt_has_url_and_abstract(seed000):
    bloomberg = seed000.readings[0]
    assert bloomberg.paper.url == "https://arxiv.org/abs/2303.17564"
    assert bloomberg.paper.arxiv_id == "2303.17564"
    assert bloomberg.paper.abstract.startswith("The use of NLP in the realm of financial technology")
    assert bloomberg.bullet == "  + "
    assert bloomberg.section == "Readings"


def test_seed000_visual_instruction_tuning_has_authors_and_no_url(seed000):
    (llava,) = [r for r in seed000.readings if r.paper.title == "Visual Instruction Tuning"]
    assert llava.paper.authors == "Haotian Liu, Chunyuan Li, Qingyang Wu, Yong Jae Lee"
    assert llava.paper.url == ""
    assert llava.paper.abstract.startswith("Instruction tuning large language models")


def test_seed000_last_reading_is_a_bare_heading(seed000):
    last = seed000.readings[-1]
    assert last.paper == Paper(title="ConvNets Match Vision Transformers at Scale")
    assert last.bullet == "  + "  # no bullets of its own: the default style


def test_seed000_spans_cover_heading_to_last_content_line(seed000):
    lines = seed000.text.splitlines()
    for reading in seed000.readings:
        first, end = reading.span
        assert lines[first].lstrip().startswith("###")
        assert lines[end - 1].strip(), "trailing blank lines stay outside the span"
    # BloombergGPT's block is followed by a whitespace-only line: not part of it.
    assert seed000.readings[0].span == (16, 19)
    assert seed000.readings[-1].span == (52, 53)


# --- quirks seen in the corpus ---------------------------------------------------------------


def test_duplicate_key_takes_the_last_value_and_spacing_is_ignored(quirks):
    assert quirks.front_matter["lectureVersion"] == "current"
    assert quirks.front_matter["video"] == "team-2"  # `video:  team-2 # lead team`
    assert quirks.front_matter["tags"] == ["Memory", "Agent Memory"]
    assert quirks.title == "Quirky  Session"  # inner double space kept, edges stripped


def test_labels_are_not_readings_and_headings_are_cleaned(quirks):
    assert [r.paper.title for r in quirks.readings] == [
        "MemGPT: Towards LLMs as Operating Systems",
        "Generative Agents: Interactive Simulacra of Human Behavior",
        "https://example.org/agent-memory-survey",
        "Reflexion: Language Agents with Verbal Reinforcement Learning",
        "A Paper Without Details",
    ]
    assert [r.section for r in quirks.readings] == ["Required Readings: MEMORY SYSTEMS"] * 3 + ["More readings"] * 2


def test_team_and_video_bullets_are_annotations_not_paper_data(quirks):
    memgpt = quirks.readings[0]
    assert memgpt.team == "team-3"
    assert memgpt.videos == ["https://youtu.be/memgpt1", "https://youtu.be/memgpt2"]
    assert memgpt.paper.url == "https://arxiv.org/abs/2310.08560"  # from `[ URL](...)`
    assert memgpt.paper.abstract == (
        "Large language models (LLMs) have revolutionized AI, but are constrained by limited context windows."
    )  # quotes stripped


def test_url_after_abstract_and_abstract_without_bullet(quirks):
    agents = quirks.readings[1]
    assert agents.paper.url == "https://arxiv.org/abs/2304.03442"
    assert agents.paper.authors.startswith("Joon Sung Park, Joseph C. O'Brien")
    assert agents.paper.abstract.startswith("Believable proxies of human behavior")
    assert "Submitted" not in agents.paper.abstract and "UIST" not in agents.paper.abstract


def test_heading_that_is_a_url_and_numbered_authors_slash_abstract(quirks):
    survey, reflexion = quirks.readings[2], quirks.readings[3]
    assert survey.paper.url == "https://example.org/agent-memory-survey"
    assert reflexion.paper.authors == "Noah Shinn, Federico Cassano"
    assert reflexion.paper.abstract.startswith("Large language models (LLMs) have been increasingly used")
    assert reflexion.paper.url == "https://arxiv.org/abs/2303.11366"  # `Paper: https://...` in prose


def test_code_fence_hides_hash_lines_and_br_lines_stay_outside_span(quirks):
    lines = quirks.text.splitlines()
    blog = find_blog_start(quirks.text.splitlines(keepends=True), 15)
    assert lines[blog] == "<!--excerpt.start-->"  # not the `# not a heading` line in the code block
    last = quirks.readings[-1]
    assert lines[last.span[0]] == "### A Paper Without Details" and last.span[1] == last.span[0] + 1


def test_blog_section_titled_like_a_reading_is_its_notes(quirks):
    assert quirks.readings[0].notes == "MemGPT notes, line one.\n\n- a point"
    assert [r.notes for r in quirks.readings[1:]] == [""] * 4


def test_crlf_bom_post_without_final_newline():
    text = read(DATA / "session_crlf_bom.md")
    assert text.startswith("\ufeff---\r\n") and not text.endswith("\n")
    post = parse_session_post(text, "S0-L30.md")
    assert post.title == "Agents: memory & tools"
    assert [r.bullet for r in post.readings] == ["\t+ ", "- "]
    assert post.readings[1].paper.url == "https://arxiv.org/abs/2302.04761"
    assert post.text == text


def test_labels_with_colon_only_when_nothing_follows():
    text = "---\ntitle: t\n---\n## Readings:\n### Even More: \n### Langchain:\n  + https://python.langchain.com/\n"
    post = parse_session_post(text)
    assert [(r.paper.title, r.paper.url) for r in post.readings] == [("Langchain", "https://python.langchain.com/")]


@pytest.mark.parametrize(
    "heading", ["### 2025 HIGH-IMPACT PAPERS on this topic ", "### more readings ", "#### ", "### Here are the slides:"]
)
def test_label_headings_hide_their_block(heading):
    text = f"---\ntitle: t\n---\n## Required Readings:\n{heading}\n+ a. Some paper (2025)\n  - Link: https://x.org/1\n"
    assert parse_session_post(text).readings == []


def test_headings_outside_readings_sections_are_not_readings():
    text = "---\ntitle: t\n---\n## Overview\n### A Paper\n+ https://arxiv.org/abs/2401.00001\n## Readings\n### B\n"
    assert [r.paper.title for r in parse_session_post(text).readings] == ["B"]


def test_front_matter_only_post_like_2020f():
    text = '---\nlayout: post\ntitle:  Section 1 - Basics\nvideo: <a href="https://youtu.be/x">M1</a>\n---'
    post = parse_session_post(text, "_contents/S1-00Start.md")
    assert post.title == "Section 1 - Basics"
    assert post.readings == []
    assert post.front_matter["video"] == '<a href="https://youtu.be/x">M1</a>'


def test_title_falls_back_to_file_stem_and_date_to_posts_name():
    post = parse_session_post("## Readings\n### A\n", "_posts/2024-01-25-llm-basics.md")
    assert (post.title, post.date) == ("2024-01-25-llm-basics", "2024-01-25")
    dated = parse_session_post("---\ntitle: x\ndate: 2025-09-02 10:00:00 +0800\n---\n", "S0.md")
    assert dated.date == "2025-09-02"
    assert dated.front_matter["date"] == "2025-09-02 10:00:00 +0800"
    assert parse_session_post("---\ntitle: x\n---\n", "S0-L16.md").date == ""


def test_bad_front_matter_names_file_and_line():
    with pytest.raises(AnnotatorError) as caught:
        parse_session_post("---\ntitle: ok\ntags: [a, b\n---\n", "_contents/S0-L99.md")
    assert caught.value.path == "_contents/S0-L99.md"
    assert caught.value.line is not None and caught.value.line >= 3
    with pytest.raises(AnnotatorError, match="never closed"):
        parse_session_post("---\ntitle: ok\n", "S0.md")


def test_attach_blog_notes_accepts_lines_without_line_breaks():
    lines = ["intro", "<!--excerpt.start-->", "# Blog", "## the  PAPER, title!", "", "notes", "", "## Other", "x"]
    readings = [Reading(Paper("The paper title")), Reading(Paper("Unrelated"))]
    attach_blog_notes(lines, readings, 1)
    assert [r.notes for r in readings] == ["notes", ""]


def test_an_author_list_wrapped_onto_a_second_line_keeps_every_author():
    # As in the 2026 course's W01.2.alignment.md: the bullet's names go on in the next line, indented by one space.
    text = ("---\nlayout: post\ntitle: Alignment\n---\n\n## Reading\n\n"
            "#### A Comprehensive Survey of LLM Alignment Techniques: RLHF, RLAIF, PPO, DPO and More\n"
            "+ [Submitted on 23 Jul 2024]\n"
            "+ Zhichao Wang, Bin Bi, Shiva Kumar Pentyala, Kiran Ramnath, Sougata Chaudhuri, Shubham \n"
            " Mehrotra, Zixu (James)Zhu, Xiang-Bo Mao, Sitaram Asur, Na (Claire)Cheng\n"
            "+ With advancements in self-supervised learning, the availability of trillions tokens in a pre-training "
            "corpus, instruction fine-tuning, and the development of large Transformers with billions of parameters.\n")
    [reading] = parse_session_post(text, "_contents/W01.2.alignment.md").readings
    assert reading.paper.authors == ("Zhichao Wang, Bin Bi, Shiva Kumar Pentyala, Kiran Ramnath, Sougata Chaudhuri, "
                                     "Shubham Mehrotra, Zixu (James)Zhu, Xiang-Bo Mao, Sitaram Asur, Na (Claire)Cheng")
    assert reading.paper.abstract.startswith("With advancements in self-supervised learning")
