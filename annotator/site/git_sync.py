"""The sync's git steps: fetch, bring the upstream in without clobbering work, commit annotator's files, push.

Each step either does what it says or raises a GitError and leaves the work tree, the index and
the branch as they were (a fetch may still have updated remote-tracking branches, which is
harmless). Commands that take paths run at the work tree's top with literal pathspecs, so that a
post named `[draft].md` is that file and not a pattern, and the user's `diff.relative` cannot
change what git prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.textfile import decode_text
from annotator.site.git import (
    HOOK_TIMEOUT,
    LOCAL_TIMEOUT,
    NETWORK_TIMEOUT,
    Cancelled,
    DetachedHead,
    GitCancelled,
    GitError,
    GitFailed,
    GitTimeout,
    MergeConflict,
    NoUpstream,
    PushRejected,
    RepoState,
    WouldOverwrite,
    classify,
    listing,
    read_batch,
    read_state,
    run_git,
    split_z,
)
from annotator.site.github import compare_url

# resolve(path, base_text, ours_text, theirs_text) -> merged text, or None to refuse; a side is None where the file is absent.
Resolve = Callable[[str, str | None, str | None, str | None], str | None]

_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}
_OWN_IDENTITY = ("user.useConfigOnly=true",)  # git must not guess a name and address from the login and host name
_TRACKING = r"^(remote\..*\.url|branch\..*\.(remote|merge|pushremote)|remote\.pushdefault|push\.default|core\.sshcommand)$"


@dataclass(slots=True, frozen=True)
class Tracking:
    """Where the checked-out branch pulls from and pushes to."""

    branch: str
    remote: str  # the remote's name ("." when the upstream is a local branch)
    merge_ref: str  # the branch on the remote, e.g. "refs/heads/main"
    push_remote: str  # where `git push` without arguments pushes: branch.<b>.pushRemote, remote.pushDefault or `remote`
    push_ref: str  # the branch it pushes to there: `merge_ref`, or the branch's own name on another remote
    urls: dict[str, str]  # every remote's URL by name
    network_env: dict[str, str]  # ssh in batch mode, unless the user chose their own ssh command


@dataclass(slots=True, frozen=True)
class Brought:
    """What bringing the upstream in did: the caller re-imports `paths` (relative to the folder)."""

    old_head: str | None
    new_head: str | None
    paths: tuple[str, ...]
    merge_commit: bool  # False for a fast-forward or when there was nothing to bring


@dataclass(slots=True, frozen=True)
class Pushed:
    """What a push did, and where to open a pull request for it (None when the remote is not on GitHub)."""

    pushed: bool  # False when the remote already had every commit
    merged_again: bool  # the remote had moved: its commits were merged and the push retried
    compare_url: str | None


def tracking(state: RepoState, cancelled: Cancelled | None = None) -> Tracking:
    """The branch's upstream from git's config (one call); DetachedHead or NoUpstream when there is none."""
    if state.branch is None:
        raise DetachedHead("HEAD is detached (no branch is checked out); check out a branch first", state.folder)
    # exit 1 when no key matches: no remote at all
    out = run_git(state.folder, ["config", "-z", "--get-regexp", _TRACKING], cancelled=cancelled, read_only=True,
                  check=False).out
    config = dict(entry.partition("\n")[::2] for entry in split_z(out))
    remote = config.get(f"branch.{state.branch}.remote")
    merge_ref = config.get(f"branch.{state.branch}.merge")
    if not remote or not merge_ref:
        raise NoUpstream(f"branch '{state.branch}' has no upstream branch to pull from or push to "
                         f"(set one with `git push -u origin {state.branch}`)", state.folder)
    urls = {key[len("remote."):-len(".url")]: value for key, value in config.items()
            if key.startswith("remote.") and key.endswith(".url")}
    own_ssh = "core.sshcommand" in config or "GIT_SSH_COMMAND" in os.environ or "GIT_SSH" in os.environ
    # The triangular workflow: track the class's repository, push to one's fork. git then pushes the branch under its
    # own name (push.default simple or current, the default being simple) and refuses for `upstream` or `nothing`.
    push_remote = config.get(f"branch.{state.branch}.pushremote") or config.get("remote.pushdefault") or remote
    push_ref = merge_ref
    if push_remote != remote:
        mode = config.get("push.default", "simple")
        if mode not in ("simple", "current", "matching"):
            raise GitFailed(f"branch '{state.branch}' pulls from remote '{remote}' but pushes to '{push_remote}', and "
                            f"push.default is '{mode}', so git itself would not push it; set push.default to simple",
                            state.folder)
        push_ref = f"refs/heads/{state.branch}"
    return Tracking(state.branch, remote, merge_ref, push_remote, push_ref, urls,
                    {} if own_ssh else {"GIT_SSH_COMMAND": "ssh -o BatchMode=yes"})


def fetch(folder: str | Path, *, timeout: float = NETWORK_TIMEOUT, cancelled: Cancelled | None = None) -> None:
    """Fetch from the remote the checked-out branch tracks."""
    state = read_state(folder, cancelled=cancelled)
    where = tracking(state, cancelled)
    if where.remote != ".":
        run_git(folder, ["fetch", "--quiet", where.remote], timeout=timeout, cancelled=cancelled, remote=where.remote,
                extra_env=where.network_env)


def _check_identity(folder: Path, cancelled: Cancelled | None) -> None:
    """NoIdentity unless git has the user's own name and address (before anything is changed)."""
    run_git(folder, ["var", "GIT_COMMITTER_IDENT"], cancelled=cancelled, read_only=True, config=_OWN_IDENTITY)


