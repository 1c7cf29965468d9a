"""Syncing a session post with the site (issue 15): the three-way merge, scenario by scenario.

base = the post as last synced, ours = the library's export (made here by the post writer, as
the app exports), theirs = the file on the site.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.model import Paper, Reading, Session
from annotator.formats.post_merge import (
    EDITED,
    KEY,
    MINE,
    NOTES,
    ORDER,
    READING,
    REMOVED,
    TEAM,
    TEXT,
    THEIRS,
    ConflictKey,
    MergeResult,
    Resolution,
    merge_posts,
    select_conflicts,
)
from annotator.formats.post_writer import render_session
from annotator.formats.session_post import parse_session_post
from tests.conftest import DATA

PATH = "_contents/S0-L07.md"
BASE = (DATA / "merge" / "session.md").read_text(encoding="utf-8")


def export(text: str, edit: Callable[[Session], None]) -> str:
    """TEXT as the library exports it after EDIT (which changes the session's readings or keys)."""
    original = parse_session_post(text, PATH)
    current = copy.deepcopy(original)
    for index, reading in enumerate(current.readings):
        reading.source_index = index
    edit(current)
    return render_session(original, current)


def annotate(number: int, team: str = "", videos: tuple[str, ...] = (), notes: str = "") -> Callable[[Session], None]:
    """An edit setting reading NUMBER's (1-based) team, videos and notes, where given."""
    def edit(session: Session) -> None:
        reading = session.readings[number - 1]
        reading.team = team or reading.team
        reading.videos = list(videos) or reading.videos
        reading.notes = notes or reading.notes
    return edit


def both(*edits: Callable[[Session], None]) -> Callable[[Session], None]:
    def edit(session: Session) -> None:
        for one in edits:
            one(session)
    return edit


def readings(text: str) -> list[tuple[str, str, list[str], str]]:
    """(title, team, videos, notes) of each reading of the post TEXT."""
    return [(r.paper.title, r.team, r.videos, r.notes) for r in parse_session_post(text, PATH).readings]


def merged(ours: str, theirs: str, resolutions: dict[ConflictKey, Resolution] | None = None) -> MergeResult:
    return merge_posts(BASE, ours, theirs, PATH, resolutions)


def test_annotations_on_different_readings_on_each_side_all_arrive():
    ours = export(BASE, both(annotate(1, team="team-3"), annotate(2, team="team-4"),
                             annotate(3, notes="Reflexion stores feedback as text.")))
    theirs = export(BASE, both(annotate(4, videos=("https://youtu.be/voyager",)),
                               annotate(5, videos=("https://youtu.be/coala1", "https://youtu.be/coala2"))))
    result = merged(ours, theirs)
    assert result.conflicts == []
    got = readings(result.text)
    assert [r[1] for r in got] == ["team-3", "team-4", "", "", ""]
    assert got[2][3] == "Reflexion stores feedback as text."
    assert got[1][3] == "The agents keep a memory stream of observations."
    assert [r[2] for r in got] == [[], [], [], ["https://youtu.be/voyager"], ["https://youtu.be/coala1", "https://youtu.be/coala2"]]
    for line in ("  + Team: team-3", "  + Team: team-4", "Reflexion stores feedback as text.",
                 "  + Video: https://youtu.be/voyager", "  + Video: https://youtu.be/coala2"):
        assert result.text.count(line) == 1  # each annotation exactly once


def test_team_and_videos_added_to_one_reading_on_each_side_both_arrive():
    ours = export(BASE, annotate(2, team="team-4"))
    theirs = export(BASE, annotate(2, videos=("https://youtu.be/agents",)))
    result = merged(ours, theirs)
    assert result.conflicts == []
    assert readings(result.text)[1][1:3] == ("team-4", ["https://youtu.be/agents"])


def test_different_teams_on_one_reading_are_one_conflict_until_resolved():
    ours = export(BASE, annotate(2, team="team-4"))
    theirs = export(BASE, annotate(2, team="team-5"))
    result = merged(ours, theirs)
    assert result.text is None
    [conflict] = result.conflicts
    assert conflict.key == ConflictKey(READING, "arxiv:2304.03442", TEAM)
    assert (conflict.base, conflict.mine, conflict.theirs) == ("", "team-4", "team-5")
    assert (conflict.reading, conflict.title) == (2, "Generative Agents: Interactive Simulacra of Human Behavior")
    assert "<<<<<<<" not in ours + theirs
    assert merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(MINE)}).text == ours
    assert merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(THEIRS)}).text == theirs
    edited = merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(EDITED, "team-4 and team-5")})
    assert readings(edited.text)[1][1] == "team-4 and team-5"
    assert edited.unresolved == [] and edited.conflicts[0].resolution == Resolution(EDITED, "team-4 and team-5")


