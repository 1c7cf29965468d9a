"""An edit writes the file's own line endings, and an unedited export leaves every line alone.

Issue 13: in a post with CR-only line endings any edit wrote LF lines into it, and a lecture
page's `+ Team:<NBSP>x` line was rewritten on an unedited export.
"""

from __future__ import annotations

import pytest

from annotator.formats.model import Paper
from annotator.store import editing, queries
from tests.roundtrip_helpers import assert_round_trip, export_one, import_post_text

ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}

POST = """---
layout: post
title: Line endings
video: team-1
---

## Required Readings:

### Attention Is All You Need
  + https://arxiv.org/abs/1706.03762

### BERT
  + https://arxiv.org/abs/1810.04805
"""

LECTURE = """---
title: Lecture
---
### Topic
**Paper:** [Attention Is All You Need](https://arxiv.org/abs/1706.03762)<br>
+ Team:\u00a0team-1
+ Video: https://youtu.be/x\u3000
"""


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_every_line_an_edit_writes_keeps_the_files_line_ending(lib, tmp_path, ending):
    session = import_post_text(lib, tmp_path, POST.replace("\n", ending), "S1.md")
    first, second = queries.session_readings(lib.conn, session)
    editing.edit_reading(lib, first["reading_id"], team="team-2", add_videos=["https://youtu.be/a"],
                         notes="Notes.\n\nTwo paragraphs.")
    editing.edit_reading(lib, second["reading_id"], notes="# A heading\n```\nopen code")
    editing.edit_session(lib, session, title="Line endings, edited", front_matter={"desc": "2024-S1"})
    editing.add_reading(lib, session, paper=Paper("Added", "https://arxiv.org/abs/2401.00001"))
    text = assert_round_trip(lib, session, tmp_path / "trip")
    assert "\r" not in text.replace(ending, "") and "\n" not in text.replace(ending, "")
    assert f"  + Team: team-2{ending}  + Video: https://youtu.be/a{ending}" in text


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_lecture_page_edits_keep_its_line_ending(lib, tmp_path, ending):
    session = import_post_text(lib, tmp_path, LECTURE.replace("\n", ending), "L2.md")
    editing.add_reading(lib, session, paper=Paper("BERT", "https://arxiv.org/abs/1810.04805"))
    [reading, _] = queries.session_readings(lib.conn, session)
    editing.edit_reading(lib, reading["reading_id"], notes="Notes.")
    text = assert_round_trip(lib, session, tmp_path / "trip")
    assert "\r" not in text.replace(ending, "") and "\n" not in text.replace(ending, "")


def test_unedited_lecture_page_with_unusual_spaces_exports_byte_identical(lib, tmp_path):
    session = import_post_text(lib, tmp_path, LECTURE, "L1.md")
    assert export_one(lib, session, tmp_path / "out").read_bytes() == LECTURE.encode("utf-8")
    [reading] = queries.session_readings(lib.conn, session)
    assert (reading["team"], reading["videos"]) == ("team-1", ["https://youtu.be/x"])
    editing.edit_reading(lib, reading["reading_id"], team=" team-1 ")  # the same team, as typed
    assert export_one(lib, session, tmp_path / "again").read_bytes() == LECTURE.encode("utf-8")
