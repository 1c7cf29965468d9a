"""Fuzzing the parsers and the round trip (issue 13), on mutated samples and generated files of
every kind that detection tells apart (session posts, lecture pages, slide outlines, paper lists):

1. reading a file raises nothing but AnnotatorError, and that names a line of the file;
2. a session post or lecture page imported and exported unedited comes out byte for byte;
3. notes, teams, video links and front-matter edits made in the store come back when the
   exported post is imported into a new library (notes as `notes_as_written` says); a team or
   video link that a post cannot hold is refused when it is set.

The default run is small and deterministic (CI); `pytest -m slow` runs thousands of cases.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError
from annotator.formats.detect import parse_text
from annotator.formats.lecture_page import parse_lecture_page
from annotator.formats.model import LECTURE_PAGE, SESSION_POST, PaperList, Session
from annotator.formats.post_writer import NEW_SESSION_KEYS, same_value
from annotator.formats.textfile import decode_text
from annotator.store import editing, queries
from annotator.store.importing import import_paths
from annotator.store.library import Library, open_library
from tests.fuzz_inputs import (
    BAD_TEAMS,
    BAD_VIDEOS,
    FRONT_KEYS,
    FRONT_VALUES,
    NOTES,
    TEAMS,
    VIDEOS,
    files,
    hostile_text,
)
from tests.roundtrip_helpers import annotations, export_one

_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
QUICK = {"deadline": None, "derandomize": True, "database": None, "suppress_health_check": _CHECKS}
SLOW = {"deadline": None, "database": None, "suppress_health_check": _CHECKS}  # new cases each run
LONG_LINE = 4_000  # characters of a long line in the default run
LONG_LINE_SLOW = 300_000
_BREAKS = re.compile(rb"\r\n|\r|\n")


# --- 1. parsing --------------------------------------------------------------------------------


def parse_or_refuse(data: bytes, path: str = "fuzz/S1.md") -> Session | PaperList | None:
    """DATA parsed as the import reads a file, or None when it is refused with an AnnotatorError
    that names a line of DATA, on one line."""
    try:
        parsed = parse_text(decode_text(data, path), path, "S1")
    except AnnotatorError as error:
        event("refused")
        lines = len(_BREAKS.split(data)) - data.endswith((b"\n", b"\r"))
        assert error.line is not None and 1 <= error.line <= max(lines, 1), (str(error), lines)
        assert error.path == path and "\n" not in str(error) and "\r" not in str(error), str(error)
        return None
    event(f"read as {'paper_list' if isinstance(parsed, PaperList) else parsed.kind}")
    return parsed


def _parse_property(examples: int, long_chars: int, corpus: bool = False, **options):
    @settings(max_examples=examples, **options)
    @given(files(long_chars, corpus))
    def check(data: bytes) -> None:
        parse_or_refuse(data)

    return check


test_any_file_parses_or_is_refused_naming_a_line = _parse_property(400, LONG_LINE, **QUICK)
test_any_file_parses_or_is_refused_naming_a_line_slow = pytest.mark.slow(_parse_property(6000, LONG_LINE_SLOW, True, **SLOW))


# --- libraries ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """An empty library, closed: each case copies it (creating one takes 6x as long)."""
    path = tmp_path_factory.mktemp("template") / "library.sqlite"
    with open_library(path):
        pass
    return path


@contextmanager
def fresh_library(template: Path, folder: Path, name: str) -> Iterator[Library]:
    """A new empty library FOLDER/NAME, copied from TEMPLATE."""
    shutil.copyfile(template, folder / name)
    with open_library(folder / name, daily_backup=False) as lib:
        yield lib


def import_file(lib: Library, data: bytes, folder: Path) -> int:
    """Import DATA as FOLDER/S1.md into course C; the session's row id."""
    source = folder / "S1.md"
    source.write_bytes(data)
    [result], _ = import_paths(lib, [source], course="C")
    assert result.error == "", result.error
    return queries.resolve_session(lib.conn, "C/S1")


# --- 2. unedited export ------------------------------------------------------------------------


def _unedited_property(examples: int, long_chars: int, corpus: bool = False, **options):
    @settings(max_examples=examples, **options)
    @given(files(long_chars, corpus))
    def check(template: Path, data: bytes) -> None:
        parsed = parse_or_refuse(data)
        if not isinstance(parsed, Session) or parsed.kind not in (SESSION_POST, LECTURE_PAGE):
            return  # (slide outlines are exported as new posts; paper lists are not exported)
        with tempfile.TemporaryDirectory(dir=template.parent) as name:
            folder = Path(name)
            with fresh_library(template, folder, "library.sqlite") as lib:
                session = import_file(lib, data, folder)
                assert export_one(lib, session, folder / "out").read_bytes() == data

    return check


test_unedited_export_is_byte_identical = _unedited_property(150, LONG_LINE, **QUICK)
test_unedited_export_is_byte_identical_slow = pytest.mark.slow(_unedited_property(3000, LONG_LINE_SLOW, True, **SLOW))


# --- 3. edits come back --------------------------------------------------------------------------