def _changed_between(state: RepoState, old: str | None, cancelled: Cancelled | None) -> tuple[str | None, tuple[str, ...]]:
    """The new HEAD and the paths (relative to the folder) that differ between OLD and it."""
    new = run_git(state.top, ["rev-parse", "HEAD"], cancelled=cancelled, read_only=True).out.decode().strip()
    out = run_git(state.top, ["diff", "--name-only", "-z", "--no-renames", old or "", new], cancelled=cancelled,
                  read_only=True).out
    return new, tuple(state.relative(p) for p in split_z(out))


def bring_upstream(folder: str | Path, resolve: Resolve, *, timeout: float = HOOK_TIMEOUT,
                   cancelled: Cancelled | None = None) -> Brought:
    """Merge the (fetched) upstream into the branch when that cannot clobber uncommitted work.

    Refuses (WouldOverwrite, nothing changed) when the upstream changed a file with uncommitted
    changes here, or when a merge commit would take in the user's staged changes. Fast-forwards
    when the branch has no commits of its own; otherwise merges with the user's identity, and
    settles conflicts with RESOLVE (see `_settle`). TIMEOUT bounds each merge or commit (the user's
    hooks run in them); a merge stopped by it is undone before GitTimeout is raised.
    """
    reading = min(timeout, LOCAL_TIMEOUT)
    state = read_state(folder, timeout=reading, cancelled=cancelled)
    tracking(state, cancelled)  # the clear message for a detached HEAD or a missing upstream
    if state.conflicted:
        raise GitFailed(f"a merge is unfinished (conflicts in {listing(state.conflicted)}); finish or abort it with git first",
                        folder)
    if state.behind == 0:
        return Brought(state.head, state.head, (), False)
    touched = split_z(run_git(state.top, ["diff", "--name-only", "-z", "--no-renames", "HEAD...@{upstream}"],
                              timeout=reading, cancelled=cancelled, read_only=True).out)
    clobbered = sorted({state.relative(p) for p in touched} & state.changed)
    if clobbered:
        raise WouldOverwrite(f"not pulling: the upstream changed {listing(clobbered)}, which you have uncommitted "
                             "changes to; commit or stash them first (nothing changed)", folder, clobbered)
    if state.staged and state.ahead != 0:
        raise WouldOverwrite(f"not pulling: you have staged changes to {listing(state.staged)} that the merge commit would "
                             "take in; commit or unstage them first (nothing changed)", folder, state.staged)
    theirs = run_git(state.top, ["rev-parse", "--verify", "@{upstream}^{commit}"], timeout=reading, cancelled=cancelled,
                     read_only=True).out.decode().strip()
    if state.ahead != 0:
        _check_identity(state.top, cancelled)
    try:
        if state.ahead == 0:
            run_git(state.top, ["merge", "--ff-only", "--quiet", "@{upstream}"], timeout=timeout, cancelled=cancelled)
            new, paths = _changed_between(state, state.head, cancelled)
            return Brought(state.head, new, paths, False)
        merged = run_git(state.top, ["merge", "--no-edit", "--ff", "--no-stat", "--quiet", "@{upstream}"],
                         timeout=timeout, cancelled=cancelled, check=False,
                         config=(*_OWN_IDENTITY, "merge.autoStash=false"))
    except (GitTimeout, GitCancelled):
        _undo_merge(state, theirs)
        raise
    if merged.code != 0:
        _settle(state, theirs, resolve, merged.err, timeout, cancelled)
    new, paths = _changed_between(state, state.head, cancelled)
    return Brought(state.head, new, paths, True)


def _abort_merge(state: RepoState) -> None:
    """Put the work tree back as it was before `git merge` (never cancelled: it undoes a half-done step)."""
    run_git(state.top, ["merge", "--abort"], check=False)


