"""The arXiv client against a local server: results, retries, timeouts, the rate limit, the base URL."""

from __future__ import annotations

import time

import pytest
from arxiv_server import Reply

from annotator.arxiv import ArxivClient, ArxivOffline, ArxivResponseError, LookupCancelled, parse_feed
from annotator.arxiv.client import API_ENV, DEFAULT_API, api_url
from annotator.errors import AnnotatorError

GPT = "BloombergGPT: A Large Language Model for Finance"


def quick_client(server, **options) -> ArxivClient:
    """A client for SERVER that does not wait 3 s between requests (unless told)."""
    return ArxivClient(server.url, **{"timeout": 2.0, "min_interval": 0.0, "retries": 2} | options)


def test_an_id_finds_its_paper_with_title_authors_abstract_and_year(arxiv_server):
    arxiv_server.add_paper("2303.17564", GPT, authors=("Shijie Wu", "Ozan Irsoy"), published="2023-03-30")
    [entry] = quick_client(arxiv_server).by_id("2303.17564")
    assert (entry.arxiv_id, entry.title, entry.authors, entry.year) == ("2303.17564", GPT, ("Shijie Wu", "Ozan Irsoy"), 2023)
    assert entry.abs_url == "https://arxiv.org/abs/2303.17564"
    assert entry.abstract == "We study things. Results follow."  # hard wraps and the leading blank folded
    assert arxiv_server.requests[0].params == {"id_list": "2303.17564", "max_results": "1"}


def test_a_title_search_sends_its_words_as_a_ti_phrase_and_returns_every_candidate(arxiv_server):
    arxiv_server.add_paper("2303.17564", GPT)
    arxiv_server.add_paper("2401.00001", "BloombergGPT: A Large Language Model for Finance, revisited")
    found = quick_client(arxiv_server).by_title("BloombergGPT:  a large language model for FINANCE", max_results=5)
    assert [e.arxiv_id for e in found] == ["2303.17564", "2401.00001"]
    assert arxiv_server.requests[0].params["search_query"] == 'ti:"bloomberggpt a large language model for finance"'
    assert arxiv_server.requests[0].params["max_results"] == "5"


def test_no_result_is_an_empty_list(arxiv_server):
    assert quick_client(arxiv_server).by_title("A paper nobody wrote") == []
    assert quick_client(arxiv_server).by_id("2501.99999") == []


def test_malformed_xml_is_one_clear_line(arxiv_server):
    arxiv_server.script(Reply(body="<feed><entry>"))
    with pytest.raises(ArxivResponseError) as caught:
        quick_client(arxiv_server).by_id("2303.17564")
    assert "not valid XML" in str(caught.value) and "\n" not in str(caught.value)
    assert isinstance(caught.value, AnnotatorError)


def test_arxivs_error_entry_is_an_error_not_a_result(arxiv_server):
    with pytest.raises(ArxivResponseError, match="arXiv refused the query: incorrect id format"):
        quick_client(arxiv_server).by_id("not an id")


def test_an_entity_bomb_is_refused_before_it_expands():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
            + ']><feed xmlns="http://www.w3.org/2005/Atom"><title>&lol8;</title></feed>')
    with pytest.raises(ArxivResponseError, match="DTD"):
        parse_feed(bomb)


def test_a_feed_in_another_namespace_is_not_a_feed():
    with pytest.raises(ArxivResponseError, match="not an Atom feed"):
        parse_feed("<feed><entry><id>http://arxiv.org/abs/1</id></entry></feed>")


def test_http_503_is_retried_after_retry_after_and_then_succeeds(arxiv_server):
    arxiv_server.add_paper("2303.17564", GPT)
    arxiv_server.script(Reply(503, body="busy", headers={"Retry-After": "0.3"}))
    [entry] = quick_client(arxiv_server).by_id("2303.17564")
    assert entry.title == GPT
    first, second = arxiv_server.requests
    assert second.at - first.at >= 0.3


