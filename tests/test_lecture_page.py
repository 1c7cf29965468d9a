"""Importing lecture pages: seed 001, the rkuo2000 course pages, and odd input."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.model import LECTURE_PAGE
from tests.conftest import DATA, SHARED, seed_path

RKUO = ("rkuo2000-AI-course", "rkuo2000-AI-course-main-2026")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _tour() -> str:
    return _read(DATA / "lecture_tour.md")


def _titled(session, title: str):
    return next(r for r in session.readings if r.paper.title == title)


def _rkuo_posts() -> list[Path]:
    return [p for folder in RKUO for p in sorted((SHARED / "corpus" / folder).glob("*.md"))]


# --- seed 001 ------------------------------------------------------------------------------


def test_seed_001_title_and_readings():
    session = parse_lecture_page(_read(seed_path(1)), "001.txt")
    assert session.kind == LECTURE_PAGE
    assert session.title == "Large Language Models"
    assert len(session.readings) >= 33
    urls = {r.paper.title: r.paper.url for r in session.readings}
    assert urls["GPT-4 Technical Report"] == "https://arxiv.org/abs/2303.08774"
    assert urls["Visual Instruction Tuning"] == "https://arxiv.org/abs/2304.08485"
    assert urls["BloombergGPT: A Large Language Model for Finance"] == "https://arxiv.org/abs/2303.17564"


def test_seed_001_keeps_text_front_matter_and_points_spans_at_paper_lines():
    text = _read(seed_path(1))
    session = parse_lecture_page(text, "001.txt")
    assert session.text == text
    assert list(session.front_matter) == ["layout", "title", "author", "category", "tags"]
    assert session.front_matter["author"] == ["Richard Kuo"]
    lines = text.splitlines()
    for reading in session.readings:
        start, end = reading.span
        assert end == start + 1  # nothing annotated yet
        assert reading.paper.url in lines[start]
        assert reading.bullet == "+ "


def test_seed_001_code_blogs_and_models_are_not_papers():
    session = parse_lecture_page(_read(seed_path(1)), "001.txt")
    urls = [r.paper.url for r in session.readings]
    assert not [u for u in urls if "github.com" in u or "huggingface.co" in u or "medium.com" in u]
    assert len(urls) == len({r.paper.arxiv_id for r in session.readings})  # all arXiv, each once
    # `**Paper:** [https://arxiv.org/abs/2311.11045](…)`: the page never names the paper.
    assert _titled(session, "arXiv:2311.11045").section == "Orca 2"
    assert _titled(session, "Visual Instruction Tuning").section == "LLaVA"


# --- the rkuo2000 course pages -------------------------------------------------------------


@pytest.mark.parametrize("post", _rkuo_posts(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_rkuo_page_parses(post: Path):
    session = parse_lecture_page(_read(post), str(post))
    assert session.title
    assert session.date == post.name[:10]
    for reading in session.readings:
        assert reading.paper.title
        assert reading.span is not None and reading.span[0] < reading.span[1]


# Counted by hand from the files: `Paper:` links, `**Papers:**` items, arXiv lines and
# headings, less the papers linked twice.
HAND_CHECKED = [
    ("rkuo2000-AI-course/2024-08-07-Face-Recognition.md", 16,
     "VGGFace2: A dataset for recognising faces across pose and age",
     "EFaR 2023: Efficient Face Recognition Competition"),
    ("rkuo2000-AI-course/2024-08-09-Generatvie-Music.md", 7,
     "Spleeter: A FAST AND STATE-OF-THE ART MUSIC SOURCE SEPARATION TOOL WITH PRE-TRAINED MODELS",
     "Simple and Controllable Music Generation"),
    # 14 `Paper` lines, but YuE's line links LLM2Vec's arXiv id: one paper.
    ("rkuo2000-AI-course-main-2026/2026-06-06-Generative-Music.md", 13,
     "MusicLM: Generating Music From Text",
     "ACE-Step 1.5: Pushing the Boundaries of Open-Source Music Generation"),
    ("rkuo2000-AI-course-main-2026/2026-06-07-LLM.md", 46,
     "A Survey of Large Language Models",
     "Frontis-MA1: Training an AI4AI Model towards Recursive Self-Improvement in Machine Learning Engineering"),
]


@pytest.mark.parametrize(("name", "count", "first", "last"), HAND_CHECKED, ids=[h[0] for h in HAND_CHECKED])
def test_rkuo_pages_hand_checked(corpus_dir: Path, name: str, count: int, first: str, last: str):
    session = parse_lecture_page(_read(corpus_dir / name), name)
    titles = [r.paper.title for r in session.readings]
    assert (len(titles), titles[0], titles[-1]) == (count, first, last)


def test_rkuo_title_wrapped_over_two_lines_is_one_title(corpus_dir: Path):
    name = "rkuo2000-AI-course/2024-08-07-Face-Recognition.md"
    lfw = parse_lecture_page(_read(corpus_dir / name), name).readings[2]
    assert lfw.paper.title == (
        "Labeled Faces in the Wild: A Database for Studying Face Recognition in Unconstrained Environments"
    )
    assert lfw.paper.url == "http://vis-www.cs.umass.edu/lfw/lfw.pdf"
    assert lfw.span == (36, 38)


def test_rkuo_paper_mentioned_twice_takes_the_paper_lines_title(corpus_dir: Path):
    name = "rkuo2000-AI-course-main-2026/2026-06-07-LLM.md"
    session = parse_lecture_page(_read(corpus_dir / name), name)
    by_id = {r.paper.arxiv_id: r for r in session.readings}
    # First linked as `[GPT-4 Technical Report. OpenAI. 2023](…pdf)`, then named by `#### Paper:`.
    assert by_id["2303.08774"].paper.title == "GPT-4 Technical Report"
    assert by_id["2303.08774"].span[0] == 26
    # `### [Qwen3-Omni](arxiv)` heading, then `#### Paper: [Qwen3-Omni Technical Report](…)`.
    assert by_id["2509.17765"].paper.title == "Qwen3-Omni Technical Report"


# --- every kind of paper link (own fixture) ------------------------------------------------


def test_tour_finds_each_kind_of_paper_link_once():
    session = parse_lecture_page(_tour(), "tests/data/lecture_tour.md")
    assert [(r.paper.title, r.section) for r in session.readings] == [
        ("Counting Sheep with Transformers", "Warm-up"),  # bare arXiv line
        ("Sheep Nets: Wool as a Latent Variable", "Sheep Nets"),  # **Paper:**
        ("Goat Models Are Stubborn Learners", "Goat Models"),  # **Paper**: to a non-arXiv site
        ("Herding Cats at Scale", "Goat Models"),  # #### Paper: (and later a bare line: same paper)
        ("牧羊犬：多智能體協作", "中文標題 (牧羊)"),
        ("Alpaca-Lite", "中文標題 (牧羊)"),  # a heading that is an arXiv link
        ("arXiv:2501.00006", "Orca Tiny"),  # link text is the URL
        ("Llama Farming in Practice", "Reading list"),  # **Papers:** list items
        ("A Study of Camels", "Reading list"),
        ("Yak Shaving: A Long Title That the Author Wrapped Onto a Second Line", "Wrapped title"),
    ]
    assert _titled(session, "Goat Models Are Stubborn Learners").paper.url == "https://openreview.net/forum?id=goat123"
    assert _titled(session, "Herding Cats at Scale").paper.arxiv_id == "2501.00003"


def test_tour_date_title_and_front_matter_with_comments_and_chinese():
    session = parse_lecture_page(_tour(), "lecture_tour.md")
    assert session.title == "Tour of Paper Links"
    assert session.date == "2025-03-04"
    assert session.front_matter["tags"] == ["demo", "測試"]
    assert session.front_matter["description"].startswith("每種論文連結寫法")
    assert list(session.front_matter)[-1] == "description"


def test_team_video_lines_and_blog_notes_are_read_back():
    sheep = _titled(parse_lecture_page(_tour(), "x.md"), "Sheep Nets: Wool as a Latent Variable")
    assert sheep.team == "team-3"
    assert sheep.videos == ["https://youtu.be/aaaa", "https://youtu.be/bbbb"]
    assert sheep.span == (18, 22)  # the paper line and its three annotation lines
    assert sheep.notes == "The wool **is** the latent."


def test_exported_annotation_lines_come_back_as_team_and_video():
    text = _tour()
    lines = text.splitlines(keepends=True)
    goat = _titled(parse_lecture_page(text, "x.md"), "Goat Models Are Stubborn Learners")
    end = goat.span[1]
    lines[end:end] = [f"{goat.bullet}Team: team-5\n", f"{goat.bullet}Video: https://youtu.be/goat\n"]
    again = _titled(parse_lecture_page("".join(lines), "x.md"), "Goat Models Are Stubborn Learners")
    assert (again.team, again.videos, again.span) == ("team-5", ["https://youtu.be/goat"], (goat.span[0], end + 2))


def test_date_from_posts_file_name_when_front_matter_has_none():
    text = "---\nlayout: post\ntitle: Short\n---\n**Paper:** [A](https://arxiv.org/abs/2501.00001)<br>\n"
    assert parse_lecture_page(text, "site/_posts/2024-8-5-short.md").date == "2024-08-05"
    assert parse_lecture_page(text, "notes.md").date == ""


def test_title_falls_back_to_first_heading():
    text = "---\nlayout: post\n---\n\n---\n## [Sheep](https://example.com/sheep)\ntext\n"
    assert parse_lecture_page(text, "x.md").title == "Sheep"


# --- unusual input -------------------------------------------------------------------------


def _summary(session) -> list[tuple[str, str, str, tuple[int, int] | None, str]]:
    return [(r.paper.title, r.paper.url, r.section, r.span, r.team) for r in session.readings]


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.rstrip("\n"), id="no-final-newline"),
    ],
)
def test_line_endings_bom_and_missing_final_newline_change_nothing(variant):
    plain = parse_lecture_page(_tour(), "x.md")
    text = variant(_tour())
    session = parse_lecture_page(text, "x.md")
    assert session.text == text
    assert _summary(session) == _summary(plain)
    assert session.front_matter == plain.front_matter
    assert [r.notes for r in session.readings] == [r.notes for r in plain.readings]


def test_tabs_are_spacing():
    text = "---\ntitle: T\n---\n###\tTabbed\n**Paper:**\t[Tab\tTitle](https://arxiv.org/abs/2501.00009)\n"
    (reading,) = parse_lecture_page(text, "x.md").readings
    assert (reading.paper.title, reading.section) == ("Tab Title", "Tabbed")


def test_links_inside_code_blocks_are_not_papers():
    session = parse_lecture_page(_tour(), "x.md")
    assert "Fake Paper In Code" not in [r.paper.title for r in session.readings]


def test_broken_links_still_give_the_paper():
    text = (
        "---\ntitle: T\n---\n"
        "* Paper: [Missing Bracket Paper(https://arxiv.org/abs/2501.00010)\n"
        "**Paper:** [Split URL Paper](https://arxiv.org/abs/\n2501.00011)<br>\n"
        "**Paper**: [No URL Paper](No URL Paper)<br>\n"
    )
    assert [(r.paper.title, r.paper.arxiv_id, r.span) for r in parse_lecture_page(text, "x.md").readings] == [
        ("Missing Bracket Paper", "2501.00010", (3, 4)),
        ("Split URL Paper", "2501.00011", (4, 6)),
        ("No URL Paper", "", (6, 7)),
    ]


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t, id="lf"),
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
    ],
)
def test_yaml_error_names_the_file_line(variant):
    text = variant(_read(DATA / "lecture_bad_yaml.md"))
    with pytest.raises(AnnotatorError) as caught:
        parse_lecture_page(text, "lecture_bad_yaml.md")
    assert caught.value.line == 4  # `author: Richard: Kuo`
    assert caught.value.path == "lecture_bad_yaml.md"
    assert "YAML" in caught.value.reason


def test_unclosed_front_matter_is_an_error_at_line_1():
    with pytest.raises(AnnotatorError) as caught:
        parse_lecture_page("---\ntitle: T\n**Paper:** [A](https://arxiv.org/abs/2501.00001)\n", "x.md")
    assert caught.value.line == 1


def test_a_paper_link_inside_a_longer_code_fence_is_not_a_reading():
    # A ```` fence is closed only by ```` or longer (kramdown, as the blog part reads fences): the
    # ``` line inside it opens nothing, so the link after it is still code.
    text = ("---\ntitle: Fences\n---\n\n## Papers\n\n````markdown\n```\n"
            "**Paper:** [Inside](https://arxiv.org/abs/2401.00001)\n````\n\n"
            "**Paper:** [Outside](https://arxiv.org/abs/2401.00002)\n")
    session = parse_lecture_page(text, "fences.md")
    assert [r.paper.title for r in session.readings] == ["Outside"]
