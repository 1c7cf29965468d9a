"""`annotator lookup` against a local arXiv: what it prints, --apply, --json, offline, exit codes."""

from __future__ import annotations

import contextlib
import functools
import io
import json

import pytest

import annotator.arxiv
from annotator.cli import main
from annotator.store.arxiv_cache import remember
from annotator.store.library import open_library
from tests.conftest import seed_path

GPT = "BloombergGPT: A Large Language Model for Finance"
BLADE = "BLADE: Enhancing Black-box Large Language Models with Small Domain-Specific Models"
MMVU = "MMVU: Measuring Expert-Level Multi-Discipline Video Understanding"


def run(db, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path, arxiv_server, monkeypatch):
    """A library holding seed 002 (a Hugging Face list: titles and abstracts, no links), and arXiv on 127.0.0.1."""
    monkeypatch.setenv("ANNOTATOR_ARXIV_API", arxiv_server.url)
    # (arXiv's 3 s between requests, made short: the rate limit has its own test)
    monkeypatch.setattr(annotator.arxiv, "ArxivClient", functools.partial(annotator.arxiv.ArxivClient, min_interval=0.0))
    path = tmp_path / "library.sqlite"
    assert run(path, "import", str(seed_path(2)))[0] == 0
    return path


def paper_id(db, title: str) -> int:
    with open_library(db, read_only=True) as lib:
        return lib.conn.execute("SELECT id FROM papers WHERE title = ?", (title,)).fetchone()[0]


def urls(db) -> dict[str, str]:
    with open_library(db, read_only=True) as lib:
        return dict(lib.conn.execute("SELECT title, url FROM papers WHERE url != ''").fetchall())


def test_lookup_of_one_paper_prints_the_match_and_changes_nothing(db, arxiv_server):
    arxiv_server.add_paper("2403.18427", BLADE)
    code, out, err = run(db, "lookup", "--paper", str(paper_id(db, BLADE)))
    assert (code, err) == (0, "")
    assert "found" in out and "https://arxiv.org/abs/2403.18427" in out
    assert out.endswith("1 found, 0 ambiguous, 0 not found; nothing changed; --apply fills in the ones found\n")
    assert urls(db) == {}


def test_lookup_of_a_list_with_apply_fills_the_matches_in_one_undoable_step(db, arxiv_server):
    arxiv_server.add_paper("2403.18427", BLADE)
    arxiv_server.add_paper("2501.12380", MMVU)
    arxiv_server.add_paper("2501.00001", "MMVU: Measuring Expert-Level Multi-Discipline Video Understanding, again")
    code, out, _ = run(db, "lookup", "--list", seed_path(2).stem, "--apply")
    assert code == 0
    assert urls(db) == {BLADE: "https://arxiv.org/abs/2403.18427", MMVU: "https://arxiv.org/abs/2501.12380"}
    assert "2 found, 0 ambiguous," in out and "filled in 2 papers from arXiv (undo: annotator undo)" in out
    assert run(db, "undo")[0] == 0
    assert urls(db) == {}


def test_a_second_lookup_asks_arxiv_nothing(db, arxiv_server):
    arxiv_server.add_paper("2403.18427", BLADE)
    run(db, "lookup", "--paper", str(paper_id(db, BLADE)))
    asked = len(arxiv_server.requests)
    code, out, _ = run(db, "lookup", "--paper", str(paper_id(db, BLADE)), "--apply")
    assert code == 0 and len(arxiv_server.requests) == asked == 1
    assert urls(db) == {BLADE: "https://arxiv.org/abs/2403.18427"}


def test_json_lists_every_result_with_its_candidates(db, arxiv_server):
    arxiv_server.add_paper("2501.00001", f"Scaling {BLADE}")
    arxiv_server.add_paper("2501.00002", f"{BLADE}, v2")
    code, out, _ = run(db, "lookup", "--paper", str(paper_id(db, BLADE)), "--json")
    [result] = json.loads(out)["results"]
    assert code == 0 and result["status"] == "ambiguous"
    assert {c["arxiv_id"] for c in result["candidates"]} == {"2501.00001", "2501.00002"}


def test_offline_is_one_line_exit_1_and_nothing_changed(db, arxiv_server):
    arxiv_server.stop()
    code, out, err = run(db, "lookup", "--list", seed_path(2).stem, "--apply")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: arXiv is not reachable (") and err.endswith("nothing was changed\n")
    assert urls(db) == {}


def test_malformed_answer_names_the_paper(db, arxiv_server):
    from arxiv_server import Reply

    arxiv_server.script(Reply(body="Rate exceeded."))
    code, _, err = run(db, "lookup", "--paper", str(paper_id(db, BLADE)))
    assert code == 1
    assert err.startswith(f"error: looking up paper {paper_id(db, BLADE)} {BLADE!r}: arXiv's answer is not valid XML")


def test_unknown_paper_session_or_list_is_an_error(db):
    assert run(db, "lookup", "--paper", "99999")[2] == "error: no paper 99999 in the library (see `annotator papers`)\n"
    assert run(db, "lookup", "--list", "nope")[0] == 1
    assert run(db, "lookup", "--session", "S9-L99")[0] == 1
    with pytest.raises(SystemExit, match="1"):  # which papers: one of --paper, --session, --list, --all
        run(db, "lookup")


def test_nothing_to_look_up(db):
    with open_library(db) as lib:
        remember(lib, [])
        lib.conn.execute("UPDATE papers SET url = 'https://example.org/' || id")  # (test setup: every paper linked)
    assert run(db, "lookup", "--all")[1] == "no paper to look up: every one has its link\n"


def test_papers_filled_in_from_arxiv_are_exported_with_their_links(db, arxiv_server, tmp_path):
    """Seed 002 imported, its list filled in from arXiv, and two of its papers read in a new session."""
    arxiv_server.add_paper("2403.18427", BLADE)
    arxiv_server.add_paper("2501.12380", MMVU)
    assert run(db, "lookup", "--list", seed_path(2).stem, "--apply")[0] == 0
    assert run(db, "new-session", "GenAI/S1-L01", "--title", "Domain experts", "--date", "2025-02-01")[0] == 0
    for title in (BLADE, MMVU):
        assert run(db, "add-reading", "S1-L01", "--paper", str(paper_id(db, title)))[0] == 0
    assert run(db, "export", "S1-L01", "--out", str(tmp_path / "out"))[0] == 0
    [post] = (tmp_path / "out").iterdir()
    text = post.read_text(encoding="utf-8")
    assert f"### {BLADE}\n  + https://arxiv.org/abs/2403.18427\n" in text
    assert f"### {MMVU}\n  + https://arxiv.org/abs/2501.12380\n" in text


@pytest.mark.parametrize("setting", ["export.arxiv.org/api/query", "file:///etc/hostname"])
def test_an_api_address_that_is_no_web_address_is_one_line_naming_the_variable(db, monkeypatch, setting):
    """A mirror set up without its scheme was a Python traceback; a file: URL was read from the disk."""
    monkeypatch.setenv("ANNOTATOR_ARXIV_API", setting)
    code, _, err = run(db, "lookup", "--paper", str(paper_id(db, BLADE)))
    assert code == 1
    assert err == (f"error: ANNOTATOR_ARXIV_API is {setting!r}, not a web address (http:// or https://): "
                   "nothing was changed\n")
