"""What the fuzz tests (tests/test_fuzz_roundtrip.py) found, each as a plain regression test."""

from __future__ import annotations

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper
from annotator.store import editing, queries
from annotator.store.importing import import_paths
from tests.conftest import DATA
from tests.roundtrip_helpers import round_trip


def test_an_exported_slide_outline_keeps_its_date(lib, tmp_path):
    """A slide outline's date is a `20250211` line under its title; its post is a new one, which
    wrote no `date:`, so the date was lost on import."""
    source = tmp_path / "W3.md"
    source.write_bytes((DATA / "outline_week.md").read_bytes())
    import_paths(lib, [source], course="C")
    session = queries.resolve_session(lib.conn, "C/W3")
    text, again = round_trip(lib, session, tmp_path)
    assert "\ndate: '2025-02-11'\n" in text
    assert again["date"] == "2025-02-11"


def test_a_date_key_that_is_a_number_is_refused_like_any_other_non_date(lib, tmp_path):
    """A post whose `date:` is a number keeps that type when edited (`--set date=7`); the store
    took 7 as the session's date "7", which no post gives back (import reads no date from it)."""
    source = tmp_path / "S5.md"
    source.write_text("---\ntitle: Numbered\ndate: 5\n---\n\n## Readings\n\n### Paper One\n+ https://arxiv.org/abs/1706.03762\n",
                      encoding="utf-8")
    import_paths(lib, [source], course="C")
    session = queries.resolve_session(lib.conn, "C/S5")
    with pytest.raises(AnnotatorError, match=r"not a date Jekyll can read \(YYYY-MM-DD\): 7"):
        editing.edit_session(lib, session, front_matter={"date": 7})
    assert queries.session_detail(lib.conn, session)["date"] == ""
    editing.edit_session(lib, session, front_matter={"date": "2024-03-05"})
    _, again = round_trip(lib, session, tmp_path)
    assert again["date"] == "2024-03-05" and again["front_matter"]["date"] == "2024-03-05"


def test_notes_or_a_team_holding_a_nul_character_are_refused(lib, tmp_path):
    """A NUL pasted into notes was exported as it was: the post then failed to import as a binary file."""
    _, session = editing.new_session(lib, "C", "S1", "Nul")
    _, reading = editing.add_reading(lib, session, paper=Paper("Paper One", "https://arxiv.org/abs/1706.03762"))
    with pytest.raises(AnnotatorError, match=r"cannot save the notes: the text holds a NUL character"):
        editing.edit_reading(lib, reading, notes="pasted\x00junk")
    with pytest.raises(AnnotatorError, match=r"holds a NUL character"):
        editing.edit_reading(lib, reading, team="team\x001")
    assert queries.session_readings(lib.conn, session)[0]["notes"] == ""
    editing.edit_reading(lib, reading, notes="pasted junk \x01\x7f")  # other control characters read back
    _, again = round_trip(lib, session, tmp_path)
    assert again["readings"][0]["notes"] == "pasted junk \x01\x7f"


def test_a_lecture_page_link_ending_with_a_colon_keeps_its_title_through_a_post(lib, tmp_path):
    """A reading heading of a session post cannot end with `:` (the post parser drops it, as in
    `### Paper:`), so a lecture page's link text `… Paper: ` came back from its exported post
    without its colon; every importer now drops it."""
    source = tmp_path / "L1.md"
    source.write_text("\n# Sheep Models\n\n2025 Spring Course\n\nProf. Ada\n\n20250111\n\n"
                      "# Attention Sheep Nets\n\n- [Attention Sheep Model#### Paper: ](https://arxiv.org/abs/2401.00002)\n"
                      "- [Mixed / ](https://arxiv.org/abs/2401.00003)\n", encoding="utf-8")
    import_paths(lib, [source], course="C")
    session = queries.resolve_session(lib.conn, "C/L1")
    before = [r["title"] for r in queries.session_detail(lib.conn, session)["readings"]]
    assert before == ["Attention Sheep Model#### Paper", "Mixed"]
    _, again = round_trip(lib, session, tmp_path)
    assert [r["title"] for r in again["readings"]] == before
