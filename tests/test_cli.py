"""The `annotator` command: JSON shapes scripts rely on, readable tables, and clean errors."""

import json
import sqlite3
import subprocess
import sys

import pytest

from annotator.cli import main
from annotator.store.library import open_library
from tests.store_helpers import build_small_library


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "library.sqlite"
    with open_library(path) as lib:
        build_small_library(lib)
    return str(path)


def run_json(capsys, *args):
    assert main(["--db", *args[:1], *args[1:], "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sessions_json_shape(db, capsys):
    rows = run_json(capsys, db, "sessions")
    assert rows == [
        {"course": "GenAI 2024", "id": "S0-L01", "title": "Transformers", "date": "2024-01-10", "source": "", "readings": 2},
        {"course": "GenAI 2024", "id": "S0-L02", "title": "Diffusion", "date": "2024-01-17", "source": "", "readings": 1},
    ]


def test_show_json_shape_keeps_front_matter_order(db, capsys):
    data = run_json(capsys, db, "show", "S0-L01")
    assert list(data)[:6] == ["course", "id", "title", "date", "source", "front_matter"]
    assert list(data["front_matter"])[:3] == ["layout", "title", "lecture"]
    assert data["front_matter"]["video"] == "team-1"
    first = data["readings"][0]
    assert set(first) >= {"position", "section", "title", "url", "arxiv_id", "authors", "abstract", "team", "videos", "notes"}
    assert first["arxiv_id"] == "1706.03762" and first["videos"] == ["https://youtu.be/abc"] and first["team"] == "team-1"


def test_papers_json_names_sessions_and_lists(db, capsys):
    papers = run_json(capsys, db, "papers")
    attention = next(p for p in papers if p["arxiv_id"] == "1706.03762")
    assert attention["sessions"] == ["GenAI 2024/S0-L01"] and attention["lists"] == []
    assert set(attention) >= {"id", "title", "url", "arxiv_id", "authors", "abstract", "sessions", "lists"}


def test_search_json_finds_notes_papers_and_sessions(db, capsys):
    hits = run_json(capsys, db, "search", "transformer")
    assert {h["type"] for h in hits} >= {"notes", "session"}
    assert all(set(h) == {"type", "id", "title", "snippet"} for h in hits)
    diffusion = run_json(capsys, db, "search", "diffusion")
    assert diffusion[0]["title"] in ("Diffusion", "Denoising Diffusion Probabilistic Models")


def test_human_output_is_a_table(db, capsys):
    assert main(["--db", db, "sessions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["COURSE", "ID", "DATE", "READINGS", "TITLE"]
    assert "S0-L01" in lines[1] and "Transformers" in lines[1]


def test_edit_then_undo_and_redo_from_the_cli(db, capsys):
    assert main(["--db", db, "edit", "S0-L01", "--reading", "2", "--team", "team-4"]) == 0
    assert main(["--db", db, "show", "S0-L01", "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "undo"]) == 0
    assert "undo: Set team of 'Language Models are Few-Shot Learners' to team-4" in capsys.readouterr().out
    assert run_json(capsys, db, "show", "S0-L01")["readings"][1]["team"] == ""
    assert main(["--db", db, "redo"]) == 0
    capsys.readouterr()
    assert run_json(capsys, db, "show", "S0-L01")["readings"][1]["team"] == "team-4"


def test_set_and_unset_front_matter(db, capsys):
    assert main(["--db", db, "edit", "S0-L01", "--set", "lecture=W1-intro", "--set", "tags=Safety, Agents",
                 "--unset", "extraContent", "--title", "Attention, please"]) == 0
    capsys.readouterr()
    data = run_json(capsys, db, "show", "S0-L01")
    assert data["front_matter"]["lecture"] == "W1-intro"
    assert data["front_matter"]["tags"] == ["Safety", "Agents"]
    assert "extraContent" not in data["front_matter"]
    assert data["title"] == "Attention, please"


def test_ambiguous_session_needs_the_course(db, capsys):
    assert main(["--db", db, "new-session", "Other course/S0-L01", "--title", "Twin"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "show", "S0-L01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "ambiguous" in err and "Other course/S0-L01" in err
    assert run_json(capsys, db, "show", "Other course/S0-L01")["title"] == "Twin"


@pytest.mark.parametrize(
    "args, message",
    [
        (["show", "S9-L99"], "no session 'S9-L99'"),
        (["edit", "S0-L01", "--reading", "7", "--team", "x"], "no reading 7"),
        (["edit", "S0-L01", "--reading", "1", "--add-video", "javascript:alert(1)"], "not a web link"),
        (["import", "/nonexistent/file.md"], "/nonexistent/file.md: no such file"),
        (["new-session", "S1", "--title", "x"], "COURSE/ID"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(db, capsys, args, message):
    assert main(["--db", db, *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_locked_library_is_a_clean_error(db, capsys, monkeypatch):
    import annotator.store.library as library

    monkeypatch.setattr(library, "BUSY_TIMEOUT_MS", 100)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert main(["--db", db, "edit", "S0-L01", "--title", "x"]) == 1
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    err = capsys.readouterr().err
    assert err.startswith(f"error: {db}: ") and "locked by another process" in err


@pytest.mark.parametrize("kind", ["not-sqlite", "newer"])
def test_bad_library_files_fail_cleanly_in_a_real_process(tmp_path, kind):
    path = tmp_path / "library.sqlite"
    if kind == "not-sqlite":
        path.write_text("hello\n" * 100)
    else:
        with open_library(path):
            pass
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 42")
        conn.close()
    before = path.read_bytes()
    run = subprocess.run([sys.executable, "-m", "annotator", "--db", str(path), "sessions"],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith(f"error: {path}: ") and "Traceback" not in run.stderr
    assert path.read_bytes() == before


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("annotator ")


def test_default_library_lives_in_the_user_data_folder_and_annotator_db_overrides_it(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_DB"}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    command = [sys.executable, "-m", "annotator", "new-session", "C/S1", "--title", "First"]
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    assert (tmp_path / "data" / "annotator" / "library.sqlite").exists()
    env["ANNOTATOR_DB"] = str(tmp_path / "elsewhere.sqlite")
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    assert (tmp_path / "elsewhere.sqlite").exists()


def test_set_keeps_the_type_a_key_already_has(tmp_path, capsys):
    from annotator.store import editing

    db = tmp_path / "l.sqlite"
    with open_library(db) as lib:
        _, session_id = editing.new_session(lib, "C", "S1", "Typed")
        editing.edit_session(lib, session_id, front_matter={"comments": True, "LOrder": 2, "term": "2024"})
    assert main(["--db", str(db), "edit", "S1", "--set", "comments=false", "--set", "LOrder=3",
                 "--set", "term=2025", "--set", "fresh=true"]) == 0
    capsys.readouterr()
    front = run_json(capsys, str(db), "show", "S1")["front_matter"]
    assert (front["comments"], front["LOrder"], front["term"], front["fresh"]) == (False, 3, "2025", "true")


@pytest.mark.parametrize("args, message", [
    (["edit", "S0-L01", "--date", "next tuesday"], "not a date"),
    (["edit", "S0-L01", "--date", "2024-02-30"], "not a date"),
    (["edit", "S0-L01", "--title", "  "], "needs a title"),
    (["edit", "S0-L01", "--unset", "title"], "needs a title"),
    (["new-session", "C/S9", "--title", "x", "--date", "2024-1-5"], "not a date"),
    (["add-reading", "S0-L01", "--paper", "99999999999999999999999"], "no paper with id"),
])
def test_bad_values_are_refused(db, capsys, args, message):
    assert main(["--db", db, *args]) == 1
    assert message in capsys.readouterr().err


def test_a_paper_is_a_reading_of_a_session_once(db, capsys):
    papers = run_json(capsys, db, "papers")
    attention = next(p for p in papers if p["arxiv_id"] == "1706.03762")
    assert main(["--db", db, "add-reading", "S0-L01", "--paper", str(attention["id"])]) == 1
    assert "already a reading" in capsys.readouterr().err


def test_a_date_with_a_time_keeps_it_in_the_post_and_sorts_by_day(db, capsys):
    assert main(["--db", db, "edit", "S0-L02", "--date", "2024-01-05 10:00:00 +0800"]) == 0
    capsys.readouterr()
    shown = run_json(capsys, db, "show", "S0-L02")
    assert shown["date"] == "2024-01-05" and shown["front_matter"]["date"] == "2024-01-05 10:00:00 +0800"
    assert [s["id"] for s in run_json(capsys, db, "sessions")] == ["S0-L02", "S0-L01"]


def test_a_value_that_starts_with_a_dash_is_one_line_that_says_how(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db, "edit", "S0-L01", "--title", "---"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == ("error: argument --title: expected one argument; "
                                       "for a value that starts with a dash, write --title=VALUE\n")
    assert main(["--db", db, "edit", "S0-L01", "--title=---"]) == 0
    assert main(["--db", db, "edit", "S0-L01", "--set=-dash=on"]) == 0
    capsys.readouterr()
    shown = run_json(capsys, db, "show", "S0-L01")
    assert shown["title"] == "---" and shown["front_matter"]["-dash"] == "on"
