"""Importing paper lists copied from Hugging Face Papers: seeds 002/003 and odd input."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.hf_list import parse_paper_list
from annotator.formats.papers import title_key
from tests.bench.generate import paper_list_text
from tests.conftest import DATA, seed_path
from tests.hang_guard import finishes_within


def _seed(number: int) -> str:
    return seed_path(number).read_text(encoding="utf-8")


def _fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_seed_002_without_blank_lines_and_with_glued_subscribe():
    papers = parse_paper_list(_seed(2), "domain").papers
    assert len(papers) == 230
    assert papers[0].title == "Do We Need Domain-Specific Embedding Models? An Empirical Investigation"
    assert papers[0].abstract.startswith("Embedding models play a crucial role")
    assert all(p.abstract and not p.url for p in papers)


def test_seed_003_with_blank_lines_and_page_chrome():
    result = parse_paper_list(_seed(3), "health")
    assert result.name == "health"
    assert len(result.papers) == 81
    assert result.papers[0].title.startswith("SANSformers")
    assert not [p for p in result.papers if p.title in ("new", "Subscribe", "Mar 11")]


def test_seeds_002_and_003_together_are_309_papers():
    both = parse_paper_list(_seed(2), "a").papers + parse_paper_list(_seed(3), "b").papers
    assert len({title_key(p.title) for p in both}) == 309


@pytest.mark.parametrize(
    "title",
    [
        "Do We Need Domain-Specific Embedding Models? An Empirical Investigation",
        "do we need domain_specific  embedding models:an empirical investigation",
        "ＤＯ WE NEED DOMAIN‐SPECIFIC EMBEDDING MODELS — AN EMPIRICAL INVESTIGATION",  # fullwidth, dashes
    ],
)
def test_titles_differing_in_case_spacing_and_punctuation_are_one_paper(title: str):
    assert title_key(title) == "do we need domain specific embedding models an empirical investigation"


def test_a_list_copied_twice_is_still_one_list():
    assert len(parse_paper_list(_seed(3) + "\n" + _seed(3), "twice").papers) == 81


def test_spaced_fixture_with_chinese_title():
    papers = parse_paper_list(_fixture("hflist_spaced.txt"), "farm").papers
    assert [p.title for p in papers] == [
        "Counting Sheep with Transformers",
        "羊群計數：一個基準",
        "Goat Models Are Stubborn Learners",
    ]
    assert papers[1].abstract.startswith("本文提出")


def test_dense_fixture_duplicate_and_trailing_title_without_abstract():
    papers = parse_paper_list(_fixture("hflist_dense.txt"), "misc").papers
    titles = [p.title for p in papers]
    assert titles == ["Herding Cats at Scale", "Yak Shaving: A Long Title", "Llama Farming in Practice"]
    assert papers[0].abstract.startswith("Cats cannot be herded")  # the first copy wins
    assert papers[-1].abstract == ""


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.replace("\n", " \t\n"), id="trailing-whitespace"),
        pytest.param(lambda t: t.replace("Goat Models", "Goat\tModels"), id="tab-in-title"),
    ],
)
def test_line_endings_bom_and_stray_whitespace_change_nothing(variant):
    plain = parse_paper_list(_fixture("hflist_spaced.txt"), "x").papers
    assert parse_paper_list(variant(_fixture("hflist_spaced.txt")), "x").papers == plain


def test_missing_abstract_costs_one_paper_not_the_pairing():
    lines = _fixture("hflist_dense.txt").splitlines()
    del lines[3]  # the first paper's abstract
    titles = [p.title for p in parse_paper_list("\n".join(lines), "x").papers]
    assert titles == ["Herding Cats at Scale", "Yak Shaving: A Long Title", "Llama Farming in Practice"]


def test_abstract_without_its_title_is_skipped():
    orphan = "An orphan abstract sentence. " * 20
    text = "Title One\n" + "An abstract. " * 30 + "\n" + orphan + "\nTitle Two\n" + "More. " * 60
    assert [p.title for p in parse_paper_list(text, "x").papers] == ["Title One", "Title Two"]


def test_title_that_ends_with_a_period_is_still_a_title():
    title = "Attention Is Not All You Need, and Neither Are Convolutions, Apparently."
    text = f"{title}\n" + "We study this. " * 40 + "\nNext Paper\n" + "Abstract text. " * 40
    assert [p.title for p in parse_paper_list(text, "x").papers] == [title, "Next Paper"]


def test_only_chrome_is_an_error():
    with pytest.raises(AnnotatorError) as caught:
        parse_paper_list("Get trending papers in your email inbox!\nSubscribe\nMar 11\n", "x", "list.txt")
    assert (caught.value.path, caught.value.line) == ("list.txt", 1)


def test_ten_thousand_papers_parse_without_hanging():
    text = paper_list_text(10_000)
    result = finishes_within(10, lambda: parse_paper_list(text, "bench"))  # (a fraction of a second: bench_hf_list.py)
    assert len(result.papers) == 10_000
