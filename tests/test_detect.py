"""Telling the kinds of file apart by content, and parsing whatever is dropped on the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.detect import detect_kind, parse_text
from annotator.formats.model import LECTURE_PAGE, PAPER_LIST, SESSION_POST, SLIDE_OUTLINE, PaperList, Session
from tests.conftest import DATA, corpus_posts, seed_path


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("post", corpus_posts(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_posts(post: Path):
    expected = LECTURE_PAGE if post.parent.name.startswith("rkuo2000") else SESSION_POST
    assert detect_kind(_read(post)) == expected


def test_corpus_is_all_there(corpus_dir: Path):
    assert len(corpus_posts()) == 167


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, SESSION_POST), (1, LECTURE_PAGE), (2, PAPER_LIST), (3, PAPER_LIST), (4, SLIDE_OUTLINE)],
)
def test_seeds(number: int, expected: str):
    assert detect_kind(_read(seed_path(number))) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lecture_tour.md", LECTURE_PAGE),
        ("outline_week.md", SLIDE_OUTLINE),
        ("hflist_spaced.txt", PAPER_LIST),
        ("hflist_dense.txt", PAPER_LIST),
    ],
)
def test_own_fixtures_with_crlf_and_bom(name: str, expected: str):
    text = _read(DATA / name)
    assert detect_kind(text) == expected
    assert detect_kind("\ufeff" + text.replace("\n", "\r\n")) == expected


def test_jekyll_post_without_readings_is_a_session():
    assert detect_kind("---\nlayout: post\ntitle: Intro\n---\n\nWelcome to the course.\n") == SESSION_POST
    assert detect_kind("---\ntitle: Only front matter\n---") == SESSION_POST


def test_readings_section_wins_over_slide_separators():
    text = "---\ntitle: S\n---\n## Required Readings:\n### A paper\n+ https://x.org\n---\nmore\n---\n"
    assert detect_kind(text) == SESSION_POST


def test_blog_part_is_not_looked_at():
    text = "---\ntitle: L\n---\n**Paper:** [A](https://arxiv.org/abs/2501.00001)\n<!--excerpt.start-->\n## Readings\n"
    assert detect_kind(text) == LECTURE_PAGE


@pytest.mark.parametrize("blank", ["\n", "\r\n", "\r"])
def test_detection_looks_at_the_top_of_a_file_however_long(blank: str):
    """Only a file's first lines are looked at (a paper list can be megabytes long): a slide outline's
    heading is found past any number of blank lines, and what follows the top changes nothing."""
    outline, listing = _read(DATA / "outline_week.md"), _read(DATA / "hflist_dense.txt")
    tail = blank.join(["A line of the rest of the file."] * 20_000)
    assert detect_kind(blank * 30_000 + outline) == SLIDE_OUTLINE
    assert detect_kind(blank * 30_000 + outline + tail) == SLIDE_OUTLINE
    assert detect_kind(listing + tail) == PAPER_LIST


def test_paper_list_without_chrome_is_told_by_its_rhythm():
    lines = _read(DATA / "hflist_dense.txt").splitlines()[2:]
    lines[0] = lines[0].removeprefix("Subscribe")
    assert detect_kind("\n".join(lines)) == PAPER_LIST
    assert detect_kind("\n\n".join(lines)) == PAPER_LIST


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Just some notes.\nNothing to import here.\n", id="prose"),
        pytest.param("# A heading\n\nbut no date line under it\n", id="heading-without-date"),
        pytest.param("- item one\n- item two\n", id="list"),
        pytest.param("\ufeff\r\n", id="bom-only"),
    ],
)
def test_other_text_is_refused_at_line_1(text: str):
    with pytest.raises(AnnotatorError) as caught:
        detect_kind(text)
    assert caught.value.line == 1
    assert caught.value.reason.startswith("not a file annotator can import")


def test_parse_text_dispatches_and_names_the_file_in_errors():
    lecture = parse_text(_read(DATA / "lecture_tour.md"), "a/lecture_tour.md", "lecture_tour")
    assert isinstance(lecture, Session) and lecture.kind == LECTURE_PAGE
    outline = parse_text(_read(DATA / "outline_week.md"), "outline_week.md", "outline_week")
    assert isinstance(outline, Session) and outline.kind == SLIDE_OUTLINE
    papers = parse_text(_read(DATA / "hflist_spaced.txt"), "hflist_spaced.txt", "Farm papers")
    assert isinstance(papers, PaperList) and papers.name == "Farm papers"
    with pytest.raises(AnnotatorError) as caught:
        parse_text("nothing\n", "notes.txt", "notes")
    assert (caught.value.path, caught.value.line) == ("notes.txt", 1)
    with pytest.raises(AnnotatorError) as caught:
        parse_text("---\ntitle: never closed\n", "open.md", "open")
    assert (caught.value.path, caught.value.line) == ("open.md", 1)


def test_parse_text_hands_session_posts_to_their_parser():
    pytest.importorskip("annotator.formats.session_post")
    session = parse_text(_read(seed_path(0)), "000.txt", "000")
    assert isinstance(session, Session) and session.kind == SESSION_POST
    assert "BloombergGPT: A Large Language Model for Finance" in [r.paper.title for r in session.readings]