def test_a_team_with_a_line_break_is_refused_as_an_edit():
    ours, theirs = export(BASE, annotate(2, team="team-4")), export(BASE, annotate(2, team="team-5"))
    with pytest.raises(AnnotatorError, match="line break"):
        merge_posts(BASE, ours, theirs, PATH, {ConflictKey(READING, "arxiv:2304.03442", TEAM): Resolution(EDITED, "a\nb")})


def test_the_same_change_on_both_sides_is_no_conflict():
    ours = export(BASE, annotate(2, team="team-4", videos=("https://youtu.be/x",)))
    result = merged(ours, ours)
    assert result.conflicts == [] and result.text == ours


def test_an_upstream_reading_and_retitle_merge_with_annotations_of_other_readings():
    theirs = BASE.replace("title: Agents and Memory", "title: Agents, Memory and Reflection")
    theirs = theirs.replace("### Reflexion: Language Agents with Verbal Reinforcement Learning",
                            "### Reflexion: language agents that learn from verbal feedback")
    theirs = theirs.replace("## More Readings: \n", "## More Readings: \n\n### Toolformer: Language Models Can Teach "
                            "Themselves to Use Tools\n  + https://arxiv.org/abs/2302.04761\n")
    ours = export(BASE, both(annotate(1, team="team-3"), annotate(5, videos=("https://youtu.be/coala",))))
    result = merged(ours, theirs)
    assert result.conflicts == []
    got = readings(result.text)
    assert [r[0] for r in got] == [
        "MemGPT: Towards LLMs as Operating Systems",
        "Generative Agents: Interactive Simulacra of Human Behavior",
        "Reflexion: language agents that learn from verbal feedback",
        "Toolformer: Language Models Can Teach Themselves to Use Tools",
        "Voyager: An Open-Ended Embodied Agent with Large Language Models",
        "Cognitive Architectures for Language Agents",
    ]
    assert got[0][1] == "team-3" and got[5][2] == ["https://youtu.be/coala"]
    assert "title: Agents, Memory and Reflection\n" in result.text


def test_a_reading_removed_upstream_that_has_our_notes_is_a_conflict_never_a_loss():
    ours = export(BASE, annotate(3, team="team-6", notes="Reflexion stores feedback as text."))
    start = BASE.index("### Reflexion")
    theirs = BASE[:start] + BASE[BASE.index("## More Readings"):]
    result = merged(ours, theirs)
    assert result.text is None
    [conflict] = result.conflicts
    assert conflict.key == ConflictKey(READING, "arxiv:2303.11366", REMOVED)
    assert conflict.theirs is None and "Team: team-6" in conflict.mine and "Reflexion stores feedback" in conflict.mine
    assert select_conflicts(result.conflicts, reading="3") == [conflict]
    title = "reflexion: language agents with verbal reinforcement learning"
    assert select_conflicts(result.conflicts, reading=title) == [conflict]
    kept = merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(MINE)}).text
    assert readings(kept)[2] == ("Reflexion: Language Agents with Verbal Reinforcement Learning", "team-6", [],
                                 "Reflexion stores feedback as text.")
    dropped = merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(THEIRS)}).text
    assert dropped == theirs
    with pytest.raises(AnnotatorError, match="kept"):
        merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(EDITED, "x")})


