"""Linking a course to a site folder, and status and sync on a plain folder (no git needed): issue 15."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.errors import AnnotatorError
from annotator.site.folders import site_folders
from annotator.site.links import linked_course
from annotator.site.status import site_status
from annotator.site.sync import sync_site
from annotator.store import editing, operations, queries
from annotator.store.library import open_library
from tests.conftest import corpus_sites
from tests.site_helpers import BASE, CONFIG, POST


def make_site(root: Path, config: str = CONFIG) -> Path:
    (root / "_contents").mkdir(parents=True)
    (root / "_config.yml").write_text(config, encoding="utf-8")
    (root / POST).write_text(BASE, encoding="utf-8")
    return root


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", str(db), "site", *args])
    out, err = capsys.readouterr()
    return code, out, err


def states(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = run(db, capsys, "status", "--json")
    assert code == 0
    return {s["session"]: s["state"] for s in json.loads(out)["sessions"]}


@pytest.mark.parametrize(("config", "folders"), [
    ("title: x\n", ("_contents", "_sessions", "_posts")),
    ("collections:\n  lectures:\n    output: true\n", ("_lectures", "_posts")),
    ("collections: [contents, posts]\n", ("_contents", "_posts")),
])
def test_post_folders_come_from_the_config(tmp_path, config, folders):
    (tmp_path / "_config.yml").write_text(config)
    assert site_folders(tmp_path).folders == folders


@pytest.mark.parametrize(("config", "reason"), [
    ("title: x\ncollections:\n  - a\n bad: [\n", "bad YAML"),
    ("collections: 3\n", "collections"),
    ("collections: ['../etc']\n", "not a folder name"),
])
def test_a_bad_config_is_one_error_naming_the_file(tmp_path, config, reason):
    (tmp_path / "_config.yml").write_text(config)
    with pytest.raises(AnnotatorError) as error:
        site_folders(tmp_path)
    assert reason in str(error.value) and "_config.yml" in str(error.value) and "\n" not in str(error.value)
    assert (error.value.line is not None) == (reason == "bad YAML")


def test_a_folder_without_config_is_not_a_site(tmp_path, capsys):
    code, _, err = run(tmp_path / "lib.sqlite", capsys, "link", "C", str(tmp_path))
    assert code == 1 and "not a Jekyll site" in err


def test_a_site_in_a_folder_whose_name_is_not_utf8_is_refused_by_name(tmp_path, capsys):
    """A clone named in Latin-1 (b"R\\xe9union"): one error line naming it, not a traceback; nothing linked."""
    site = make_site(Path(os.fsdecode(bytes(tmp_path) + b"/R\xe9union")))
    db = tmp_path / "lib.sqlite"
    code, _, err = run(db, capsys, "link", "C", str(site))
    assert code == 1 and err.startswith("error: ") and "not UTF-8" in err and "R\ufffdunion" in err
    with open_library(db) as lib:
        assert lib.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_without_git_link_status_and_sync_work_and_say_git_was_skipped(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-git"))  # git cannot be found
    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    code, out, _ = run(db, capsys, "status")
    assert code == 0 and "git steps skipped" in out and "1 of 1 sessions in sync" in out
    with open_library(db) as lib:
        reading = queries.session_readings(lib.conn, queries.resolve_session(lib.conn, "C/S0-L07"))[0]
        editing.edit_reading(lib, reading["reading_id"], team="Team Red")
    code, out, _ = run(db, capsys, "sync", "--commit", "--push")
    assert code == 0 and "git steps skipped" in out and "exported" in out
    assert "Team Red" in (site / POST).read_text()


def test_new_deleted_and_app_sessions_are_told_apart(tmp_path, capsys):
    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    (site / "_contents" / "S0-L08.md").write_text(BASE.replace("Agents and Memory", "Second"), encoding="utf-8")
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    (site / "_contents" / "S0-L08.md").unlink()
    (site / "_contents" / "S0-L09.md").write_text(BASE.replace("Agents and Memory", "Third"), encoding="utf-8")
    with open_library(db) as lib:
        editing.new_session(lib, "C", "S0-L10", "Made in the app", "2024-03-01")
    assert states(db, capsys) == {"S0-L07": "in sync", "S0-L08": "deleted on disk", "S0-L09": "new on disk",
                                  "S0-L10": "new in the app"}
    code, out, _ = run(db, capsys, "sync", "--dry-run", "--json")
    preview = {s["session"]: s for s in json.loads(out)["sessions"]}
    assert code == 0 and preview["S0-L10"]["path"].startswith("_contents/") and "+title: Made in the app" in (
        preview["S0-L10"]["diff"])
    assert "+title: Third" in preview["S0-L09"]["diff"] and not list(site.glob("_contents/*S0-L10*"))
    code, out, _ = run(db, capsys, "sync", "--json")
    assert code == 0
    assert {s["session"]: s["action"] for s in json.loads(out)["sessions"]} == {
        "S0-L08": "kept", "S0-L09": "imported", "S0-L10": "exported"}
    assert states(db, capsys) == {"S0-L07": "in sync", "S0-L08": "deleted on disk", "S0-L09": "in sync",
                                  "S0-L10": "in sync"}
    with open_library(db) as lib:
        assert queries.resolve_session(lib.conn, "C/S0-L08")  # never dropped from the library


def test_a_file_touched_but_not_changed_and_an_edit_undone_are_in_sync(tmp_path, capsys):
    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    (site / POST).write_text(BASE, encoding="utf-8")  # same text, new mtime
    with open_library(db) as lib:
        reading = queries.session_readings(lib.conn, queries.resolve_session(lib.conn, "C/S0-L07"))[0]
        editing.edit_reading(lib, reading["reading_id"], team="Team Red")
        assert site_status(lib.conn, linked_course(lib.conn, None)).posts[0].state == "changed in the app"
        operations.undo(lib)
    assert states(db, capsys) == {"S0-L07": "in sync"}


def test_undoing_a_sync_takes_back_the_import_and_its_base(tmp_path, capsys):
    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    (site / POST).write_text(BASE.replace("title: Agents and Memory", "title: Renamed"), encoding="utf-8")
    with open_library(db) as lib:
        report = sync_site(lib)
        assert [o.action for o in report.outcomes] == ["imported"]
        assert queries.session_detail(lib.conn, queries.resolve_session(lib.conn, "C/S0-L07"))["title"] == "Renamed"
        assert operations.undo(lib).label == "Sync C with its site"
        assert queries.session_detail(lib.conn, queries.resolve_session(lib.conn, "C/S0-L07"))["title"] == "Agents and Memory"
    assert states(db, capsys) == {"S0-L07": "changed on disk"}  # the file stays as the site has it


def test_link_reports_progress_and_cancel_leaves_nothing(tmp_path):
    from annotator.site.link import link_site
    from annotator.store.importing import ImportCancelled

    site = make_site(tmp_path / "site")
    seen: list[tuple[int, int, str]] = []
    with open_library(tmp_path / "lib.sqlite") as lib:
        with pytest.raises(ImportCancelled):
            link_site(lib, "C", site, cancelled=lambda: True)
        assert lib.conn.execute("SELECT count(*) FROM site_links").fetchone()[0] == 0
        link_site(lib, "C", site, progress=lambda *step: seen.append(step))
    assert seen == [(0, 1, str(site.resolve() / POST))]


def test_unlink_forgets_the_folder_and_keeps_the_sessions(tmp_path, capsys):
    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    assert run(db, capsys, "unlink", "C")[0] == 0
    code, _, err = run(db, capsys, "status")
    assert code == 1 and "no course is linked" in err
    with open_library(db) as lib:
        assert queries.resolve_session(lib.conn, "C/S0-L07")


def test_status_without_a_course_needs_the_only_linked_one(tmp_path, capsys):
    db = tmp_path / "lib.sqlite"
    for name in ("A", "B"):
        assert run(db, capsys, "link", name, str(make_site(tmp_path / name)))[0] == 0
    code, _, err = run(db, capsys, "status")
    assert code == 1 and "say which one: A, B" in err
    assert run(db, capsys, "status", "B")[0] == 0


@pytest.mark.parametrize("corpus_site", corpus_sites(), ids=lambda p: p.name)
def test_each_corpus_site_links_in_sync_and_sync_changes_no_file(tmp_path, capsys, monkeypatch, corpus_site):
    from tests.git_fixtures import git, isolate_git, need_git, short_status

    need_git()
    isolate_git(monkeypatch, tmp_path / "home")
    site = tmp_path / "site"
    dated = all(p.name[:4].isdigit() for p in corpus_site.glob("*.md"))
    shutil.copytree(corpus_site, site / ("_posts" if dated else "_contents"), ignore=shutil.ignore_patterns("_*"))
    (site / "_config.yml").write_text("title: corpus\n", encoding="utf-8")
    git(tmp_path, "init", "-q", str(site))
    git(site, "add", ".")
    git(site, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "site")
    db = tmp_path / "lib.sqlite"
    code, _, err = run(db, capsys, "link", "C", str(site))
    assert code == 0, err
    assert set(states(db, capsys).values()) == {"in sync"}
    code, out, err = run(db, capsys, "sync", "--commit")
    assert code == 0, out + err
    assert short_status(site) == ""
    assert subprocess.run(["git", "log", "--oneline"], cwd=site, capture_output=True, text=True).stdout.count("\n") == 1


def test_a_post_broken_on_disk_fails_alone_and_names_its_line(tmp_path, capsys):
    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    (site / "_contents" / "S0-L08.md").write_text(BASE.replace("Agents and Memory", "Second"), encoding="utf-8")
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    broken = BASE.replace("Agents and Memory", "Second").replace("tags:\n", "tags: [\n", 1)
    (site / "_contents" / "S0-L08.md").write_text(broken, encoding="utf-8")
    with open_library(db) as lib:
        for code in ("S0-L07", "S0-L08"):
            reading = queries.session_readings(lib.conn, queries.resolve_session(lib.conn, f"C/{code}"))[0]
            editing.edit_reading(lib, reading["reading_id"], team="Team Red")
    for dry_run in (["--dry-run"], []):
        code, out, err = run(db, capsys, "sync", *dry_run)
        assert code == 1 and "S0-L07: " + ("would be " if dry_run else "") + "exported" in out
        assert err.startswith(f"error: {site.resolve() / '_contents' / 'S0-L08.md'}: line ") and err.count("\n") == 1, err
    assert "Team Red" in (site / POST).read_text() and (site / "_contents" / "S0-L08.md").read_text() == broken


def test_a_paper_list_in_a_post_folder_is_imported_as_a_list_and_skipped(tmp_path, capsys):
    from tests.conftest import DATA

    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    shutil.copy(DATA / "hflist_dense.txt", site / "_contents" / "papers.txt")
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    code, out, _ = run(db, capsys, "sync")
    assert code == 0 and "papers: skipped (a paper list, not a session)" in out


def test_status_with_nothing_changed_reads_no_file_and_renders_no_session(tmp_path, capsys, monkeypatch):
    from annotator.site import status as status_module

    site, db = make_site(tmp_path / "site"), tmp_path / "lib.sqlite"
    assert run(db, capsys, "link", "C", str(site))[0] == 0

    def refuse(*args: object) -> None:
        raise AssertionError("status read or rendered what had not changed")

    monkeypatch.setattr(status_module, "render_stored_session", refuse)
    monkeypatch.setattr(status_module, "read_text_file", refuse)
    assert states(db, capsys) == {"S0-L07": "in sync"}


def test_a_dry_run_never_opens_the_library_put_in_a_post_folder(tmp_path, capsys):
    site = make_site(tmp_path / "site")
    db = site / "_contents" / "library.md"
    assert run(db, capsys, "link", "C", str(site))[0] == 1  # the import refuses it
    code, out, err = run(db, capsys, "sync", "--dry-run")
    assert code == 1 and "this is the library itself" in err


def test_links_out_of_the_site_are_refused_and_the_library_file_is_never_opened(tmp_path, capsys):
    """A post that links to the library (a process that opens it loses SQLite's locks) or a post folder that
    links elsewhere (exports would land outside the repository): one clear error, nothing read or written."""
    db = tmp_path / "library.sqlite"
    site = make_site(tmp_path / "site")
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    (site / "_contents" / "S9.md").symlink_to(db)
    code, _, err = run(db, capsys, "status")
    assert code == 1 and err.strip() == (f"error: {site / '_contents' / 'S9.md'}: a link to {db}, outside the site; "
                                         "annotator reads and writes only inside the site folder "
                                         "(replace the link by the folder or file itself)")
    (site / "_contents" / "S9.md").unlink()
    elsewhere = tmp_path / "elsewhere"
    (site / "_contents").rename(elsewhere)
    (site / "_contents").symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in elsewhere.iterdir())
    code, _, err = run(db, capsys, "sync")
    assert code == 1 and "a link to" in err and "outside the site" in err
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_two_posts_of_one_name_in_two_post_folders_are_refused(tmp_path, capsys):
    """Both would be session S0-L07, and each sync would import one over the other (found in review)."""
    db = tmp_path / "library.sqlite"
    site = make_site(tmp_path / "site", "title: x\ncollections:\n  contents: {}\n  sessions: {}\n")
    (site / "_sessions").mkdir()
    (site / "_sessions" / "S0-L07.md").write_text(BASE.replace("Agents and Memory", "Another"), encoding="utf-8")
    code, _, err = run(db, capsys, "link", "C", str(site))
    assert code == 1 and err.strip() == (f"error: {site}: _contents/S0-L07.md and _sessions/S0-L07.md would be one "
                                         "session, S0-L07: rename one of them")
    with open_library(db) as lib:
        assert queries.list_sessions(lib.conn) == []


def test_undoing_a_sync_that_wrote_a_new_post_does_not_make_it_a_second_session(tmp_path, capsys):
    """The post stays on the site after the undo; the next sync knows it as the session's own (found in review)."""
    db = tmp_path / "library.sqlite"
    site = make_site(tmp_path / "site")
    assert run(db, capsys, "link", "C", str(site))[0] == 0
    with open_library(db) as lib:
        editing.new_session(lib, "C", "S9", "New one", "2024-02-01")
    assert run(db, capsys, "sync")[0] == 0
    written = sorted(p.name for p in (site / "_contents").iterdir())
    with open_library(db) as lib:
        operations.undo(lib)  # the sync: the session stays, its base goes; the file it wrote stays
    code, out, _ = run(db, capsys, "sync")
    assert code == 0 and "imported" not in out
    with open_library(db) as lib:
        assert sorted(s["id"] for s in queries.list_sessions(lib.conn)) == ["S0-L07", "S9"]
    assert sorted(p.name for p in (site / "_contents").iterdir()) == written
    assert set(states(db, capsys).values()) == {"in sync"}
