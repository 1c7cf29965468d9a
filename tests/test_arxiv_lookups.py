"""Looking library papers up on arXiv (a local server), the cache, and applying what was found as one step."""

from __future__ import annotations

import pytest
from store_helpers import dump

from annotator.arxiv import ArxivClient, ArxivEntry, LookupCancelled
from annotator.formats.model import Paper
from annotator.store import arxiv_cache, editing, operations
from annotator.store.lookups import (
    AMBIGUOUS,
    MATCH,
    NOT_FOUND,
    apply_lookups,
    look_up,
    look_up_many,
    papers_missing_links,
)

GPT = "BloombergGPT: A Large Language Model for Finance"
LORA = "LoRA: Low-Rank Adaptation of Large Language Models"


@pytest.fixture
def client(arxiv_server) -> ArxivClient:
    return ArxivClient(arxiv_server.url, timeout=2.0, min_interval=0.0)


def add_papers(lib, *papers: Paper) -> tuple[int, list[int]]:
    """A session S0-L01 reading PAPERS: (its id, the papers' ids)."""
    _, session = editing.new_session(lib, "GenAI", "S0-L01", "Finance")
    ids = []
    for paper in papers:
        _, reading = editing.add_reading(lib, session, paper=paper)
        ids.append(lib.conn.execute("SELECT paper_id FROM readings WHERE id = ?", (reading,)).fetchone()[0])
    return session, ids


def paper(lib, paper_id: int) -> dict:
    return dict(lib.conn.execute("SELECT title, url, authors, abstract FROM papers WHERE id = ?", (paper_id,)).fetchone())


def test_a_title_that_matches_exactly_is_a_match(lib, arxiv_server, client):
    arxiv_server.add_paper("2303.17564", GPT, authors=("Shijie Wu",))
    _, [gpt] = add_papers(lib, Paper("BloombergGPT — a large language model for finance"))
    result = look_up(lib.conn, client, gpt)
    assert (result.status, result.entry.arxiv_id, result.duplicate_of) == (MATCH, "2303.17564", None)
    assert [key for key, _ in result.fetched] == ["title:bloomberggpt a large language model for finance"]


def test_several_candidates_none_exact_is_ambiguous(lib, arxiv_server, client):
    arxiv_server.add_paper("2401.00001", "Scaling LoRA: Low-Rank Adaptation of Large Language Models at scale")
    arxiv_server.add_paper("2106.09685", "Revisiting LoRA: Low-Rank Adaptation of Large Language Models")
    _, [lora] = add_papers(lib, Paper("Low-Rank Adaptation of Large Language Models"))
    result = look_up(lib.conn, client, lora)
    assert (result.status, result.entry) == (AMBIGUOUS, None)
    assert {e.arxiv_id for e in result.candidates} == {"2401.00001", "2106.09685"}


def test_no_result_is_not_found(lib, arxiv_server, client):
    _, [nothing] = add_papers(lib, Paper("A paper nobody wrote"))
    assert look_up(lib.conn, client, nothing).status == NOT_FOUND


def test_a_paper_with_an_arxiv_url_is_asked_by_id(lib, arxiv_server, client):
    arxiv_server.add_paper("2303.17564", GPT)
    _, [gpt] = add_papers(lib, Paper("Bloomberg's model", "https://arxiv.org/pdf/2303.17564v1.pdf"))
    result = look_up(lib.conn, client, gpt)
    assert (result.status, result.entry.title) == (MATCH, GPT)
    assert arxiv_server.requests[0].params["id_list"] == "2303.17564"


def test_a_second_lookup_of_the_same_paper_needs_no_network(lib, arxiv_server, client):
    arxiv_server.add_paper("2303.17564", GPT)
    _, [gpt, nothing] = add_papers(lib, Paper(GPT), Paper("A paper nobody wrote"))
    first = look_up_many(lib.conn, client, [gpt, nothing])
    arxiv_cache.remember(lib, [answer for result in first for answer in result.fetched])
    assert len(arxiv_server.requests) == 2
    again = look_up_many(lib.conn, ArxivClient(arxiv_server.url, min_interval=0.0), [gpt, nothing])
    assert len(arxiv_server.requests) == 2  # the server saw nothing more
    assert [(r.status, r.fetched) for r in again] == [(MATCH, ()), (NOT_FOUND, ())]


def test_the_cache_is_not_an_undo_step(lib, arxiv_server, client):
    _, [gpt] = add_papers(lib, Paper(GPT))
    steps = lib.conn.execute("SELECT count(*) FROM operations").fetchone()[0]
    changes, _ = arxiv_cache.remember(lib, look_up(lib.conn, client, gpt).fetched)
    assert changes.op_id is None and changes.is_empty()
    assert lib.conn.execute("SELECT count(*) FROM operations").fetchone()[0] == steps
    operations.undo(lib)  # undoes the reading's addition, and keeps what arXiv said
    assert lib.conn.execute("SELECT count(*) FROM arxiv_cache").fetchone()[0] == 1


def test_an_old_empty_answer_is_asked_again(lib):
    import datetime as dt

    arxiv_cache.remember(lib, [("title:nothing", ())])
    assert arxiv_cache.cached(lib.conn, "title:nothing") == ()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=arxiv_cache.EMPTY_ANSWER_DAYS + 1)
    assert arxiv_cache.cached(lib.conn, "title:nothing", later) is None