def test_notes_for_a_reading_the_site_retitled_stay_with_it():
    theirs = BASE.replace("### Reflexion: Language Agents with Verbal Reinforcement Learning", "### Reflexion (NeurIPS 2023)")
    ours = export(BASE, annotate(3, notes="Reflexion stores feedback as text."))
    result = merged(ours, theirs)
    assert result.conflicts == []
    assert readings(result.text)[2] == ("Reflexion (NeurIPS 2023)", "", [], "Reflexion stores feedback as text.")


def test_a_reading_removed_upstream_that_we_did_not_touch_goes():
    ours = export(BASE, annotate(1, team="team-3"))
    start = BASE.index("### Reflexion")
    theirs = BASE[:start] + BASE[BASE.index("## More Readings"):]
    result = merged(ours, theirs)
    assert result.conflicts == []
    assert [r[0][:8] for r in readings(result.text)] == ["MemGPT: ", "Generati", "Voyager:", "Cognitiv"]


def test_a_reading_removed_in_the_library_that_the_site_annotated_is_a_conflict():
    def remove_third(session: Session) -> None:
        del session.readings[2]
    ours = export(BASE, remove_third)
    theirs = export(BASE, annotate(3, team="team-2"))
    result = merged(ours, theirs)
    [conflict] = result.unresolved
    assert conflict.key == ConflictKey(READING, "arxiv:2303.11366", REMOVED) and conflict.mine is None
    assert merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(MINE)}).text == ours
    assert merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(THEIRS)}).text == theirs


def test_front_matter_keys_merge_per_key():
    ours = BASE.replace("lectureVersion: next", "lectureVersion: current")
    theirs = BASE.replace("notes: team-1", "notes: team-6").replace("- Memory\n", "- Memory\n- Planning\n")
    result = merged(ours, theirs)
    assert result.conflicts == []
    assert result.text == theirs.replace("lectureVersion: next", "lectureVersion: current")


def test_one_front_matter_key_set_to_two_values_is_a_conflict():
    ours = BASE.replace("video: team-2", "video: team-4")
    theirs = BASE.replace("video: team-2", "video: team-5")
    result = merged(ours, theirs)
    [conflict] = result.conflicts
    assert (conflict.key, conflict.base, conflict.mine, conflict.theirs) == (
        ConflictKey(KEY, "video"), "video: team-2", "video: team-4", "video: team-5")
    assert select_conflicts(result.conflicts, key="video") == [conflict]
    assert select_conflicts(result.conflicts, key="notes") == []
    assert merged(ours, theirs, {ConflictKey(KEY, "video"): Resolution(MINE)}).text == ours
    edited = merged(ours, theirs, {ConflictKey(KEY, "video"): Resolution(EDITED, "video: team-4, team-5")})
    assert "\nvideo: team-4, team-5\n" in edited.text
    with pytest.raises(AnnotatorError, match="the key video"):
        merged(ours, theirs, {ConflictKey(KEY, "video"): Resolution(EDITED, "notes: x")})


def test_a_key_written_differently_with_the_same_value_is_no_conflict():
    ours = BASE.replace("video: team-2", "video: 'team-4'")
    theirs = BASE.replace("video: team-2", "video:  team-4")
    assert merged(ours, theirs).text == theirs


def test_a_key_removed_on_one_side_and_changed_on_the_other_is_a_conflict():
    ours = BASE.replace("extraContent: \n", "")
    theirs = BASE.replace("extraContent: \n", "extraContent: slides.pdf\n")
    [conflict] = merged(ours, theirs).conflicts
    assert (conflict.key, conflict.mine, conflict.theirs) == (ConflictKey(KEY, "extraContent"), None, "extraContent: slides.pdf")
    assert merged(ours, theirs, {ConflictKey(KEY, "extraContent"): Resolution(MINE)}).text == ours
    assert merged(BASE.replace("extraContent: \n", ""), BASE).text == BASE.replace("extraContent: \n", "")


