"""Importing slide outlines: seed 004 and odd input."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.model import SLIDE_OUTLINE
from annotator.formats.slide_outline import outline_date, parse_slide_outline
from tests.conftest import DATA, seed_path


def _week() -> str:
    return (DATA / "outline_week.md").read_text(encoding="utf-8")


def test_seed_004_session_course_instructor_and_date():
    text = seed_path(4).read_text(encoding="utf-8")
    session = parse_slide_outline(text, "004.txt")
    assert session.kind == SLIDE_OUTLINE
    assert (session.title, session.date) == ("Week2.2 More on LLMs", "2024-01-25")
    assert (session.course, session.instructor) == ("2024 Spring GenAI Risk & Benefits", "Dr. Yanjun Qi")
    assert session.front_matter == {}
    assert session.text == text


def test_seed_004_readings():
    session = parse_slide_outline(seed_path(4).read_text(encoding="utf-8"), "004.txt")
    overview = next(r for r in session.readings if r.paper.arxiv_id == "2307.06435")
    # A bare `<https://arxiv.org/pdf/…>` right under a slide heading: the heading is its title.
    assert overview.paper.title == "A Comprehensive Overview of Large Language Models"
    assert overview.bullet == "+ "
    # `[High-Resolution Image Synthesis …](#)` followed by `CVPR'22 Rombach et al.` is a paper.
    ldm = next(r for r in session.readings if r.paper.title.startswith("High-Resolution Image Synthesis"))
    assert (ldm.paper.url, ldm.section) == ("", "Stable diffusion (2022-08)")
    # `[Vote](#)`, `[Code and models](#)`, `[chat.lmsys.org](https://chat.lmsys.org)`: not papers.
    assert len(session.readings) == 2


def test_week_fixture_readings_titles_and_spans():
    session = parse_slide_outline(_week(), "outline_week.md")
    assert (session.title, session.date) == ("Week 3.1 Herding Models", "2025-02-11")
    assert (session.course, session.instructor) == ("2025 Spring Pastoral AI", "Prof. Ada Shepherd")
    assert [(r.paper.title, r.paper.url, r.section, r.span) for r in session.readings] == [
        ("Sheep Nets: Wool as a Latent Variable", "", "Wool as a latent variable", (18, 20)),
        ("A Survey of Goat Behaviour", "https://arxiv.org/pdf/2502.00011.pdf", "A Survey of Goat Behaviour", (24, 25)),
        ("the herd paper", "https://arxiv.org/abs/2502.00012", "More", (30, 31)),
        # Not the first thing on its slide: the heading is not its title.
        ("arXiv:2502.00013", "https://arxiv.org/abs/2502.00013", "More", (32, 33)),
    ]


def test_annotation_lines_and_blog_notes_are_read_back():
    lines = _week().splitlines(keepends=True)
    session = parse_slide_outline("".join(lines), "x.md")
    goat = session.readings[1]
    end = goat.span[1]
    lines[end:end] = ["+ Team: team-2\n", "+ Video: https://youtu.be/goat\n"]
    lines += ["<!--excerpt.start-->\n", "# Blog: week 3\n", "\n", "## A Survey of Goat Behaviour\n", "Goats win.\n"]
    again = parse_slide_outline("".join(lines), "x.md").readings[1]
    assert (again.team, again.videos, again.notes) == ("team-2", ["https://youtu.be/goat"], "Goats win.")
    assert again.span == (goat.span[0], end + 2)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.rstrip("\n"), id="no-final-newline"),
        pytest.param(lambda t: t.replace("# A Survey", "#\tA Survey"), id="tab"),
    ],
)
def test_line_endings_bom_tabs_change_nothing(variant):
    def summary(session):
        return (session.title, session.date, session.course, session.instructor,
                [(r.paper.title, r.paper.url, r.span) for r in session.readings])

    text = variant(_week())
    session = parse_slide_outline(text, "x.md")
    assert session.text == text
    assert summary(session) == summary(parse_slide_outline(_week(), "x.md"))


def test_cjk_title_and_header_without_doctor():
    session = parse_slide_outline("# 第二週：大型語言模型\n\n生成式AI課程\n王小明\n2024-03-05\n\n# 投影片\n", "x.md")
    assert (session.title, session.course, session.instructor, session.date) == (
        "第二週：大型語言模型", "生成式AI課程", "王小明", "2024-03-05")


def test_not_starting_with_a_title_heading_is_an_error():
    with pytest.raises(AnnotatorError) as caught:
        parse_slide_outline("\n\nsome text\n# Heading\n", "x.md")
    assert (caught.value.path, caught.value.line) == ("x.md", 3)


@pytest.mark.parametrize(
    ("line", "expected"),
    [("20240125", "2024-01-25"), (" 2024-01-25 ", "2024-01-25"), ("20241399", ""), ("2024012", ""), ("Jan 25", "")],
)
def test_outline_date(line: str, expected: str):
    assert outline_date(line) == expected


def test_a_form_feed_inside_a_line_does_not_end_it():
    """PDF-derived outlines hold form feeds; only \\n, \\r\\n and \\r end a line (and line numbers count only those)."""
    from annotator.formats.slide_outline import parse_slide_outline

    assert "Agents" in parse_slide_outline("# Week 3:\x0cAgents\n", "o.md").title
    with pytest.raises(AnnotatorError, match=r"o.md: line 2"):
        parse_slide_outline("\x0c\x0c\nnot a title\n", "o.md")


def test_html_in_a_cited_title_is_dropped_as_a_session_post_drops_it():
    """A title written `<!--notes-->Attention` came back `Attention` once exported and imported again
    (found by the slow round-trip fuzz run): the outline reads it as the post will."""
    text = "# Attention\n\n2025 Spring Course\n\nProf. Ada\n\n20250111\n\n# Attention\n\n" \
           "- [<!--notes-->Attention <b>now</b>](https://arxiv.org/abs/2401.00001)\n"
    session = parse_slide_outline(text, "outline.md")
    assert [r.paper.title for r in session.readings] == ["Attention now"]