def test_papers_missing_links_of_a_session_a_list_and_the_library(lib):
    session, [no_link, linked, bare_arxiv] = add_papers(
        lib, Paper(GPT), Paper(LORA, "https://arxiv.org/abs/2106.09685", "Edward Hu", "We propose LoRA."),
        Paper("Attention Is All You Need", "https://arxiv.org/abs/1706.03762"))
    _, other = editing.new_session(lib, "GenAI", "S0-L02", "Other")
    editing.add_reading(lib, other, paper=Paper("Elsewhere"))
    assert papers_missing_links(lib.conn, session_id=session) == [no_link, bare_arxiv]
    assert len(papers_missing_links(lib.conn)) == 3
    assert linked not in papers_missing_links(lib.conn)


def test_apply_fills_only_empty_fields_and_undo_takes_the_batch_back(lib):
    _, [gpt, lora] = add_papers(lib, Paper(GPT, authors="S. Wu (as the post says)"), Paper(LORA))
    before = dump(lib)
    entry = ArxivEntry("2303.17564", GPT, ("Shijie Wu", "Ozan Irsoy"), "The abstract.", "2023-03-30")
    lora_entry = ArxivEntry("2106.09685", LORA, ("Edward Hu",), "We propose LoRA.", "2021-06-17")
    changes, summary = apply_lookups(lib, [(gpt, entry), (lora, lora_entry)])
    assert changes.label == "Fill in 2 papers from arXiv"
    assert paper(lib, gpt) == {"title": GPT, "url": "https://arxiv.org/abs/2303.17564",
                               "authors": "S. Wu (as the post says)", "abstract": "The abstract."}
    assert paper(lib, lora)["authors"] == "Edward Hu"
    assert summary.filled == [gpt, lora]
    operations.undo(lib, changes.op_id)
    assert dump(lib) == before


def test_overwrite_replaces_what_the_paper_had(lib):
    _, [gpt] = add_papers(lib, Paper(GPT, authors="S. Wu"))
    entry = ArxivEntry("2303.17564", GPT, ("Shijie Wu",), "The abstract.", "2023-03-30")
    apply_lookups(lib, [(gpt, entry)], overwrite=True)
    assert paper(lib, gpt)["authors"] == "Shijie Wu"


def test_a_placeholder_title_takes_arxivs(lib):
    _, [placeholder] = add_papers(lib, Paper("", "https://arxiv.org/abs/2303.17564"))
    apply_lookups(lib, [(placeholder, ArxivEntry("2303.17564", GPT, (), "", "2023-03-30"))])
    assert paper(lib, placeholder)["title"] == GPT


def test_a_found_paper_is_merged_into_the_one_that_has_its_arxiv_id(lib, arxiv_server, client):
    arxiv_server.add_paper("2303.17564", GPT, authors=("Shijie Wu",))
    session, [twin] = add_papers(lib, Paper(GPT + " (preprint)"))
    _, other = editing.new_session(lib, "GenAI", "S0-L02", "Finance again")
    _, reading = editing.add_reading(lib, other, paper=Paper(GPT))
    editing.edit_reading(lib, reading, notes="Team 2 presents.")
    found = lib.conn.execute("SELECT paper_id FROM readings WHERE id = ?", (reading,)).fetchone()[0]
    editing.edit_paper(lib, twin, {"url": "https://arxiv.org/abs/2303.17564"})
    before = dump(lib)
    result = look_up(lib.conn, client, found)
    assert (result.status, result.duplicate_of) == (MATCH, twin)
    changes, summary = apply_lookups(lib, [(found, result.entry)])
    assert summary.merged == [(twin, found)]
    assert lib.conn.execute("SELECT count(*) FROM papers WHERE id = ?", (found,)).fetchone()[0] == 0
    assert lib.conn.execute("SELECT paper_id, notes FROM readings WHERE id = ?", (reading,)).fetchone()[:] == (
        twin, "Team 2 presents.")
    assert paper(lib, twin)["authors"] == "Shijie Wu"
    assert changes.label == "Fill in 1 paper from arXiv"
    operations.undo(lib, changes.op_id)
    assert dump(lib) == before


def test_without_merge_the_duplicate_stays_apart_without_the_link(lib):
    _, [twin, found] = add_papers(lib, Paper(GPT, "https://arxiv.org/abs/2303.17564"), Paper("Bloomberg GPT"))
    entry = ArxivEntry("2303.17564", GPT, ("Shijie Wu",), "The abstract.", "2023-03-30")
    _, summary = apply_lookups(lib, [(found, entry)], merge=False)
    assert summary.not_merged == [found]
    assert paper(lib, found) == {"title": "Bloomberg GPT", "url": "", "authors": "Shijie Wu", "abstract": "The abstract."}


def test_cancel_mid_batch_stops_asking_and_applies_nothing(lib, arxiv_server):
    for number in range(4):
        arxiv_server.add_paper(f"2303.1756{number}", f"Paper number {number}")
    _, ids = add_papers(lib, *(Paper(f"Paper number {number}") for number in range(4)))
    before = dump(lib)
    client = ArxivClient(arxiv_server.url, timeout=2.0, min_interval=0.2)
    with pytest.raises(LookupCancelled):
        look_up_many(lib.conn, client, ids, cancelled=lambda: len(arxiv_server.requests) >= 2)
    assert len(arxiv_server.requests) == 2
    assert dump(lib) == before


def test_cancel_stops_a_batch_answered_by_the_cache_too(lib, arxiv_server, client):
    _, ids = add_papers(lib, *(Paper(f"Paper number {number}") for number in range(3)))
    arxiv_cache.remember(lib, [answer for r in look_up_many(lib.conn, client, ids) for answer in r.fetched])
    seen: list[int] = []
    with pytest.raises(LookupCancelled):
        look_up_many(lib.conn, client, ids, progress=lambda done, total, title: seen.append(done),
                     cancelled=lambda: len(seen) >= 2)
    assert seen == [0, 1]