def test_blog_text_edited_in_different_places_merges_line_by_line():
    ours = BASE.replace("Opening remarks by the blog team.", "Opening remarks by team-1.")
    theirs = BASE.replace("We ended ten minutes early.", "We ended on time.")
    result = merged(ours, theirs)
    assert result.conflicts == []
    assert result.text == BASE.replace("Opening remarks by the blog team.", "Opening remarks by team-1.").replace(
        "We ended ten minutes early.", "We ended on time.")


def test_blog_text_edited_in_the_same_lines_is_a_text_conflict_without_markers():
    ours = BASE.replace("Memory is what makes an agent an agent.", "Memory makes the agent.")
    theirs = BASE.replace("Memory is what makes an agent an agent.", "Memory is everything.\nAnd planning.")
    result = merged(ours, theirs)
    assert result.text is None
    [conflict] = result.conflicts
    line = theirs.splitlines().index("Memory is everything.") + 1
    assert conflict.key == ConflictKey(TEXT, f"L{line}") and conflict.lines == (line, line + 1)
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        "Memory is what makes an agent an agent.", "Memory makes the agent.", "Memory is everything.\nAnd planning.")
    assert merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(MINE)}).text == ours
    edited = merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(EDITED, "Memory, then planning.")}).text
    assert edited == BASE.replace("Memory is what makes an agent an agent.", "Memory, then planning.")
    assert "<<<<<<<" not in edited and "=======" not in edited


def test_notes_changed_on_both_sides_are_one_conflict():
    ours = export(BASE, annotate(2, notes="Ours: the memory stream."))
    theirs = export(BASE, annotate(2, notes="Theirs: reflection and planning."))
    result = merged(ours, theirs)
    [conflict] = result.conflicts
    assert conflict.key == ConflictKey(READING, "arxiv:2304.03442", NOTES)
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        "The agents keep a memory stream of observations.", "Ours: the memory stream.", "Theirs: reflection and planning.")
    stale = merged(ours, theirs, {ConflictKey(READING, "arxiv:2304.03442", TEAM): Resolution(MINE)})
    assert stale.text is None  # resolving a conflict that is not there changes nothing
    both_notes = merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(EDITED, "# Both\n\nOurs and theirs.")})
    assert readings(both_notes.text)[1][3] == "# Both\n\nOurs and theirs."


def test_notes_added_for_the_same_reading_on_each_side():
    ours = export(BASE, annotate(4, notes="Voyager writes code as skills."))
    assert merged(ours, ours).text == ours
    theirs = export(BASE, annotate(4, notes="Voyager explores Minecraft."))
    [conflict] = merged(ours, theirs).conflicts
    assert (conflict.key.field, conflict.base, conflict.reading) == (NOTES, "", 4)


def test_readings_reordered_in_the_library_while_the_site_adds_one():
    def reorder(session: Session) -> None:
        session.readings.reverse()
    ours = export(BASE, reorder)
    theirs = BASE.rstrip("\n") + "\n"
    theirs = theirs.replace("<!--excerpt.start-->", "### Toolformer\n  + https://arxiv.org/abs/2302.04761\n\n<!--excerpt.start-->")
    result = merged(ours, theirs)
    assert result.conflicts == []
    titles = [r[0].split(":")[0] for r in readings(result.text)]
    # the library's order; the site's new reading after the one it follows there
    assert titles == ["Cognitive Architectures for Language Agents", "Toolformer", "Voyager", "Reflexion",
                      "Generative Agents", "MemGPT"]


