"""Many files in one import (one transaction, each file in a savepoint): the library must end up
exactly as importing the files one by one leaves it, and each file must still be its own undo step."""

from __future__ import annotations

from pathlib import Path

import pytest

import annotator.store.import_writer as import_writer
from annotator.errors import AnnotatorError
from annotator.store import operations
from annotator.store.importing import import_paths
from annotator.store.library import Library, open_library
from tests.store_helpers import dump


def post(title: str, *readings: str, blog: str = "") -> str:
    body = "\n".join(readings)
    return f"---\ntitle: {title}\nnotes: team-1\n---\n\n## Required Readings\n\n{body}\n{blog}"


VISUAL_NO_URL = ("### Visual Tuning Study\n  + Haotian Liu, Chunyuan Li, Qingyang Wu, Yong Jae Lee\n"
                 "  + We tune on visual instructions.\n")
VISUAL_WITH_URL = "### Visual Tuning Study\n  + https://arxiv.org/abs/2304.08485\n"
STORED_WITH_URL = "### A Stored Paper\n  + https://arxiv.org/abs/2301.00001\n  + Its abstract, learnt late.\n"
SHARED = "### Shared Evaluation Study\n  + https://arxiv.org/abs/2401.00002\n"
ANNOTATED = ("### Annotated Agent Study\n  + https://arxiv.org/abs/2401.00003\n  + Team: team-3\n"
             "  + Video: https://youtu.be/one\n  + Video: https://youtu.be/two\n")

FIRST = {"S0.md": post("Course opener", "### A Stored Paper\n  + Ada Lovelace, Charles Babbage\n")}
RUN = {
    "S1.md": post("One", VISUAL_NO_URL, SHARED),
    "S2.md": post("Two", VISUAL_WITH_URL, STORED_WITH_URL, SHARED),  # gains: a paper of S1, a stored paper
    "S3.md": post("Three", ANNOTATED, blog="\n# Blog\n\n## Annotated Agent Study\n\nNotes on the annotated study.\n"),
    "S4.md": post("Four"),
    "S5.md": post("Five", SHARED, "### Annotated Agent Study\n  + https://arxiv.org/abs/2401.00003v2\n"),
}


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def state(lib: Library) -> dict[str, list[tuple]]:
    """dump() without the import time, which differs by the second between two libraries."""
    tables = dump(lib)
    columns = [row[1] for row in lib.conn.execute("PRAGMA table_info(sessions)")]
    at = columns.index("imported_at")  # (found by name: db/010 added a column after it)
    tables["sessions"] = [row[:at] + row[at + 1:] for row in tables["sessions"]]
    tables["undoable"] = [tuple(r) for r in lib.conn.execute("SELECT label FROM operations WHERE state = 'done' ORDER BY id")]
    return tables


@pytest.fixture
def files(tmp_path: Path) -> tuple[list[Path], list[Path]]:
    site = tmp_path / "site" / "_contents"
    return write(site, FIRST), write(site, RUN)


def one_by_one(path: Path, first: list[Path], run: list[Path]) -> list[dict[str, list[tuple]]]:
    """The library's state after each file of RUN, each imported by its own command: no runs possible."""
    with open_library(path) as ref:
        import_paths(ref, first)
        states = [state(ref)]
        for file in run:
            import_paths(ref, [file])
            states.append(state(ref))
    return states


