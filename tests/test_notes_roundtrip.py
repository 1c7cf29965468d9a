"""Notes come back from the post exactly as written, whatever Markdown or characters they hold.

Issue 13: an unclosed code fence in one reading's notes swallowed the next reading's notes, and
U+2028, \\x0b, \\x0c, \\x85, \\x1c-\\x1e cut the notes, on re-import.
"""

from __future__ import annotations

import shutil

import pytest

from annotator.formats.model import Paper
from annotator.formats.post_writer import render_session
from annotator.formats.session_post import parse_session_post
from annotator.store import editing, queries
from annotator.store.importing import import_paths
from tests.roundtrip_helpers import assert_round_trip, export_one, round_trip

SECOND_NOTES = "Notes on paper two"


def two_readings(lib) -> tuple[int, int, int]:
    """A new session with two readings: (session, first reading, second reading)."""
    _, session = editing.new_session(lib, "C", "S1", "Fences")
    _, first = editing.add_reading(lib, session, paper=Paper("Paper One", "https://arxiv.org/abs/1706.03762"))
    _, second = editing.add_reading(lib, session, paper=Paper("Paper Two", "https://arxiv.org/abs/1810.04805"))
    return session, first, second


def test_unclosed_code_fence_keeps_to_its_own_reading(lib, tmp_path):
    session, first, second = two_readings(lib)
    editing.edit_reading(lib, first, notes="```python\nprint(1)")
    editing.edit_reading(lib, second, notes=SECOND_NOTES)
    _, again = round_trip(lib, session, tmp_path)
    assert [r["notes"] for r in again["readings"]] == ["```python\nprint(1)", SECOND_NOTES]


HOSTILE_NOTES = {
    "unclosed backtick fence": "```python\nprint(1)",
    "unclosed longer tilde fence": "~~~~\ncode\n~~~\nstill code",
    "fence closed only by a longer one": "````\n```\n## not a heading\n````\n## a heading",
    "a fence with a language is no closer": "```\n```python\n## inside the code",
    "level 1 and 2 headings": "# Summary\n\nText.\n\n## Method\n\nMore text.",
    "a heading right at the start": "## Paper Two\nnot the second reading's notes",
    "the region's end line": "<!--/notes-->\n# heading",
    "both end lines": "<!--/notes-->\n<!--/notes: fence added to close the code block-->\n```",
    "a region's start line first": "<!--notes-->\nplain text",
    "the excerpt marker": "<!--excerpt.start-->\n# Blog: mine",
    "html comment and setext heading": "<!-- note -->\nTitle\n=====",
    "a byte order mark before a fence": "\ufeff```\n# a heading after no fence",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_NOTES))
def test_notes_come_back_exactly_and_leave_the_next_reading_alone(lib, tmp_path, name):
    session, first, second = two_readings(lib)
    editing.edit_reading(lib, first, notes=HOSTILE_NOTES[name])
    editing.edit_reading(lib, second, notes=SECOND_NOTES)
    assert_round_trip(lib, session, tmp_path)
    _, again = round_trip(lib, session, tmp_path / "check")
    assert [r["notes"] for r in again["readings"]] == [HOSTILE_NOTES[name], SECOND_NOTES]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1d", "\x1e"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_unicode_line_separators_in_notes_come_back(lib, tmp_path, char):
    session, first, second = two_readings(lib)
    editing.edit_reading(lib, first, notes=f"Intro{char}## Method\nDetails kept?\n")
    editing.edit_reading(lib, second, notes=f"{char}starts{char}and ends with it{char}")
    assert_round_trip(lib, session, tmp_path)
    _, again = round_trip(lib, session, tmp_path / "check")
    # (a line of only such characters is blank, like one of spaces: a blank edge line is dropped)
    assert [r["notes"] for r in again["readings"]] == [
        f"Intro{char}## Method\nDetails kept?", f"{char}starts{char}and ends with it{char}"]


def test_ordinary_notes_are_written_plainly_under_their_heading(lib, tmp_path):
    session, first, _ = two_readings(lib)
    notes = "Intro.\n\n```python\n# a comment, not a heading\n```\n\n### A sub-heading\n- a point"
    editing.edit_reading(lib, first, notes=notes)
    text = assert_round_trip(lib, session, tmp_path)
    assert "<!--notes" not in text
    assert text.endswith(f"## Paper One\n\n{notes}\n")