def test_readings_reordered_differently_on_both_sides_is_an_order_conflict():
    def swap(first: int, second: int) -> Callable[[Session], None]:
        def edit(session: Session) -> None:
            rs = session.readings
            rs[first], rs[second] = rs[second], rs[first]
        return edit
    ours, theirs = export(BASE, swap(0, 1)), export(BASE, swap(3, 4))
    result = merged(ours, theirs)
    [conflict] = result.conflicts
    assert conflict.key == ConflictKey(ORDER, "readings")
    assert conflict.mine.splitlines()[0].startswith("Generative") and conflict.theirs.splitlines()[0].startswith("MemGPT")
    assert merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(MINE)}).text == ours
    order = "\n".join(conflict.theirs.splitlines()[::-1])
    edited = merge_posts(BASE, ours, theirs, PATH, {conflict.key: Resolution(EDITED, order)}).text
    assert [r[0] for r in readings(edited)] == conflict.theirs.splitlines()[::-1]


def test_different_readings_with_notes_added_on_each_side_both_arrive():
    def add(title: str, url: str) -> Callable[[Session], None]:
        def edit(session: Session) -> None:
            session.readings.append(Reading(Paper(title, url), team="team-2", notes=f"{title} notes."))
        return edit
    ours = export(BASE, add("Toolformer", "https://arxiv.org/abs/2302.04761"))
    theirs = export(BASE, add("ReAct", "https://arxiv.org/abs/2210.03629"))
    result = merged(ours, theirs)
    assert result.conflicts == []
    assert readings(result.text)[5:] == [("Toolformer", "team-2", [], "Toolformer notes."),
                                         ("ReAct", "team-2", [], "ReAct notes.")]


def test_a_new_reading_added_on_both_sides_is_one_reading():
    def add(session: Session) -> None:
        session.readings.append(Reading(Paper("Toolformer", "https://arxiv.org/abs/2302.04761"), team="team-2"))
    ours = export(BASE, add)
    result = merged(ours, ours)
    assert result.text == ours and [r[0] for r in readings(ours)].count("Toolformer") == 1


def test_crlf_and_a_missing_final_newline_survive():
    base = (DATA / "merge" / "crlf_no_final_newline.md").read_bytes().decode("utf-8")
    ours = export(base, annotate(1, team="team-1"))
    theirs = base.replace("notes: team-3", "notes: team-4")
    assert not ours.endswith("\n") and "\r\n" in ours
    result = merge_posts(base, ours, theirs, PATH)
    assert result.conflicts == []
    assert "\n" not in result.text.replace("\r\n", "") and not result.text.endswith("\n")
    assert result.text == ours.replace("notes: team-3", "notes: team-4")


def test_cr_only_line_breaks_survive():
    base = BASE.replace("\n", "\r")
    ours = export(base, annotate(1, team="team-1"))
    theirs = base.replace("We ended ten minutes early.", "We ended on time.")
    result = merge_posts(base, ours, theirs, PATH)
    assert result.conflicts == [] and "\n" not in result.text
    assert result.text == ours.replace("We ended ten minutes early.", "We ended on time.")


def test_a_front_matter_that_does_not_parse_names_the_file_the_line_and_the_version():
    bad = (DATA / "merge" / "bad_front_matter.md").read_text(encoding="utf-8")
    with pytest.raises(AnnotatorError) as caught:
        merge_posts(BASE, BASE, bad, PATH)
    assert caught.value.path == PATH and caught.value.line is not None and 2 <= caught.value.line <= 5
    assert "the site's file" in str(caught.value)
    with pytest.raises(AnnotatorError, match="never closed"):
        merge_posts("---\ntitle: x\n", BASE, BASE, PATH)


def test_select_conflicts_without_a_selector_takes_them_all():
    ours = BASE.replace("video: team-2", "video: team-4").replace("We ended ten minutes early.", "Ours.")
    theirs = BASE.replace("video: team-2", "video: team-5").replace("We ended ten minutes early.", "Theirs.")
    result = merged(ours, theirs)
    assert {c.key.kind for c in result.conflicts} == {KEY, TEXT}
    everything = {c.key: Resolution(MINE) for c in select_conflicts(result.conflicts)}
    assert merge_posts(BASE, ours, theirs, PATH, everything).text == ours