@pytest.mark.parametrize("one_step", [False, True], ids=["per-file", "one-step"])
def test_a_run_of_new_sessions_ends_as_importing_them_one_by_one_would(tmp_path, files, one_step):
    first, run = files
    expected = one_by_one(tmp_path / "reference.sqlite", first, run)
    with open_library(tmp_path / "library.sqlite") as lib:
        import_paths(lib, first)
        results, _ = import_paths(lib, run, one_step=one_step)
        assert [r.error for r in results] == [""] * len(run)
        assert [(r.papers_new, r.papers_existing, r.readings) for r in results] == [
            (2, 0, 2), (0, 3, 3), (1, 0, 1), (0, 0, 0), (0, 2, 2)]
        got = state(lib)
        if one_step:
            got["undoable"], expected[-1]["undoable"] = got["undoable"][:1], expected[-1]["undoable"][:1]
        assert got == expected[-1]
        visual = lib.conn.execute("SELECT url, authors FROM papers WHERE title = 'Visual Tuning Study'").fetchone()
        assert tuple(visual) == ("https://arxiv.org/abs/2304.08485", "Haotian Liu, Chunyuan Li, Qingyang Wu, Yong Jae Lee")
        annotated = lib.conn.execute("SELECT id, team, notes FROM readings WHERE team != ''").fetchone()
        assert (annotated["team"], annotated["notes"]) == ("team-3", "Notes on the annotated study.")
        videos = lib.conn.execute("SELECT url FROM reading_videos WHERE reading_id = ? ORDER BY position", (annotated["id"],))
        assert [v[0] for v in videos] == ["https://youtu.be/one", "https://youtu.be/two"]


def test_each_file_of_a_run_is_its_own_undo_step(tmp_path, files):
    first, run = files
    expected = one_by_one(tmp_path / "reference.sqlite", first, run)
    with open_library(tmp_path / "library.sqlite") as lib:
        import_paths(lib, first)
        import_paths(lib, run)
        for step in range(len(run), 0, -1):
            assert state(lib) == expected[step]
            assert operations.undo(lib).label == f"Import {run[step - 1].name}"
        assert state(lib) == expected[0]
        for step in range(1, len(run) + 1):
            operations.redo(lib)
            assert state(lib) == expected[step]


@pytest.mark.parametrize("one_step", [False, True], ids=["per-file", "one-step"])
def test_a_file_that_fails_in_a_run_is_found_and_the_others_are_imported(tmp_path, files, monkeypatch, one_step):
    first, run = files
    real = import_writer.store_papers

    def refuse_file_two(conn, papers, changes):
        if any(paper.url.endswith("2301.00001") for paper in papers):
            raise AnnotatorError("cannot store this one")
        return real(conn, papers, changes)

    with open_library(tmp_path / "library.sqlite") as lib:
        import_paths(lib, first)
        monkeypatch.setattr(import_writer, "store_papers", refuse_file_two)
        results, _ = import_paths(lib, run, one_step=one_step)
        assert [r.error for r in results] == ["", f"{run[1]}: cannot store this one", "", "", ""]
        assert results[1].session == "" and results[1].papers_new == 0
        titles = [r[0] for r in lib.conn.execute("SELECT title FROM sessions ORDER BY id")]
        assert titles == ["Course opener", "One", "Three", "Four", "Five"]
        labels = [r[0] for r in lib.conn.execute("SELECT label FROM operations WHERE state = 'done' ORDER BY id")]
        assert labels[1:] == (["Import 5 files"] if one_step else [f"Import {p.name}" for p in run if p.name != "S2.md"])


def test_a_session_twice_in_one_run_is_stored_then_updated(tmp_path, files):
    first, run = files
    again = write(tmp_path / "other" / "_contents", {"S1.md": post("One, revised", SHARED)})
    with open_library(tmp_path / "library.sqlite") as lib:
        import_paths(lib, first, course="site")
        results, _ = import_paths(lib, [run[0], run[1], *again, run[2]], course="site")
        assert [r.session for r in results] == ["site/S1", "site/S2", "site/S1", "site/S3"]
        titles = [r[0] for r in lib.conn.execute("SELECT title FROM sessions ORDER BY id")]
        assert titles == ["Course opener", "One, revised", "Two", "Three"]
        assert operations.undo(lib).label == "Import S3.md"
        assert operations.undo(lib).label == "Import S1.md"
        assert [r[0] for r in lib.conn.execute("SELECT title FROM sessions ORDER BY id")] == ["Course opener", "One", "Two"]