def _undo_merge(state: RepoState, theirs: str) -> None:
    """Undo a merge of THEIRS that git did not finish (a timeout or cancel stopped it, or the commit after `_settle`
    failed), wherever it stopped: in a post-merge or post-commit hook, after the merge was made (HEAD is THEIRS, or a
    merge of the old HEAD and THEIRS: move it back), or before (a merge in progress, or, stopped in a
    pre-merge-commit hook, the merge's changes staged without MERGE_HEAD: reset them). The user's uncommitted
    changes stay: the merge did not touch them, and a true merge starts with nothing staged. A HEAD that moved some
    other way is left alone. Never cancelled: it undoes a half-done step."""
    merging = run_git(state.top, ["rev-parse", "-q", "--verify", "MERGE_HEAD"], read_only=True, check=False).code == 0
    if merging:  # (git keeps MERGE_HEAD while post-merge runs, and a keep reset refuses to run during a merge)
        _abort_merge(state)
    now = run_git(state.top, ["rev-list", "--parents", "-n1", "HEAD"], read_only=True, check=False).out.decode().split()
    if now and state.head is not None and now[0] != state.head:
        if now[0] == theirs or now[1:] == [state.head, theirs]:
            run_git(state.top, ["reset", "--keep", "--quiet", state.head], check=False)
    elif not merging and state.ahead != 0:  # (a fast-forward stopped before it moved HEAD left the index as it was)
        run_git(state.top, ["reset", "--merge", "--quiet"], check=False)


def _side(data: bytes | None, path: Path) -> str | None:
    """One side of a conflict as text; AnnotatorError for a file that is not text annotator reads."""
    if data is None:
        return None
    return decode_text(data, path) if data else ""


def _settle(state: RepoState, theirs: str, resolve: Resolve, merge_err: str, timeout: float,
            cancelled: Cancelled | None) -> None:
    """Finish a merge that stopped: each conflicted file gets RESOLVE's text (from stages 1, 2 and 3 of the index),
    then the merge is committed. If RESOLVE refuses any file, or a side is not text, or the merge stopped for
    another reason, the merge is aborted and the error raised: nothing changed."""
    out = run_git(state.top, ["ls-files", "--unmerged", "-z"], cancelled=cancelled, read_only=True).out
    stages: dict[str, dict[int, str]] = {}
    for entry in split_z(out):
        info, _, path = entry.partition("\t")
        _, blob, stage = info.split(" ")
        stages.setdefault(path, {})[int(stage)] = blob
    if not stages:  # git refused before merging (or a hook stopped it): undo whatever it left
        _abort_merge(state)
        raise classify(state.folder, ["merge"], merge_err, None)
    wanted = [(path, n) for path, sides in stages.items() for n in (1, 2, 3) if n in sides]
    blobs = dict(zip(wanted, read_batch(state.top, "".join(f"{stages[p][n]}\n" for p, n in wanted).encode(), len(wanted),
                                        cancelled), strict=True))
    merged: dict[str, str] = {}
    refused: list[str] = []
    for path in stages:
        shown = state.relative(path)
        try:
            base, ours, theirs = (_side(blobs.get((path, n)), state.folder / shown) for n in (1, 2, 3))
        except AnnotatorError:
            refused.append(shown)
            continue
        text = resolve(shown, base, ours, theirs)
        if text is None:
            refused.append(shown)
        else:
            merged[path] = text
    if refused:
        _abort_merge(state)
        raise MergeConflict(f"the upstream changes conflict with changes here in files annotator cannot merge: "
                            f"{listing(refused)}; the merge was aborted and nothing changed", state.folder, refused)
    try:
        for path, text in merged.items():
            (state.top / path).write_bytes(text.encode("utf-8"))
        run_git(state.top, ["add", "--", *merged], timeout=timeout, extra_env=_LITERAL)
        run_git(state.top, ["commit", "--no-edit", "--cleanup=strip", "--quiet"], timeout=timeout, config=_OWN_IDENTITY)
    except (GitError, OSError) as exc:
        _undo_merge(state, theirs)  # (the commit may have been made and stopped in its post-commit hook)
        if isinstance(exc, GitError):
            raise
        raise GitFailed(f"cannot write the merged file: {exc}", state.folder) from None