def test_503_every_time_is_offline_in_one_line(arxiv_server):
    arxiv_server.script(*[Reply(503, body="busy")] * 3)
    with pytest.raises(ArxivOffline, match=r"^arXiv is busy \(HTTP 503, after 3 tries\): nothing was changed$"):
        quick_client(arxiv_server).by_id("2303.17564")
    assert len(arxiv_server.requests) == 3


def test_another_http_error_names_its_status(arxiv_server):
    arxiv_server.script(Reply(400, body="bad"))
    with pytest.raises(ArxivResponseError, match="HTTP 400"):
        quick_client(arxiv_server).by_id("2303.17564")
    assert len(arxiv_server.requests) == 1


def test_a_slow_answer_times_out_and_is_retried_then_offline(arxiv_server):
    arxiv_server.script(*[Reply(delay=2.0)] * 2)
    with pytest.raises(ArxivOffline) as caught:
        quick_client(arxiv_server, timeout=0.3, retries=1).by_id("2303.17564")
    assert str(caught.value) == "arXiv is not reachable (timed out after 0.3 s, 2 tries): nothing was changed"
    assert len(arxiv_server.requests) == 2


def test_a_slow_answer_then_a_quick_one_succeeds(arxiv_server):
    arxiv_server.add_paper("2303.17564", GPT)
    arxiv_server.script(Reply(delay=2.0))
    assert [e.arxiv_id for e in quick_client(arxiv_server, timeout=0.3).by_id("2303.17564")] == ["2303.17564"]


def test_an_answer_that_trickles_in_slower_than_the_timeout_times_out(arxiv_server):
    """Each piece comes within the timeout, the whole answer takes far longer: the timeout is the request's."""
    arxiv_server.add_paper("2303.17564", GPT)
    arxiv_server.script(Reply(trickle=0.1))  # about 1.5 KB: 2-3 s
    started = time.monotonic()
    with pytest.raises(ArxivOffline, match=r"timed out after 0.5 s, 1 try"):
        quick_client(arxiv_server, timeout=0.5, retries=0).by_id("2303.17564")
    assert time.monotonic() - started < 1.5


def test_a_closed_port_is_offline_at_once(arxiv_server):
    url = arxiv_server.url
    arxiv_server.stop()
    with pytest.raises(ArxivOffline, match=r"^arXiv is not reachable \(.*\): nothing was changed$"):
        ArxivClient(url, timeout=1.0, min_interval=0.0).by_id("2303.17564")


def test_requests_of_a_batch_are_min_interval_apart_on_the_servers_clock(arxiv_server):
    client = ArxivClient(arxiv_server.url, timeout=2.0, min_interval=0.25)
    for title in ("one", "two", "three", "four"):
        client.by_title(title)
    times = [seen.at for seen in arxiv_server.requests]
    assert len(times) == 4 == client.requests
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.24  # (the server's clock, not the client's)


def test_cancel_during_the_rate_limit_wait_sends_nothing_more(arxiv_server):
    client = ArxivClient(arxiv_server.url, timeout=2.0, min_interval=30.0)
    client.by_title("first")
    with pytest.raises(LookupCancelled):
        client.by_title("second", cancelled=lambda: True)
    assert len(arxiv_server.requests) == 1


def test_the_base_url_comes_from_annotator_arxiv_api(arxiv_server, monkeypatch):
    monkeypatch.delenv(API_ENV, raising=False)
    assert api_url() == DEFAULT_API == "https://export.arxiv.org/api/query"
    monkeypatch.setenv(API_ENV, arxiv_server.url)
    arxiv_server.add_paper("2303.17564", GPT)
    assert ArxivClient(min_interval=0.0).by_id("2303.17564")[0].title == GPT
    assert len(arxiv_server.requests) == 1


def test_a_long_retry_after_is_busy_at_once(arxiv_server):
    arxiv_server.script(Reply(503, body="busy", headers={"Retry-After": "3600"}))
    with pytest.raises(ArxivOffline, match=r"^arXiv is busy \(HTTP 503, after 1 try\): nothing was changed$"):
        quick_client(arxiv_server).by_id("2303.17564")
    assert len(arxiv_server.requests) == 1
