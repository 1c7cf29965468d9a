"""Issue 15 with real git: a bare remote and two laptops, each with its own library, syncing through the CLI."""

from __future__ import annotations

from pathlib import Path

from tests.git_fixtures import commit_file, git, short_status
from tests.site_helpers import OTHER, POST, linked_laptops, remote_text

VIDEO_4, VIDEO_5 = "https://www.youtube.com/watch?v=vid4", "https://www.youtube.com/watch?v=vid5"


def test_status_after_link_is_in_sync(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    status = laptops.alice.json(capsys, "status")
    assert {s["state"] for s in status["sessions"]} == {"in sync"}
    assert status["git"]["branch"] == "main" and status["git"]["behind"] == 0


def test_annotations_from_both_laptops_all_arrive_once(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    alice.annotate("S0-L07", 1, team="Team Red")
    alice.annotate("S0-L07", 2, team="Team Blue")
    alice.annotate("S0-L07", 3, notes="Reflexion keeps a verbal memory.")
    assert alice.json(capsys, "status")["sessions"][0]["state"] == "changed in the app"
    assert alice.run("sync", "--commit", "--push") == 0
    assert git(alice.clone, "log", "-1", "--format=%s%n%an").splitlines() == [
        'S0-L07: team for 2 readings, notes for "Reflexion: Language Agents with Verbal Reinforcement Learning"', "Alice"]
    bob.annotate("S0-L07", 4, videos=[VIDEO_4])
    bob.annotate("S0-L07", 5, videos=[VIDEO_5])
    assert bob.run("sync", "--pull", "--commit", "--push") == 0
    assert alice.run("sync", "--pull") == 0
    text = remote_text(laptops.remote)
    assert alice.text() == bob.text() == text
    for annotation in ("Team Red", "Team Blue", "Reflexion keeps a verbal memory.", VIDEO_4, VIDEO_5):
        assert text.count(annotation) == 1, annotation
    for laptop in (alice, bob):
        readings = laptop.readings()
        assert [r["team"] for r in readings[:2]] == ["Team Red", "Team Blue"]
        assert readings[2]["notes"] == "Reflexion keeps a verbal memory."
        assert [r["videos"] for r in readings[3:]] == [[VIDEO_4], [VIDEO_5]]
        assert short_status(laptop.clone) == ""
        assert {s["state"] for s in laptop.json(capsys, "status")["sessions"]} == {"in sync"}


def test_different_teams_on_one_reading_conflict_until_resolved(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    alice.annotate("S0-L07", 1, team="Team Red")
    assert alice.run("sync", "--commit", "--push") == 0
    bob.annotate("S0-L07", 1, team="Team Green")
    bob.annotate("S0-L08", 2, team="Team Green")
    report = bob.json(capsys, "sync", "--pull")
    conflicted = [s for s in report["sessions"] if s["action"] == "conflict"]
    assert [s["session"] for s in conflicted] == ["S0-L07"]
    assert [(c["mine"], c["theirs"]) for c in conflicted[0]["conflicts"]] == [("Team Green", "Team Red")]
    assert bob.text() == remote_text(laptops.remote)  # nothing written for the conflicted session
    assert "Team Green" in bob.text(OTHER)  # the other session synced
    capsys.readouterr()
    assert bob.run("sync") == 1
    assert "mine:   Team Green" in capsys.readouterr().out
    assert bob.run("resolve", "S0-L07", "--mine", "--reading", "1") == 0
    assert "Team Green" in bob.text() and "Team Red" not in bob.text()
    assert {s["state"] for s in bob.json(capsys, "status")["sessions"]} == {"in sync"}


def test_upstream_new_reading_and_title_merge_with_local_annotations(tmp_path, monkeypatch):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    new = bob.text().replace("title: Agents and Memory", "title: Agents, Memory and Tools").replace(
        "## More Readings: \n", "## More Readings: \n\n### Toolformer: Language Models Can Teach Themselves to Use Tools\n"
        "  + https://arxiv.org/abs/2302.04761\n")
    commit_file(bob.clone, POST, new, "new reading")
    git(bob.clone, "push", "-q")
    alice.annotate("S0-L07", 1, team="Team Red")
    alice.annotate("S0-L07", 5, notes="Cognitive architectures, revisited.")
    assert alice.run("sync", "--pull") == 0
    text = alice.text()
    assert "Agents, Memory and Tools" in text and "Toolformer" in text and "Team Red" in text
    assert "Cognitive architectures, revisited." in text
    titles = [r["title"] for r in alice.readings()]
    assert "Toolformer: Language Models Can Teach Themselves to Use Tools" in titles
    readings = {r["title"]: r for r in alice.readings()}
    assert readings["MemGPT: Towards LLMs as Operating Systems"]["team"] == "Team Red"


def test_an_uncommitted_edit_in_the_clone_is_never_overwritten(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    edited = alice.text().replace("We ended ten minutes early.", "We ended ten minutes early.\n\nAlice's own line.")
    (alice.clone / POST).write_text(edited, encoding="utf-8")
    status = alice.json(capsys, "status")
    assert status["sessions"][0]["state"] == "changed on disk"
    assert status["git"]["uncommitted_by_others"] == [POST]
    commit_file(bob.clone, POST, bob.text().replace("title: Agents and Memory", "title: Upstream"), "retitle")
    git(bob.clone, "push", "-q")
    alice.annotate("S0-L07", 2, team="Team Blue")
    capsys.readouterr()
    assert alice.run("sync", "--pull") == 1  # the upstream changed the file the user is editing
    assert "not pulling" in capsys.readouterr().err
    assert alice.text() == edited
    assert alice.run("sync") == 0  # without the pull, the user's edit and the library's team merge
    assert "Alice's own line." in alice.text() and "Team Blue" in alice.text()
    head = git(alice.clone, "rev-parse", "HEAD")
    capsys.readouterr()
    assert alice.run("sync", "--commit") == 0  # the post holds the user's uncommitted work: theirs to commit
    assert git(alice.clone, "rev-parse", "HEAD") == head
    assert f"not committed: {POST} holds edits of yours too; review it and commit it yourself" in capsys.readouterr().out
    status = alice.json(capsys, "status")
    assert status["sessions"][0]["state"] == "in sync" and status["git"]["uncommitted_by_others"] == [POST]


def test_unreachable_remote_and_rejected_push_change_nothing(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice = laptops.alice
    alice.annotate("S0-L07", 1, team="Team Red")
    git(alice.clone, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    capsys.readouterr()
    assert alice.run("sync", "--pull", "--commit", "--push") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert short_status(alice.clone) == "" and alice.json(capsys, "status")["sessions"][0]["state"] == "changed in the app"
    git(alice.clone, "remote", "set-url", "origin", str(laptops.remote))
    hook = laptops.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'closed for the exam' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = remote_text(laptops.remote)
    capsys.readouterr()
    assert alice.run("sync", "--commit", "--push") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused" in err, err
    assert remote_text(laptops.remote) == before and short_status(alice.clone) == ""
    hook.unlink()
    assert alice.run("sync", "--push") == 0
    assert "Team Red" in remote_text(laptops.remote)


def test_a_reading_removed_upstream_with_local_notes_is_a_conflict(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    start = bob.text().index("### Reflexion")
    end = bob.text().index("## More Readings")
    commit_file(bob.clone, POST, bob.text()[:start] + bob.text()[end:], "drop Reflexion")
    git(bob.clone, "push", "-q")
    alice.annotate("S0-L07", 3, notes="Notes on Reflexion that must survive.")
    report = alice.json(capsys, "sync", "--pull")
    assert [s["action"] for s in report["sessions"]] == ["conflict"]
    assert "Reflexion" not in alice.text()
    assert any(r["notes"] == "Notes on Reflexion that must survive." for r in alice.readings())
    assert alice.run("resolve", "S0-L07", "--mine") == 0
    assert "Notes on Reflexion that must survive." in alice.text()


def test_dry_run_writes_nothing(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice = laptops.alice
    alice.annotate("S0-L07", 1, team="Team Red")
    report = alice.json(capsys, "sync", "--dry-run")
    assert [(s["session"], s["action"]) for s in report["sessions"]] == [("S0-L07", "exported")]
    assert "\n+  + Team: Team Red\n" in report["sessions"][0]["diff"]
    assert short_status(alice.clone) == ""


def test_a_push_the_remote_moved_under_merges_again_and_pushes(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    alice.annotate("S0-L07", 1, team="Team Red")
    assert alice.run("sync", "--commit") == 0  # committed here, not pushed yet
    bob.annotate("S0-L07", 1, videos=[VIDEO_4])  # the same reading: git alone would stop on a conflict
    assert bob.run("sync", "--commit", "--push") == 0
    report = alice.json(capsys, "sync", "--push")
    assert report["pushed"] is True
    text = remote_text(laptops.remote)
    assert alice.text() == text and "Team Red" in text and VIDEO_4 in text
    assert alice.readings()[0]["videos"] == [VIDEO_4]
    assert short_status(alice.clone) == ""
    assert {s["state"] for s in alice.json(capsys, "status")["sessions"]} == {"in sync"}


def test_a_title_changed_on_both_sides_is_resolved_by_its_key(tmp_path, monkeypatch, capsys):
    from annotator.store import editing, queries
    from annotator.store.library import open_library

    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    commit_file(bob.clone, POST, bob.text().replace("title: Agents and Memory", "title: Memory (Bob)"), "retitle")
    git(bob.clone, "push", "-q")
    with open_library(alice.db) as lib:
        editing.edit_session(lib, queries.resolve_session(lib.conn, "C/S0-L07"), title="Memory (Alice)")
    report = alice.json(capsys, "sync", "--pull")
    [conflict] = report["sessions"][0]["conflicts"]
    assert conflict["key"][:2] == ["key", "title"]
    assert (conflict["mine"], conflict["theirs"]) == ("title: Memory (Alice)", "title: Memory (Bob)")
    capsys.readouterr()
    assert alice.run("resolve", "S0-L07", "--theirs", "--reading", "9") == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert alice.run("resolve", "S0-L07", "--theirs", "--key", "title") == 0
    assert "title: Memory (Bob)" in alice.text()
    with open_library(alice.db) as lib:
        assert queries.session_detail(lib.conn, queries.resolve_session(lib.conn, "C/S0-L07"))["title"] == "Memory (Bob)"


def test_a_push_to_github_prints_the_page_for_a_pull_request(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice = laptops.alice
    fork = "https://github.com/alice/reading-group.git"
    git(alice.clone, "remote", "set-url", "origin", fork)
    git(alice.clone, "config", f"url.{laptops.remote}.insteadOf", fork)  # git reaches the bare remote instead
    git(alice.clone, "remote", "add", "upstream", "https://github.com/class/reading-group.git")
    alice.annotate("S0-L07", 1, team="Team Red")
    capsys.readouterr()
    assert alice.run("sync", "--commit", "--push") == 0
    assert ("open a pull request: https://github.com/class/reading-group/compare/main...alice:main?expand=1"
            in capsys.readouterr().out)
    assert "Team Red" in remote_text(laptops.remote)


def test_a_session_deleted_in_the_app_is_not_brought_back_by_the_next_sync(tmp_path, monkeypatch, capsys):
    from annotator.store import editing, operations, queries
    from annotator.store.library import open_library

    laptops = linked_laptops(tmp_path, monkeypatch)
    alice, bob = laptops.alice, laptops.bob
    with open_library(alice.db) as lib:
        editing.delete_session(lib, queries.resolve_session(lib.conn, "C/S0-L08"))
    states = {s["session"]: s["state"] for s in alice.json(capsys, "status")["sessions"]}
    assert (states["S0-L07"], states["S0-L08"]) == ("in sync", "deleted in the app")
    assert alice.run("sync", "--commit") == 0
    assert "S0-L08: left on the site (deleted in the app)" in capsys.readouterr().out
    assert (alice.clone / OTHER).exists() and short_status(alice.clone) == ""  # the site's file is the class's
    assert {s["session"]: s["state"] for s in alice.json(capsys, "status")["sessions"]}["S0-L08"] == "deleted in the app"
    with open_library(alice.db) as lib:  # undo the delete: the session and its base are back, in sync
        operations.undo(lib)
    assert {s["state"] for s in alice.json(capsys, "status")["sessions"]} == {"in sync"}
    with open_library(alice.db) as lib:
        editing.delete_session(lib, queries.resolve_session(lib.conn, "C/S0-L08"))
    # Someone changes that post on the site: it is wanted again, so it is new on disk and comes back.
    commit_file(bob.clone, OTHER, bob.text(OTHER).replace("Agents, part two", "Agents, part two (revised)"), "revise")
    git(bob.clone, "push", "-q")
    assert alice.run("sync", "--pull") == 0
    assert "S0-L08: imported (new on disk)" in capsys.readouterr().out
    assert {s["state"] for s in alice.json(capsys, "status")["sessions"]} == {"in sync"}


def test_a_post_saved_while_the_sync_runs_is_not_overwritten(tmp_path, monkeypatch, capsys):
    from annotator.site.sync import sync_site
    from annotator.store.library import open_library

    laptops = linked_laptops(tmp_path, monkeypatch)
    alice = laptops.alice
    alice.annotate("S0-L07", 1, team="Team Red")  # S0-L07 will be exported
    write_new = alice.text(OTHER).replace("Agents, part two", "Agents, part three")
    (alice.clone / OTHER).write_text(write_new, encoding="utf-8")  # S0-L08 will be imported first
    saved = alice.text() + "\nTyped in an editor during the sync.\n"

    def the_user_saves(_done: int, _total: int, path: str) -> None:
        # Status reports the posts it compares by their relative paths, the import by full paths:
        # the user saves once status has seen the post, while S0-L08 is being imported.
        if Path(path).is_absolute() and (alice.clone / POST).read_text(encoding="utf-8") != saved:
            (alice.clone / POST).write_text(saved, encoding="utf-8")

    with open_library(alice.db) as lib:
        report = sync_site(lib, "C", progress=the_user_saves)
    assert [(o.code, o.action) for o in report.failed] == [("S0-L07", "failed")]
    assert "changed while syncing" in report.failed[0].error
    assert alice.text() == saved  # the user's save is kept
    state = {s["session"]: s["state"] for s in alice.json(capsys, "status")["sessions"]}["S0-L07"]
    assert state == "changed on both sides"  # the next sync merges both
    assert alice.run("sync") == 0 and "Typed in an editor" in alice.text() and "Team Red" in alice.text()


def test_commit_never_takes_a_users_uncommitted_draft_even_after_an_app_edit(tmp_path, monkeypatch, capsys):
    laptops = linked_laptops(tmp_path, monkeypatch)
    alice = laptops.alice
    draft = alice.text().replace("title: Agents and Memory", "title: Agents and Memory (DRAFT)")
    (alice.clone / POST).write_text(draft, encoding="utf-8")
    assert alice.run("sync", "--commit") == 0  # the draft is imported, not committed
    alice.annotate("S0-L07", 1, team="Team Red")
    head = git(alice.clone, "rev-parse", "HEAD")
    assert alice.run("sync", "--commit") == 0
    assert git(alice.clone, "rev-parse", "HEAD") == head  # the post still holds the draft: the user's to commit
    assert "DRAFT" in alice.text() and "Team Red" in alice.text()
    assert f"not committed: {POST} holds edits of yours too" in capsys.readouterr().out