def test_new_notes_after_a_blog_that_leaves_a_code_block_open(lib, tmp_path):
    post = tmp_path / "site" / "S2.md"
    post.parent.mkdir()
    original = ("---\ntitle: Hand-written blog\n---\n\n## Required Readings:\n\n### Paper One\n  + https://arxiv.org/abs/1706.03762\n\n"
                "<!--excerpt.start-->\n\n# Blog: ours\n\n```\nthe writer forgot to close this\n")
    post.write_text(original, encoding="utf-8")
    import_paths(lib, [post], course="C")
    session = queries.resolve_session(lib.conn, "C/S2")
    [reading] = queries.session_readings(lib.conn, session)
    editing.edit_reading(lib, reading["reading_id"], notes="Our notes.")
    text = assert_round_trip(lib, session, tmp_path / "trip")
    assert text == original + "```\n\n## Paper One\n\nOur notes.\n"


def test_notes_region_is_replaced_in_place_and_plain_notes_replace_it(lib, tmp_path):
    session, first, second = two_readings(lib)
    editing.edit_reading(lib, first, notes="# One")
    editing.edit_reading(lib, second, notes=SECOND_NOTES)
    post = export_one(lib, session, tmp_path / "out")
    with_region = post.read_text(encoding="utf-8")
    editing.edit_reading(lib, first, notes="# Two\n```")
    assert with_region.replace("# One\n", "# Two\n```\n```\n").replace(
        "<!--/notes-->", "<!--/notes: fence added to close the code block-->") == export_text(lib, session, tmp_path)
    editing.edit_reading(lib, first, notes="plain now")
    assert "<!--notes" not in export_text(lib, session, tmp_path)
    assert_round_trip(lib, session, tmp_path / "trip")


def export_text(lib, session: int, tmp_path) -> str:
    return export_one(lib, session, tmp_path / "again").read_text(encoding="utf-8")


NOTES_POST = "---\ntitle: T\n---\n\n## Readings\n\n### Paper One\n+ https://arxiv.org/abs/1706.03762\n\n<!--excerpt.start-->\n\n"


def test_a_notes_start_line_that_is_never_closed_is_an_ordinary_line():
    post = parse_session_post(NOTES_POST + "## Paper One\n\n<!--notes-->\n# ends the section\n", "S.md")
    assert post.readings[0].notes == "<!--notes-->"


def test_text_after_a_notes_region_is_not_notes_and_stays():
    text = NOTES_POST + "## Paper One\n\n<!--notes-->\n# kept\n<!--/notes-->\n\nA line someone added.\n"
    post = parse_session_post(text, "S.md")
    assert post.readings[0].notes == "# kept"
    current = parse_session_post(text, "S.md")
    current.readings[0].source_index = 0
    current.readings[0].notes = "# changed"
    region = "<!--notes-->\n# kept\n<!--/notes-->"
    assert render_session(post, current) == text.replace(region, "<!--notes-->\n\n# changed\n\n<!--/notes-->")


def test_new_notes_after_a_hand_made_region_that_leaves_a_fence_open():
    text = NOTES_POST.replace("### Paper One\n", "### Paper One\n\n### Paper Two\n") + (
        "## Paper One\n\n<!--notes-->\n```\ncode\n<!--/notes-->\n")
    post = parse_session_post(text, "S.md")
    assert post.readings[0].notes == "```\ncode"
    current = parse_session_post(text, "S.md")
    for index, reading in enumerate(current.readings):
        reading.source_index = index
    current.readings[1].notes = "Two."
    out = render_session(post, current)
    assert out == text + "```\n\n## Paper Two\n\nTwo.\n"
    assert [r.notes for r in parse_session_post(out, "S.md").readings] == ["```\ncode", "Two."]


jekyll = pytest.mark.skipif(shutil.which("jekyll") is None, reason="jekyll is not installed (apt-get install jekyll)")


@jekyll
def test_site_renders_each_readings_notes_under_its_own_heading(lib, tmp_path):
    from tests.test_jekyll_build import build_site, rendered

    session, first, second = two_readings(lib)
    # kramdown opens no code block at a fence with two words after it, but one with one word
    editing.edit_reading(lib, first, notes="```python and more\nnot code\n\n~~~python\nprint(1)")
    editing.edit_reading(lib, second, notes="# Summary\n\n```\nx = 2\n```\n\nThe end.")
    export_one(lib, session, tmp_path / "posts")
    page = rendered(build_site(tmp_path, tmp_path / "posts"), "S1")
    one, two = page.split('<h2 id="paper-two')
    assert '<h2 id="paper-one' in one and "<code>" in one and "print" in one and "not code" in one
    assert "not code" not in one.split("<code>", 1)[1]
    assert '<h1 id="summary">Summary</h1>' in two and "x = 2" in two and "<p>The end.</p>" in two