def commit_paths(folder: str | Path, paths: list[str | Path], message: str, *, timeout: float = HOOK_TIMEOUT,
                 cancelled: Cancelled | None = None) -> str | None:
    """Commit PATHS (relative to FOLDER, or absolute) and nothing else, as the user's git identity.

    Files the user staged stay staged and out of the commit (`commit --only`). Returns the new
    commit's id, or None when none of PATHS has changes. TIMEOUT bounds the commit (the user's hooks
    run in it); a commit stopped by it leaves no lock behind (see `run_git`).
    """
    reading = min(timeout, LOCAL_TIMEOUT)
    state = read_state(folder, timeout=reading, cancelled=cancelled)
    if state.branch is None:
        raise DetachedHead("HEAD is detached (no branch is checked out); check out a branch first", folder)
    wanted = {state.from_folder(p) for p in paths}
    changed = {state.from_folder(p) for p in state.changed}
    unfinished = sorted(wanted & {state.from_folder(p) for p in state.conflicted})
    if unfinished:
        raise GitFailed(f"{listing(unfinished)} has unresolved conflicts; finish the merge with git first", folder)
    todo = sorted(wanted & changed)
    if not todo:
        return None
    _check_identity(state.top, cancelled)
    new_files = sorted(wanted & {state.from_folder(p) for p in state.untracked})
    if new_files:  # `commit --only` takes only files git already knows
        run_git(state.top, ["add", "--", *new_files], timeout=reading, cancelled=cancelled, extra_env=_LITERAL)
    try:
        run_git(state.top, ["commit", "--only", "--quiet", "--message", message, "--", *todo], timeout=timeout,
                extra_env=_LITERAL, config=_OWN_IDENTITY)
    except GitError:
        if new_files:  # (a hook refused the commit) leave the new files untracked, as they were
            run_git(state.top, ["reset", "--quiet", "--", *new_files], extra_env=_LITERAL, check=False)
        raise
    return run_git(state.top, ["rev-parse", "HEAD"], read_only=True).out.decode().strip()


def _push_once(state: RepoState, where: Tracking, timeout: float, cancelled: Cancelled | None) -> bool | None:
    """Push the branch where `git push` would: True when pushed, False when the remote had it all, None when
    rejected because the remote moved on."""
    result = run_git(state.folder, ["push", "--porcelain", where.push_remote, f"refs/heads/{where.branch}:{where.push_ref}"],
                     timeout=timeout, cancelled=cancelled, remote=where.push_remote, extra_env=where.network_env,
                     check=False)
    # --porcelain prints one `FLAG \t FROM:TO \t SUMMARY` line for the ref on stdout (flag `=` up to date, `!` rejected)
    report = [line for line in result.out.decode("utf-8", "replace").split("\n") if line.count("\t") >= 2]
    flag, summary = (report[0][0], report[0].split("\t")[2]) if report else ("", "")
    if result.code == 0:
        return flag != "="
    if flag == "!" and ("fetch first" in summary or "non-fast-forward" in summary):
        return None
    if flag == "!":
        raise PushRejected(f"the remote refused the push: {summary}", state.folder)
    raise classify(state.folder, ["push"], result.err, where.push_remote)


def push(folder: str | Path, merge_again: Callable[[], object], *, timeout: float = NETWORK_TIMEOUT,
         cancelled: Cancelled | None = None) -> Pushed:
    """Push the branch where `git push` would: to its upstream, or to its push remote (branch.<b>.pushRemote or
    remote.pushDefault, a fork) under its own name. If the upstream moved on meanwhile, fetch, call MERGE_AGAIN
    (which brings the upstream in, as `bring_upstream` does, and re-imports what changed) and push once more."""
    state = read_state(folder, cancelled=cancelled)
    where = tracking(state, cancelled)
    pushed = _push_once(state, where, timeout, cancelled)
    merged_again = pushed is None
    if merged_again and where.push_remote != where.remote:  # merging the upstream would not bring the fork's commits
        raise PushRejected(f"push rejected: '{where.push_ref.removeprefix('refs/heads/')}' on remote "
                           f"'{where.push_remote}' has commits that are not here; bring them in with git "
                           f"(`git pull {where.push_remote} {where.push_ref.removeprefix('refs/heads/')}`) first",
                           folder)
    if merged_again:
        fetch(folder, timeout=timeout, cancelled=cancelled)
        merge_again()
        pushed = _push_once(state, where, timeout, cancelled)
        if pushed is None:
            raise PushRejected("push rejected: the remote branch moved again while merging; sync once more", folder)
    # The pull request goes from the branch pushed to into the repository pulled from (a fork pushing to itself and
    # pulling from itself: into an `upstream` remote, the class's repository, if there is one).
    url = where.urls.get(where.push_remote)
    if where.push_remote != where.remote:
        upstream_url = where.urls.get(where.remote)
    else:
        upstream_url = where.urls.get("upstream") if where.remote != "upstream" else None
    branch = where.push_ref.removeprefix("refs/heads/")
    base = where.merge_ref.removeprefix("refs/heads/")
    return Pushed(bool(pushed), merged_again, compare_url(branch, url, upstream_url, base) if url else None)