def _edit_readings(lib: Library, session: int, draw: st.DrawFn) -> None:
    """Random notes, teams and video links on random readings; refused values change nothing."""
    readings = queries.session_readings(lib.conn, session)
    if not readings:
        return
    same_line, same_title = _sharing(lib, session, readings)
    for _ in range(draw(st.integers(0, 3))):
        reading_id = readings[draw(st.integers(0, len(readings) - 1))]["reading_id"]
        before = _reading(lib, reading_id)
        bad_team, bad_video = draw(st.booleans()), draw(st.integers(0, 4)) == 0
        team = draw(BAD_TEAMS if bad_team else st.one_of(st.none(), TEAMS))
        videos = draw(st.one_of(st.none(), st.lists(VIDEOS, max_size=3)))
        if bad_video:
            videos = [*(videos or []), draw(BAD_VIDEOS)]
        notes = draw(st.one_of(st.none(), NOTES))
        if bad_team or bad_video or "\x00" in (notes or ""):  # (a post holding NUL reads as binary)
            event("refused a team, video link or notes")
            with pytest.raises(AnnotatorError):
                editing.edit_reading(lib, reading_id, notes=notes, team=team, videos=videos)
            assert _reading(lib, reading_id) == before
            continue
        editing.edit_reading(lib, reading_id, notes=notes, team=team, videos=videos)
        event("edited a reading")
        assert _reading(lib, reading_id) == {
            "notes": before["notes"] if notes is None else notes,
            "team": before["team"] if team is None else team.strip(),
            "videos": before["videos"] if videos is None else [v.strip() for v in videos],
        }
        for other in same_line[reading_id]:  # (see _sharing)
            editing.edit_reading(lib, other, team=team, videos=videos)
        for other in same_title[reading_id]:
            editing.edit_reading(lib, other, notes=notes)


def _sharing(lib: Library, session: int, readings: list[dict]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """For each reading, the other readings that share what its post holds once: the `+ Team:`
    and `+ Video:` lines under one paper line of a lecture page (`**Paper:** [a](u), [b](v)`),
    and the notes section of one title. The file cannot give them different values (the last
    edit of one changes the others on re-import): they are edited alike here. To be decided."""
    row = lib.conn.execute("SELECT kind, original_text FROM sessions WHERE id = ?", (session,)).fetchone()
    spans = {}
    if row["kind"] == LECTURE_PAGE:
        spans = {index: r.span for index, r in enumerate(parse_lecture_page(row["original_text"]).readings)}
    line = {r["reading_id"]: spans.get(r["source_index"]) for r in readings}
    title = {r["reading_id"]: " ".join(r["title"].split()).casefold() for r in readings}
    same_line = {a: [b for b in line if b != a and line[a] is not None and line[b] == line[a]] for a in line}
    same_title = {a: [b for b in title if b != a and title[b] == title[a]] for a in title}
    if any(same_line.values()):
        event("readings sharing a paper line")
    if any(same_title.values()):
        event("readings sharing a title")
    return same_line, same_title


def _reading(lib: Library, reading_id: int) -> dict:
    row = next(r for r in queries.session_readings(lib.conn, _session_of(lib, reading_id)) if r["reading_id"] == reading_id)
    return {"notes": row["notes"], "team": row["team"], "videos": list(row["videos"])}


def _session_of(lib: Library, reading_id: int) -> int:
    return lib.conn.execute("SELECT session_id FROM readings WHERE id = ?", (reading_id,)).fetchone()[0]


def _edit_front_matter(lib: Library, session: int, draw: st.DrawFn) -> None:
    """Set, change and unset random front-matter keys (as the session editor and `--set` do)."""
    front = queries.session_detail(lib.conn, session)["front_matter"]
    keys = st.sampled_from(sorted(set(front) | set(FRONT_KEYS)))
    new_keys = st.builds(lambda a, b: (a + b).strip(), st.sampled_from("akx"), hostile_text(6))
    changes = draw(st.dictionaries(st.one_of(keys, new_keys), FRONT_VALUES, max_size=3))
    title = draw(st.one_of(st.none(), st.none(), hostile_text(8)))
    before = queries.session_detail(lib.conn, session)
    try:
        editing.edit_session(lib, session, title=title, front_matter=changes)
        event("edited front matter")
    except AnnotatorError:
        assert queries.session_detail(lib.conn, session) == before


def expected_front_matter(session: dict) -> dict:
    """SESSION's front matter as its exported post holds it: a session the store cannot patch
    into its file (a slide outline) is written as a new post, with the keys a new post has."""
    front = session["front_matter"]
    if session["kind"] in (SESSION_POST, LECTURE_PAGE):
        return front
    new = {"layout": "post", "title": session["title"]} | dict.fromkeys(NEW_SESSION_KEYS[2:])
    return new | ({"date": session["date"]} if session["date"] else {}) | front


def _round_trip_property(examples: int, long_chars: int, corpus: bool = False, **options):
    @settings(max_examples=examples, **options)
    @given(files(long_chars, corpus), st.data())
    def check(template: Path, data: bytes, choices: st.DataObject) -> None:
        if not isinstance(parse_or_refuse(data), Session):
            return  # (a paper list holds no annotations)
        with tempfile.TemporaryDirectory(dir=template.parent) as name:
            folder = Path(name)
            with fresh_library(template, folder, "first.sqlite") as lib:
                session = import_file(lib, data, folder)
                _edit_readings(lib, session, choices.draw)
                _edit_front_matter(lib, session, choices.draw)
                edited = queries.session_detail(lib.conn, session)
                exported = export_one(lib, session, folder / "out").read_bytes()
            (folder / "again").mkdir()
            with fresh_library(template, folder, "again.sqlite") as again:
                back = queries.session_detail(again.conn, import_file(again, exported, folder / "again"))
        assert annotations(back) == annotations(edited)
        assert same_value(back["front_matter"], expected_front_matter(edited))
        assert (back["title"], back["date"]) == (edited["title"], edited["date"])

    return check


test_edits_come_back_after_export_and_import = _round_trip_property(80, LONG_LINE, **QUICK)
test_edits_come_back_after_export_and_import_slow = pytest.mark.slow(_round_trip_property(2500, LONG_LINE_SLOW, True, **SLOW))

