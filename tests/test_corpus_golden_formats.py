"""Golden tests over the real course sites in ../shared/corpus (skipped when it is absent).

Reading counts and first/last titles below were checked by hand against the files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.formats.model import Paper, Reading
from annotator.formats.post_writer import render_session
from annotator.formats.session_post import parse_session_post
from tests.conftest import SHARED, corpus_posts, seed_path
from tests.test_post_writer import assert_round_trip, diff, editable

CORPUS = SHARED / "corpus"
READINGS_SECTION = re.compile(r"^ {0,3}## .*(?:readings?\b|^ {0,3}## Even\s+More)", re.IGNORECASE | re.MULTILINE)

GOLDEN = [
    # (post, readings, first title, last title)
    ("2024sp-GenAI-Risk-Benefits/S0-L00-Intro.md", 2, "Basics of ML and DL", "Basics of NLP"),
    ("2024sp-GenAI-Risk-Benefits/S0-L01.md", 4, "Emergent Abilities of Large Language Models", "Generative AI: Perspectives from Stanford HAI"),
    ("2024sp-GenAI-Risk-Benefits/S0-L07.md", 7, "TrustLLM: Trustworthiness in Large Language Models", "NIST AI RISK MANAGEMENT FRAMEWORK"),
    ("2024sp-GenAI-Risk-Benefits/S0-L14.md", 5, "Retrieval-Augmented Generation for AI-Generated Content: A Survey", "A Survey of Table Reasoning with Large Language Models"),
    ("2024sp-GenAI-Risk-Benefits/S0-L16.md", 11, "Large Language Models for Software Engineering: A Systematic Literature Review", "Emu Video: Factorizing Text-to-Video Generation by Explicit Image Conditioning"),
    ("2024sp-GenAI-Risk-Benefits/S0-L24.md", 4, "Towards Efficient Generative Large Language Model Serving: A Survey from Algorithms to Systems", "Sparks of Large Audio Models: A Survey and Outlook"),
    ("2024sp-GenAI-Risk-Benefits-planning-2024-01-26/S0-L07.md", 7, "TrustLLM: Trustworthiness in Large Language Models", "EU AI Act / GDPR"),
    ("2024sp-GenAI-Risk-Benefits-planning-2024-01-26/S0-L16.md", 9, "BloombergGPT: A Large Language Model for Finance", "ConvNets Match Vision Transformers at Scale"),
    ("2024sp-GenAI-Risk-Benefits-planning-2024-01-26/S0-L18.md", 2, "Decomposing Language Models Into Understandable Components", "Towards Monosemanticity: Decomposing Language Models With Dictionary Learning"),
    ("2024sp-GenAI-Risk-Benefits-planning-2024-01-26/S0-L24.md", 4, "Pythia: A Suite for Analyzing Large Language Models Across Training and Scaling", "LlamaIndex"),
    ("2025sp-GenAI-overview/S0-L10.md", 3, "Agent Tools/Libraries", "OpenAI Operator"),
    ("2025sp-GenAI-overview/S0-L14.0.md", 3, "Efficient Memory Management for Large Language Model Serving with PagedAttention", "A Survey on Large Language Model Acceleration based on KV Cache Management"),
    ("2025sp-GenAI-overview/S0-L21.md", 6, "SGLang: Efficient Execution of Structured Language Model Programs", "Shortest Job First"),
    ("2025sp-GenAI-overview/S0-L26.md", 9, "Splitwise", "Keep the Cost Down: A Review on Methods to Optimize LLM' s KV-Cache Consumption"),
    ("2025sp-GenAI-overview/S0-L27.md", 2, "Is DPO Superior to PPO for LLM Alignment? A Comprehensive Study", "Tulu 3: Pushing Frontiers in Open Language Model Post-Training"),
    ("2026sp-GenAI-Agents-Overview-Course/W01.2.alignment.md", 1, "A Comprehensive Survey of LLM Alignment Techniques: RLHF, RLAIF, PPO, DPO and More", "A Comprehensive Survey of LLM Alignment Techniques: RLHF, RLAIF, PPO, DPO and More"),
    ("2026sp-GenAI-Agents-Overview-Course/W02.2.agentb.md", 2, "A Survey on Large Language Model based Autonomous Agents", "Deploying Foundation Model Powered Agent Services: A Survey"),
    ("2026sp-GenAI-Agents-Overview-Course/W05.1.HCLS.md", 12, "The rise of agentic AI teammates in medicine", "PEER: A Comprehensive and Multi-Task Benchmark for Protein Sequence Understanding"),
    ("2026sp-GenAI-Agents-Overview-Course/W08.1.serve.md", 7, "Auditing Prompt Caching in Language Model APIs", "Harnessing the Power of Multiple Minds: Lessons Learned from LLM Routing"),
    ("2026sp-GenAI-Agents-Overview-Course/W13.1.mas.md", 0, "", ""),  # only a `2025 HIGH-IMPACT PAPERS` label
    ("2020f-UVA-CS-MachineLearningDeep/S4-L05-Boost.md", 0, "", ""),  # video modules, no readings
]  # fmt: skip

EDITED = [
    "2024sp-GenAI-Risk-Benefits/S0-L04.md",  # blog with notes sections
    "2024sp-GenAI-Risk-Benefits/S0-L15.md",  # blog, no final newline
    "2025sp-GenAI-overview/S0-L16.md",  # no blog, no final newline
    "2025sp-GenAI-overview/S0-L26.md",  # `####` readings, a label in the middle
    "2026sp-GenAI-Agents-Overview-Course/W05.1.HCLS.md",
    "2026sp-GenAI-Agents-Overview-Course/W11.2.md",  # empty readings sections, bare marker at the end
    "2020f-UVA-CS-MachineLearningDeep/S1-00Start.md",  # front matter only, no final newline
]


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def session_posts() -> list[Path]:
    """Corpus posts the session-post parser owns: all but the lecture pages of rkuo2000-*,
    which are included only if their body has a readings section."""
    return [p for p in corpus_posts() if not p.parent.name.startswith("rkuo2000") or READINGS_SECTION.search(read(p))]


def post_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


@pytest.mark.parametrize(("name", "count", "first", "last"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_readings(name, count, first, last):
    post = parse_session_post(read(corpus_file(name)), name)
    titles = [r.paper.title for r in post.readings]
    assert len(titles) == count
    if count:
        assert (titles[0], titles[-1]) == (first, last)


def test_corpus_is_big_enough_to_mean_something(corpus_dir):
    sites = {p.parent.name for p in session_posts()}
    assert len(session_posts()) >= 140 and len(sites) >= 5


@pytest.mark.parametrize("path", session_posts(), ids=post_id)
def test_every_session_post_parses_and_exports_unchanged(path):
    text = read(path)
    post = parse_session_post(text, str(path))
    assert post.title
    for reading in post.readings:
        assert reading.paper.title and reading.span is not None
    assert render_session(post, editable(post)) == text


def test_seed000_exports_unchanged():
    text = read(seed_path(0))
    post = parse_session_post(text, "S0-L16.md")
    assert render_session(post, editable(post)) == text


def test_2020f_posts_are_lecture_sessions_without_readings(corpus_dir):
    posts = [p for p in session_posts() if p.parent.name.startswith("2020f")]
    assert len(posts) >= 40
    for path in posts:
        post = parse_session_post(read(path), str(path))
        assert post.readings == [] and post.front_matter
    pytorch = parse_session_post(read(corpus_file("2020f-UVA-CS-MachineLearningDeep/S3-L00-TA-pytorch.md")))
    assert pytorch.front_matter["lectureVersion"] == "current"  # written twice; the last one counts


@pytest.mark.parametrize("path", session_posts(), ids=post_id)
def test_title_edit_changes_one_line(path):
    post = parse_session_post(read(path), str(path))
    current = editable(post)
    current.front_matter["title"] = "Edited: title"
    removed, added = diff(post.text, render_session(post, current))
    assert len(removed) == 1 and len(added) == 1
    spacing = re.match(r"title:(\s*)", removed[0]).group(1) or " "  # `title:  x` keeps its two spaces
    assert added[0].rstrip("\r\n") == f"title:{spacing}'Edited: title'"


@pytest.mark.parametrize("name", EDITED)
def test_edited_corpus_post_round_trips(name):
    post = parse_session_post(read(corpus_file(name)), name)
    current = editable(post)
    current.front_matter["notes"] = "team-9"
    current.front_matter["tags"] = ["Edited", "2024-01-25"]
    current.readings.append(Reading(Paper("A Reading Added In The App", "https://arxiv.org/abs/2501.00001"), team="team-2"))
    current.readings[0].team = "team-4"
    current.readings[-1 if len(current.readings) == 1 else -2].videos = ["https://youtu.be/1", "https://youtu.be/2"]
    without_notes = next(r for r in current.readings if not r.notes)
    without_notes.notes = "Notes written in the app.\n\nSecond paragraph."
    out = assert_round_trip(post, current)
    removed, added = diff(post.text, out)
    kept = {line.rstrip("\r\n") for line in added}  # a last line may only have gained its line break
    lost = [line for line in removed if line.strip() and line.rstrip("\r\n") not in kept]
    assert all(line.startswith(("notes:", "tags:", "- ", "  - ")) for line in lost), lost


def test_notes_add_heading_blank_and_note_lines_to_a_corpus_blog():
    name = "2024sp-GenAI-Risk-Benefits/S0-L16.md"  # its blog ends with blank lines
    post = parse_session_post(read(corpus_file(name)), name)
    current = editable(post)
    (target,) = [r for r in current.readings if r.paper.title == "Segment Anything"]
    assert target.notes == ""
    target.notes = "SAM notes.\nSecond line."
    removed, added = diff(post.text, assert_round_trip(post, current))
    assert removed == []
    assert added == ["## Segment Anything\n", "\n", "SAM notes.\n", "Second line.\n"]


def lecture_pages() -> list[Path]:
    return [p for p in corpus_posts() if p.parent.name.startswith("rkuo2000")]


@pytest.mark.parametrize("path", lecture_pages(), ids=post_id)
def test_writer_exports_lecture_pages(path):
    """The writer needs only text, spans and bullets, so it serves the lecture-page parser too."""
    lecture_page = pytest.importorskip("annotator.formats.lecture_page")
    text = read(path)
    page = lecture_page.parse_lecture_page(text, str(path))
    assert render_session(page, editable(page)) == text
    if not page.readings:
        return
    current = editable(page)
    current.readings[0].team = "team-2"
    current.readings[-1].videos = ["https://youtu.be/x"]
    current.readings[-1].notes = "Notes for the last paper."
    out = render_session(page, current)
    again = lecture_page.parse_lecture_page(out, str(path))
    assert (again.readings[0].team, again.readings[-1].videos) == ("team-2", ["https://youtu.be/x"])
    assert again.readings[-1].notes == "Notes for the last paper."
    assert render_session(again, editable(again)) == out
