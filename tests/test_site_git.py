"""The site's git layer with real git: a bare repository as the remote, clones as laptops, no mocks of git."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from git_fixtures import (
    POST,
    Laptops,
    clone,
    commit_file,
    git,
    head,
    http_server,
    isolate_git,
    need_git,
    remote_and_two_laptops,
    short_status,
    silent_server,
    write,
)
from hang_guard import finishes_within

from annotator.site.git import (
    AuthenticationFailed,
    DetachedHead,
    GitCancelled,
    GitFailed,
    GitMissing,
    GitTimeout,
    MergeConflict,
    NoIdentity,
    NotARepository,
    NoUpstream,
    PushRejected,
    RemoteUnreachable,
    WouldOverwrite,
    read_state,
    repo_state,
    texts_at_head,
)
from annotator.site.git_sync import bring_upstream, commit_paths, fetch, push

POST_PATH = "_posts/2024-01-08-week-1.md"


@pytest.fixture
def laptops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Laptops:
    need_git()
    isolate_git(monkeypatch, tmp_path / "home")
    return remote_and_two_laptops(tmp_path)


def refuse(path: str, base: str | None, ours: str | None, theirs: str | None) -> str | None:
    return None


def alice_pushes(laptops: Laptops, name: str = POST_PATH, text: str = POST + "- BERT\n") -> str:
    commit = commit_file(laptops.alice, name, text, "alice edits")
    git(laptops.alice, "push", "-q")
    return commit


# --- state -------------------------------------------------------------------------------------------------------

def test_a_clean_clone_is_on_its_branch_level_with_its_upstream(laptops: Laptops):
    state = read_state(laptops.bob)
    assert (state.branch, state.upstream, state.ahead, state.behind) == ("main", "origin/main", 0, 0)
    assert state.head == head(laptops.bob) and not state.detached and state.changed == frozenset()
    assert state.top == laptops.bob.resolve() and state.prefix == ""


def test_ahead_and_behind_count_commits_on_each_side(laptops: Laptops):
    alice_pushes(laptops)
    commit_file(laptops.bob, "notes/a.md", "a\n")
    commit_file(laptops.bob, "notes/b.md", "b\n")
    git(laptops.bob, "fetch", "-q")
    state = read_state(laptops.bob)
    assert (state.ahead, state.behind) == (2, 1)


def test_changed_paths_by_kind_relative_to_the_folder(laptops: Laptops):
    bob = laptops.bob
    write(bob, POST_PATH, POST + "- edited\n")
    write(bob, "_posts/2024-01-15-week 2 ü.md", POST)  # a space and non-ASCII: -z keeps the name as it is
    (bob / "README.md").unlink()
    write(bob, "staged.md", "new\n")
    git(bob, "add", "staged.md")
    state = read_state(bob)
    assert state.modified == (POST_PATH,)
    assert state.deleted == ("README.md",)
    assert state.added == ("staged.md",) and state.staged == ("staged.md",)
    assert state.untracked == ("_posts/2024-01-15-week 2 ü.md",)
    inner = read_state(bob / "_posts")
    assert inner.prefix == "_posts/" and inner.top == bob.resolve()
    assert inner.modified == ("2024-01-08-week-1.md",) and inner.deleted == ("../README.md",)


def test_detached_head_has_no_branch_and_sync_steps_refuse_it(laptops: Laptops):
    git(laptops.bob, "checkout", "-q", "--detach")
    state = read_state(laptops.bob)
    assert state.detached and state.branch is None and state.head == head(laptops.bob)
    for step in (lambda: bring_upstream(laptops.bob, refuse), lambda: fetch(laptops.bob),
                 lambda: commit_paths(laptops.bob, [POST_PATH], "m")):
        with pytest.raises(DetachedHead, match="HEAD is detached"):
            step()


def test_a_branch_without_upstream(laptops: Laptops):
    git(laptops.bob, "checkout", "-q", "-b", "draft")
    state = read_state(laptops.bob)
    assert (state.branch, state.upstream, state.ahead, state.behind) == ("draft", None, 0, 0)
    with pytest.raises(NoUpstream, match="branch 'draft' has no upstream branch") as caught:
        fetch(laptops.bob)
    assert str(caught.value).startswith(str(laptops.bob))


def test_not_a_repository_gives_none_and_a_reason(laptops: Laptops, tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert repo_state(plain) is None
    with pytest.raises(NotARepository, match="not in a git repository"):
        read_state(plain)
    with pytest.raises(NotARepository, match="no such folder"):
        read_state(tmp_path / "missing")


def test_without_git_on_path_the_state_is_none_and_steps_say_git_is_missing(laptops: Laptops, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch):
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert repo_state(laptops.bob) is None
    with pytest.raises(GitMissing, match="git is not installed"):
        fetch(laptops.bob)


def test_cancelled_before_a_call_runs_nothing(laptops: Laptops):
    with pytest.raises(GitCancelled):
        read_state(laptops.bob, cancelled=lambda: True)


def test_texts_at_head(laptops: Laptops):
    write(laptops.bob, POST_PATH, "changed\n")
    assert texts_at_head(laptops.bob, [POST_PATH, "nope.md"]) == {POST_PATH: POST, "nope.md": None}
    assert texts_at_head(laptops.bob / "_posts", ["2024-01-08-week-1.md"]) == {"2024-01-08-week-1.md": POST}


# --- bringing the upstream in -----------------------------------------------------------------------------------

def test_fast_forward_brings_the_upstream_and_names_what_changed(laptops: Laptops):
    theirs = alice_pushes(laptops)
    old = head(laptops.bob)
    fetch(laptops.bob)
    brought = bring_upstream(laptops.bob, refuse)
    assert (brought.old_head, brought.new_head, brought.paths, brought.merge_commit) == (old, theirs, (POST_PATH,), False)
    assert head(laptops.bob) == theirs and short_status(laptops.bob) == ""


def test_nothing_to_bring(laptops: Laptops):
    brought = bring_upstream(laptops.bob, refuse)
    assert brought.paths == () and brought.old_head == brought.new_head == head(laptops.bob)


def test_pull_refused_when_upstream_changed_a_file_with_uncommitted_edits(laptops: Laptops):
    alice_pushes(laptops)
    fetch(laptops.bob)
    before = head(laptops.bob)
    mine = write(laptops.bob, POST_PATH, POST + "- my uncommitted edit\n")
    with pytest.raises(WouldOverwrite, match=f"the upstream changed {POST_PATH}") as caught:
        bring_upstream(laptops.bob, refuse)
    assert caught.value.paths == (POST_PATH,)
    assert head(laptops.bob) == before and mine.read_text(encoding="utf-8").endswith("my uncommitted edit\n")


def test_pull_refused_when_upstream_adds_a_file_that_is_untracked_here(laptops: Laptops):
    alice_pushes(laptops, "_posts/2024-01-15-week-2.md", POST)
    fetch(laptops.bob)
    write(laptops.bob, "_posts/2024-01-15-week-2.md", "mine\n")
    with pytest.raises(WouldOverwrite):
        bring_upstream(laptops.bob, refuse)


def test_pull_allowed_when_the_dirty_file_is_not_touched_upstream(laptops: Laptops):
    theirs = alice_pushes(laptops)
    fetch(laptops.bob)
    write(laptops.bob, "README.md", "my uncommitted readme\n")
    bring_upstream(laptops.bob, refuse)
    assert head(laptops.bob) == theirs
    assert (laptops.bob / "README.md").read_text(encoding="utf-8") == "my uncommitted readme\n"


def test_a_true_merge_with_a_conflict_settled_by_the_callback(laptops: Laptops):
    alice_pushes(laptops, text=POST + "- BERT\n")
    mine = commit_file(laptops.bob, POST_PATH, POST + "- GPT\n")
    fetch(laptops.bob)
    seen = []

    def resolve(path: str, base: str | None, ours: str | None, theirs: str | None) -> str | None:
        seen.append((path, base, ours, theirs))
        return POST + "- GPT\n- BERT\n"

    brought = bring_upstream(laptops.bob, resolve)
    assert seen == [(POST_PATH, POST, POST + "- GPT\n", POST + "- BERT\n")]
    assert brought.merge_commit and brought.old_head == mine and brought.paths == (POST_PATH,)
    parents = git(laptops.bob, "rev-list", "--parents", "-n1", "HEAD").split()[1:]
    assert parents == [mine, head(laptops.bob, "origin/main")]
    assert (laptops.bob / POST_PATH).read_text(encoding="utf-8").endswith("- GPT\n- BERT\n")
    assert short_status(laptops.bob) == ""
    assert git(laptops.bob, "log", "-1", "--format=%an <%ae>").strip() == "Bob <bob@example.com>"
    assert "#" not in git(laptops.bob, "log", "-1", "--format=%B")  # the commented conflict list is stripped


def test_a_merge_without_conflicts_keeps_both_sides(laptops: Laptops):
    alice_pushes(laptops, "_posts/2024-01-15-week-2.md", POST)
    commit_file(laptops.bob, "README.md", "Bob's readme\n")
    fetch(laptops.bob)
    brought = bring_upstream(laptops.bob, refuse)
    assert brought.merge_commit and brought.paths == ("_posts/2024-01-15-week-2.md",)
    assert short_status(laptops.bob) == ""


def test_a_conflict_the_callback_refuses_aborts_and_changes_nothing(laptops: Laptops):
    alice_pushes(laptops, text=POST + "- BERT\n")
    mine = commit_file(laptops.bob, POST_PATH, POST + "- GPT\n")
    fetch(laptops.bob)
    write(laptops.bob, "README.md", "uncommitted, untouched upstream\n")
    with pytest.raises(MergeConflict, match=f"cannot merge: {POST_PATH}; the merge was aborted") as caught:
        bring_upstream(laptops.bob, refuse)
    assert caught.value.paths == (POST_PATH,)
    assert head(laptops.bob) == mine and short_status(laptops.bob) == " M README.md\n"
    assert not (laptops.bob / ".git" / "MERGE_HEAD").exists()
    assert (laptops.bob / POST_PATH).read_text(encoding="utf-8") == POST + "- GPT\n"


def test_a_conflict_in_a_binary_file_is_refused_without_asking(laptops: Laptops):
    alice_pushes(laptops, "logo.bin", "\x00alice")
    commit_file(laptops.bob, "logo.bin", "\x00bob")
    fetch(laptops.bob)
    asked = []
    with pytest.raises(MergeConflict):
        bring_upstream(laptops.bob, lambda *args: asked.append(args) or "x")
    assert asked == [] and short_status(laptops.bob) == ""


def test_staged_changes_are_not_swept_into_a_merge_commit(laptops: Laptops):
    alice_pushes(laptops)
    mine = commit_file(laptops.bob, "notes.md", "n\n")
    fetch(laptops.bob)
    write(laptops.bob, "README.md", "staged\n")
    git(laptops.bob, "add", "README.md")
    with pytest.raises(WouldOverwrite, match="staged changes to README.md"):
        bring_upstream(laptops.bob, refuse)
    assert head(laptops.bob) == mine


# --- commit ------------------------------------------------------------------------------------------------------

def test_commit_takes_only_annotators_files_and_leaves_the_users_staged_file_staged(laptops: Laptops):
    bob = laptops.bob
    write(bob, "mine.txt", "the user's own work\n")
    git(bob, "add", "mine.txt")
    write(bob, POST_PATH, POST + "- edited by annotator\n")
    write(bob, "_posts/2024-01-15-week-2.md", POST)
    commit = commit_paths(bob, [POST_PATH, Path("_posts/2024-01-15-week-2.md")], "Update week 1, add week 2")
    assert commit == head(bob)
    assert git(bob, "show", "--name-only", "--format=%s%n%an", "HEAD").split("\n")[:5] == [
        "Update week 1, add week 2", "Bob", "", POST_PATH, "_posts/2024-01-15-week-2.md"]
    assert short_status(bob) == "A  mine.txt\n"


def test_commit_with_nothing_changed_returns_none(laptops: Laptops):
    assert commit_paths(laptops.bob, [POST_PATH, "not-there.md"], "nothing") is None


def test_commit_of_a_deleted_post_from_a_subfolder(laptops: Laptops):
    (laptops.bob / POST_PATH).unlink()
    commit_paths(laptops.bob / "_posts", ["2024-01-08-week-1.md"], "Remove week 1")
    assert short_status(laptops.bob) == ""
    assert git(laptops.bob, "show", "--name-status", "--format=", "HEAD").strip() == f"D\t{POST_PATH}"


def test_no_identity_is_a_clear_error_and_stages_nothing(laptops: Laptops):
    git(laptops.bob, "config", "--unset", "user.name")
    git(laptops.bob, "config", "--unset", "user.email")
    write(laptops.bob, "_posts/2024-01-15-week-2.md", POST)
    with pytest.raises(NoIdentity, match="git does not know who you are"):
        commit_paths(laptops.bob, ["_posts/2024-01-15-week-2.md"], "Add week 2")
    assert short_status(laptops.bob) == "?? _posts/2024-01-15-week-2.md\n"


def test_the_users_global_git_config_applies(laptops: Laptops, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    git(laptops.bob, "config", "--unset", "user.name")
    git(laptops.bob, "config", "--unset", "user.email")
    config = tmp_path / "global.gitconfig"
    config.write_text("[user]\n\tname = Bob Global\n\temail = bob@global.example\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    write(laptops.bob, POST_PATH, "x\n")
    commit_paths(laptops.bob, [POST_PATH], "edit")
    assert git(laptops.bob, "log", "-1", "--format=%an <%ae>").strip() == "Bob Global <bob@global.example>"


# --- push --------------------------------------------------------------------------------------------------------

def test_push_and_nothing_left_to_push(laptops: Laptops):
    mine = commit_file(laptops.bob, POST_PATH, POST + "- pushed\n")
    pushed = push(laptops.bob, lambda: pytest.fail("no merge needed"))
    assert pushed.pushed and not pushed.merged_again and pushed.compare_url is None
    assert head(laptops.remote, "main") == mine
    assert not push(laptops.bob, lambda: None).pushed


def test_push_rejected_because_the_remote_moved_merges_and_pushes_again(laptops: Laptops):
    alice_pushes(laptops)
    mine = commit_file(laptops.bob, "_posts/2024-01-15-week-2.md", POST)
    pushed = push(laptops.bob, lambda: bring_upstream(laptops.bob, refuse))
    assert pushed.pushed and pushed.merged_again
    merge = head(laptops.remote, "main")
    assert merge == head(laptops.bob) and git(laptops.remote, "rev-list", "--parents", "-n1", merge).split()[1] == mine


def test_push_prints_the_compare_url_of_a_github_fork(laptops: Laptops):
    # The remote's URL is on GitHub; git's insteadOf sends the push to the bare repository on disk.
    git(laptops.bob, "remote", "set-url", "origin", "git@github.com:bob/ml-reading.git")
    git(laptops.bob, "config", f"url.{laptops.remote}.insteadOf", "git@github.com:bob/ml-reading.git")
    commit_file(laptops.bob, POST_PATH, POST + "- pushed\n")
    assert push(laptops.bob, lambda: None).compare_url == "https://github.com/bob/ml-reading/compare/main?expand=1"
    git(laptops.bob, "remote", "add", "upstream", "https://github.com/prof/ml-reading.git")
    commit_file(laptops.bob, POST_PATH, POST + "- pushed again\n")
    assert push(laptops.bob, lambda: None).compare_url == (
        "https://github.com/prof/ml-reading/compare/main...bob:main?expand=1")


# --- remotes that fail -------------------------------------------------------------------------------------------

def _unchanged_after(laptops: Laptops, step) -> Exception:
    """Run STEP expecting a failure; the laptop's refs and work tree must be as they were."""
    refs = git(laptops.bob, "show-ref")
    with pytest.raises(Exception) as caught:
        finishes_within(30, step)
    assert git(laptops.bob, "show-ref") == refs and short_status(laptops.bob) == ""
    return caught.value


