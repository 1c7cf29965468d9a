"""Values written on one line of a post (a reading's team and videos) and session ids.

Issue 13: a team or video holding `<!--excerpt.start-->` ended the readings part on re-import;
imported `+ Video:` lines offered `javascript:` and `file:` links that `--add-video` refuses;
`new-session` took ids holding line breaks, tabs or bidi controls.
"""

from __future__ import annotations

import pytest

from annotator.cli import main
from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.store import editing, queries
from tests.roundtrip_helpers import assert_round_trip, export_one, import_post_text, round_trip

MARKER = "<!--excerpt.start-->"
BREAKS = ["\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1d", "\x1e"]


def three_readings(lib) -> tuple[int, list[int]]:
    _, session = editing.new_session(lib, "C", "S1", "Values")
    readings = [editing.add_reading(lib, session, paper=Paper(f"Paper {n}", f"https://arxiv.org/abs/2401.0000{n}"))[1]
                for n in (1, 2, 3)]
    return session, readings


@pytest.mark.parametrize("edit", [{"team": f"team-1{MARKER}"}, {"add_videos": [f"https://example.org/v{MARKER}"]}],
                         ids=["team", "video"])
def test_the_excerpt_marker_in_a_team_or_video_is_refused_at_edit_time(lib, edit):
    session, readings = three_readings(lib)
    with pytest.raises(AnnotatorError, match="holds <!--excerpt.start-->"):
        editing.edit_reading(lib, readings[0], **edit)
    assert [(r["team"], r["videos"]) for r in queries.session_readings(lib.conn, session)] == [("", [])] * 3


@pytest.mark.parametrize("char", BREAKS, ids=[f"U+{ord(c):04X}" for c in BREAKS])
def test_a_line_break_of_any_kind_in_a_team_or_video_is_refused(lib, char):
    _, readings = three_readings(lib)
    with pytest.raises(AnnotatorError, match="holds a line break"):
        editing.edit_reading(lib, readings[0], team=f"team{char}one")
    with pytest.raises(AnnotatorError, match="holds a line break"):
        editing.edit_reading(lib, readings[0], add_videos=[f"https://youtu.be/a{char}b"])
    with pytest.raises(AnnotatorError, match="holds a line break"):
        editing.set_roster(lib, 1, [(f"team{char}one", "")])


@pytest.mark.parametrize("args", [["--team", f"t{MARKER}"], ["--add-video", f"https://example.org/v{MARKER}"],
                                  ["--team", "a\u2028b"]], ids=["team", "video", "separator"])
def test_cli_edit_refuses_them_with_one_clear_line(tmp_path, capsys, args):
    db = str(tmp_path / "library.sqlite")
    assert main(["--db", db, "new-session", "C/S1", "--title", "T"]) == 0
    assert main(["--db", db, "add-reading", "S1", "--title", "Paper", "--url", "https://arxiv.org/abs/1706.03762"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "edit", "S1", "--reading", "1", *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the ") and ("holds <!--excerpt.start-->" in err or "holds a line break" in err)
    assert len(err.strip().splitlines()) == 1


HAND_WRITTEN = """---
title: Hand-written annotations
---

## Required Readings:

### Paper 1
  + https://arxiv.org/abs/2401.00001
  + Team: team-1<!--excerpt.start-->
  + Video: https://example.org/v<!--excerpt.start-->

### Paper 2
  + https://arxiv.org/abs/2401.00002
  + Video: javascript:alert(1)
  + Video: file:///etc/passwd
  + Video: https://youtu.be/real

### Paper 3
  + https://arxiv.org/abs/2401.00003
"""


def test_a_marker_inside_a_team_or_video_line_does_not_end_the_readings(lib, tmp_path):
    session = import_post_text(lib, tmp_path, HAND_WRITTEN)
    readings = queries.session_readings(lib.conn, session)
    assert [r["title"] for r in readings] == ["Paper 1", "Paper 2", "Paper 3"]
    assert readings[0]["team"] == "team-1<!--excerpt.start-->"
    editing.edit_reading(lib, readings[2]["reading_id"], notes="Notes on paper 3.")
    assert_round_trip(lib, session, tmp_path / "trip")


def test_imported_non_web_videos_stay_in_the_post_but_are_not_links(lib, tmp_path):
    session = import_post_text(lib, tmp_path, HAND_WRITTEN)
    second = queries.session_readings(lib.conn, session)[1]
    assert second["videos"] == ["https://youtu.be/real"]
    assert export_one(lib, session, tmp_path / "out").read_text(encoding="utf-8") == HAND_WRITTEN
    editing.edit_reading(lib, second["reading_id"], add_videos=["https://youtu.be/added"])
    text = assert_round_trip(lib, session, tmp_path / "trip")
    assert text == HAND_WRITTEN.replace("  + Video: https://youtu.be/real\n",
                                        "  + Video: https://youtu.be/real\n  + Video: https://youtu.be/added\n")
    with pytest.raises(AnnotatorError, match="not a web link"):
        editing.edit_reading(lib, second["reading_id"], add_videos=["file:///etc/passwd"])


def test_a_lecture_page_offers_the_same_videos(lib, tmp_path):
    page = ("---\ntitle: Lecture\n---\n**Paper:** [Attention Is All You Need](https://arxiv.org/abs/1706.03762)<br>\n"
            "+ Video: javascript:alert(1)\n+ Video: https://youtu.be/real\n")
    session = import_post_text(lib, tmp_path, page, "L1.md")
    [reading] = queries.session_readings(lib.conn, session)
    assert reading["videos"] == ["https://youtu.be/real"]
    _, again = round_trip(lib, session, tmp_path / "trip")
    assert again["readings"][0]["videos"] == ["https://youtu.be/real"]


@pytest.mark.parametrize("code", ["S1\nS2", "S\t1", "S1\u202e", "\u202eS1", "S\u2028X", "S\u200b1", "S\x00"],
                         ids=["newline", "tab", "RLO", "leading RLO", "line separator", "zero width", "NUL"])
def test_session_ids_with_control_or_bidi_characters_are_refused(lib, code):
    with pytest.raises(AnnotatorError, match="a session id cannot hold line breaks, tabs or invisible control"):
        editing.new_session(lib, "C", code, "Title")
    assert queries.list_sessions(lib.conn) == []


def test_cli_new_session_refuses_them_with_one_clear_line(tmp_path, capsys):
    db = str(tmp_path / "library.sqlite")
    assert main(["--db", db, "new-session", "C/S1\u202eXX", "--title", "T"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: a session id cannot hold") and "\u202e" not in err and "\\u202e" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["--db", db, "new-session", "C/S0-L29 part 2", "--title", "T"]) == 0  # spaces are fine