def test_a_remote_path_that_does_not_exist_is_unreachable(laptops: Laptops, tmp_path: Path):
    git(laptops.bob, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    error = _unchanged_after(laptops, lambda: fetch(laptops.bob))
    assert isinstance(error, RemoteUnreachable) and "cannot reach remote 'origin'" in str(error)
    assert str(error).count("\n") == 0


@pytest.mark.parametrize("status", [404, 500])
def test_an_http_remote_that_fails_is_unreachable(laptops: Laptops, status: int):
    with http_server(status) as url:
        git(laptops.bob, "remote", "set-url", "origin", url)
        error = _unchanged_after(laptops, lambda: fetch(laptops.bob))
    assert isinstance(error, RemoteUnreachable), error
    assert "cannot reach remote 'origin'" in str(error)


def test_an_http_remote_asking_for_a_password_is_authentication_failed_without_a_prompt(laptops: Laptops):
    commit_file(laptops.bob, POST_PATH, POST + "- to push\n")
    with http_server(401, {"WWW-Authenticate": 'Basic realm="class"'}) as url:
        git(laptops.bob, "remote", "set-url", "origin", url)
        for step in (lambda: fetch(laptops.bob), lambda: push(laptops.bob, lambda: None)):
            with pytest.raises(AuthenticationFailed, match="authentication failed for remote 'origin'"):
                finishes_within(30, step)


def test_a_remote_that_never_answers_times_out(laptops: Laptops):
    with silent_server() as url:
        git(laptops.bob, "remote", "set-url", "origin", url)
        error = _unchanged_after(laptops, lambda: fetch(laptops.bob, timeout=1.0))
    assert isinstance(error, GitTimeout) and "did not finish within 1 s" in str(error)


def test_a_fetch_can_be_cancelled_while_it_waits(laptops: Laptops):
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 5  # the first checks are before the calls; later ones while fetch waits

    with silent_server() as url:
        git(laptops.bob, "remote", "set-url", "origin", url)
        error = _unchanged_after(laptops, lambda: fetch(laptops.bob, cancelled=cancelled))
    assert isinstance(error, GitCancelled)


def test_commit_of_an_absolute_path_and_of_one_outside_the_work_tree(laptops: Laptops, tmp_path: Path):
    post = write(laptops.bob, POST_PATH, POST + "- edited\n")
    assert commit_paths(laptops.bob, [post], "edit") == head(laptops.bob)
    with pytest.raises(GitFailed, match="is outside the git work tree"):
        commit_paths(laptops.bob, [tmp_path / "elsewhere.md"], "edit")


def test_bringing_the_upstream_into_a_site_in_a_subfolder_names_paths_from_there(laptops: Laptops):
    alice_pushes(laptops)
    fetch(laptops.bob / "_posts")
    assert bring_upstream(laptops.bob / "_posts", refuse).paths == ("2024-01-08-week-1.md",)


# --- git stopped halfway: no lock, no half-done merge left behind -------------------------------------------------

def _hook(laptop: Path, name: str, script: str) -> None:
    hook = write(laptop, f".git/hooks/{name}", f"#!/bin/sh\n{script}\n")
    hook.chmod(0o755)


needs_posix = pytest.mark.skipif(os.name != "posix", reason="hooks as sh scripts; SIGTERM")


@needs_posix
def test_a_commit_whose_hook_outlasts_the_timeout_leaves_no_index_lock(laptops: Laptops):
    bob = laptops.bob
    _hook(bob, "pre-commit", "sleep 30")  # git holds .git/index.lock while its pre-commit hook runs
    write(bob, POST_PATH, POST + "- edited\n")
    write(bob, "_posts/2024-01-15-week-2.md", POST)
    before = head(bob)
    with pytest.raises(GitTimeout, match="did not finish within 1 s and was stopped$"):
        finishes_within(10, lambda: commit_paths(bob, [POST_PATH, "_posts/2024-01-15-week-2.md"], "edit", timeout=1))
    assert not (bob / ".git" / "index.lock").exists()
    # the user's next git command works, and the new file is untracked again, as it was
    assert short_status(bob) == f" M {POST_PATH}\n?? _posts/2024-01-15-week-2.md\n" and head(bob) == before


@needs_posix
@pytest.mark.parametrize(("hook", "own_commit"), [("pre-merge-commit", True), ("post-merge", True), ("post-merge", False)])
def test_a_merge_whose_hook_outlasts_the_timeout_is_undone(laptops: Laptops, hook: str, own_commit: bool):
    """pre-merge-commit runs with the merge in progress (MERGE_HEAD, merged files); post-merge after the merge or
    fast-forward was made. Either way the step raises and the branch and work tree are as they were."""
    bob = laptops.bob
    alice_pushes(laptops, "_posts/2024-01-15-week-2.md", POST)
    if own_commit:
        commit_file(bob, "notes.md", "mine\n")
    fetch(bob)
    before = head(bob)
    write(bob, "README.md", "uncommitted, untouched upstream\n")
    _hook(bob, hook, "sleep 30")
    with pytest.raises(GitTimeout, match="did not finish within 1 s and was stopped$"):
        finishes_within(10, lambda: bring_upstream(bob, refuse, timeout=1))
    assert head(bob) == before and short_status(bob) == " M README.md\n"
    assert not (bob / "_posts" / "2024-01-15-week-2.md").exists()
    assert not (bob / ".git" / "MERGE_HEAD").exists() and not (bob / ".git" / "index.lock").exists()


# --- pushing to a fork ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("setting", ["branch.main.pushRemote", "remote.pushDefault"])
def test_push_goes_to_the_push_remote_not_to_the_tracked_class_repository(laptops: Laptops, tmp_path: Path,
                                                                         setting: str):
    """Bob tracks the class's repository (origin) and pushes to his fork, as `git push` would: the class's branch
    stays as it was, and the pull request goes from the fork into the class's repository."""
    bob, fork = laptops.bob, tmp_path / "fork.git"
    git(tmp_path, "clone", "-q", "--bare", str(laptops.remote), str(fork))
    class_url, fork_url = "https://github.com/prof/ml-reading.git", "git@github.com:bob/ml-reading.git"
    git(bob, "remote", "set-url", "origin", class_url)
    git(bob, "config", f"url.{laptops.remote}.insteadOf", class_url)  # (the GitHub URLs lead to the bare repositories)
    git(bob, "remote", "add", "fork", fork_url)
    git(bob, "config", f"url.{fork}.insteadOf", fork_url)
    git(bob, "config", setting, "fork")
    class_head = head(laptops.remote, "main")
    mine = commit_file(bob, POST_PATH, POST + "- pushed to the fork\n")
    pushed = push(bob, lambda: pytest.fail("the class's repository did not move"))
    assert pushed.pushed and head(fork, "main") == mine and head(laptops.remote, "main") == class_head
    assert pushed.compare_url == "https://github.com/prof/ml-reading/compare/main...bob:main?expand=1"
    # The fork moved on its own: merging the class's branch would not help, so nothing is merged and git says why.
    other = clone(fork, tmp_path / "other", "Bob")
    commit_file(other, "elsewhere.md", "x\n")
    git(other, "push", "-q")
    commit_file(bob, POST_PATH, POST + "- again\n")
    with pytest.raises(PushRejected, match="'main' on remote 'fork' has commits that are not here.*git pull fork main"):
        push(bob, lambda: pytest.fail("no merge of the class's branch"))


def test_push_to_another_remote_refused_when_push_default_forbids_it(laptops: Laptops, tmp_path: Path):
    git(laptops.bob, "remote", "add", "fork", str(tmp_path / "fork.git"))
    git(laptops.bob, "config", "branch.main.pushRemote", "fork")
    git(laptops.bob, "config", "push.default", "upstream")
    class_head = head(laptops.remote, "main")
    commit_file(laptops.bob, POST_PATH, POST + "- not pushed\n")
    with pytest.raises(GitFailed, match="pushes to 'fork', and push.default is 'upstream'"):
        push(laptops.bob, lambda: None)
    assert head(laptops.remote, "main") == class_head
