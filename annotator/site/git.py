"""Running the `git` command line on the course site's folder, as VS Code and GitHub Desktop do.

The user's own git applies (config, credential helpers, SSH keys, hooks). What annotator adds: git
never waits for a person (no terminal or askpass prompt, ssh in batch mode, stdin closed, no
controlling terminal), every call has a timeout and can be cancelled, and git speaks English
(LC_ALL=C) so that a failure can be told apart and reported as one GitError line naming the folder.
Needs git 2.18 or later (`status --no-renames`).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.textfile import decode_text

LOCAL_TIMEOUT = 30.0  # seconds for a call that stays on this machine and runs no hook of the user's
# Seconds for commit and merge: they run the user's hooks (pre-commit, commit-msg, pre-merge-commit, post-merge), and
# a linter or test suite in a pre-commit hook can take minutes; stopping it halfway only makes the user run it again.
HOOK_TIMEOUT = 300.0
NETWORK_TIMEOUT = 90.0  # seconds for fetch or push
_STOP_GRACE = 5.0  # seconds git gets after SIGTERM to remove its lock files before it is killed
_POLL = 0.1  # how often a long call looks at `cancelled`

Cancelled = Callable[[], bool]


class GitError(AnnotatorError):
    """A git step failed and nothing was changed; shown as `FOLDER: reason`."""

    def __init__(self, reason: str, folder: str | Path):
        super().__init__(reason, folder)


class GitUnavailable(GitError):
    """The folder cannot be handled with git at all: the sync works on the folder and skips the git steps."""


class GitMissing(GitUnavailable):
    """No `git` command on PATH."""


class NotARepository(GitUnavailable):
    """The folder is not inside a git work tree (or does not exist)."""


class NoUpstream(GitError):
    """The branch tracks no remote branch."""


class DetachedHead(GitError):
    """No branch is checked out."""


class AuthenticationFailed(GitError):
    """The remote refused the credentials git had, or git had none it could use without asking."""


class RemoteUnreachable(GitError):
    """The remote's address does not answer as a git repository."""


class GitTimeout(GitError):
    """A call ran longer than its timeout and was stopped."""


class GitCancelled(GitError):
    """The caller cancelled between (or during) calls."""


class NoIdentity(GitError):
    """git has no user.name / user.email configured; annotator never invents one."""


class PushRejected(GitError):
    """The remote refused the push (it moved again, or a hook or branch protection declined)."""


class GitFailed(GitError):
    """Any other failure: git's own message."""


class PathsError(GitError):
    """A refusal about particular files, listed in `paths` (relative to the folder)."""

    def __init__(self, reason: str, folder: str | Path, paths: Sequence[str]):
        super().__init__(reason, folder)
        self.paths = tuple(paths)


class WouldOverwrite(PathsError):
    """The upstream changed files that have uncommitted changes here; nothing was pulled."""


class MergeConflict(PathsError):
    """The merge conflicts in files annotator cannot merge; the merge was aborted."""


def listing(paths: Sequence[str], shown: int = 5) -> str:
    """PATHS as `a, b, c and 4 more` for a one-line message."""
    head = ", ".join(paths[:shown])
    return f"{head} and {len(paths) - shown} more" if len(paths) > shown else head


@dataclass(slots=True, frozen=True)
class Output:
    """What one git call printed."""

    code: int
    out: bytes
    err: str


# Messages of git (LC_ALL=C) and of ssh/curl under it, lower-cased; the first group that matches wins.
_AUTH = ("authentication failed", "could not read username", "could not read password", "terminal prompts disabled",
         "permission denied (publickey", "host key verification failed", "returned error: 401", "returned error: 403",
         "invalid username or password", "access denied")
_UNREACHABLE = ("does not appear to be a git repository", "could not read from remote repository", "unable to access",
                "could not resolve host", "connection refused", "connection timed out", "network is unreachable",
                "no route to host", "returned error:", "not found", "ssh: connect to host", "failed to connect")
_IDENTITY = ("please tell me who you are", "no email was given", "no name was given", "unable to auto-detect",
             "empty ident name")


def _detail(err: str) -> str:
    """git's most telling line: the first `fatal:` or `error:` line (or ssh's complaint) that is not git's generic
    "Could not read from remote repository", which follows the cause."""
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    told = [line.split(":", 1)[1].strip() if line.startswith(("fatal:", "error:")) else line for line in lines
            if line.startswith(("fatal:", "error:", "ssh:")) or "permission denied" in line.lower()
            or "host key verification failed" in line.lower()]
    specific = [line for line in told if "could not read from remote repository" not in line.lower()]
    return (specific or told or lines or ["(no message)"])[0]


def classify(folder: str | Path, args: Sequence[str], err: str, remote: str | None) -> GitError:
    """The GitError for a call that failed with stderr ERR (REMOTE names the remote of a network call)."""
    low = err.lower()
    if "not a git repository" in low:
        return NotARepository("not in a git repository", folder)
    if "cannot change to" in low:
        return NotARepository("no such folder", folder)
    if any(s in low for s in _IDENTITY):
        return NoIdentity('git does not know who you are: set `git config --global user.name "Your Name"` and '
                          "`git config --global user.email you@example.com`, then try again", folder)
    if remote is not None and any(s in low for s in _AUTH):
        return AuthenticationFailed(f"authentication failed for remote '{remote}' ({_detail(err)}); "
                                    "set up your credentials or SSH key with git in a terminal", folder)
    if remote is not None and any(s in low for s in _UNREACHABLE):
        return RemoteUnreachable(f"cannot reach remote '{remote}': {_detail(err)}", folder)
    return GitFailed(f"`git {args[0]}` failed: {_detail(err)}", folder)


def _environment(read_only: bool) -> dict[str, str]:
    """The user's environment, minus anything that could make git wait for a person or answer in another language."""
    env = dict(os.environ)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"):
        env.pop(name, None)  # set when launched from a git hook or alias; they would point git elsewhere than FOLDER
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",  # empty (not unset) also stops git from falling back to core.askPass and SSH_ASKPASS
        SSH_ASKPASS="",
        SSH_ASKPASS_REQUIRE="never",
        GCM_INTERACTIVE="never",  # Git Credential Manager: use stored credentials, open no sign-in window
        GIT_EDITOR=":",  # git's own "no editor": an editor could otherwise open and wait
        LC_ALL="C",  # messages are classified by their English text
    )
    if read_only:
        env["GIT_OPTIONAL_LOCKS"] = "0"  # status would otherwise refresh the index, racing the user's own git
    return env


def _git_program(env: dict[str, str], folder: str | Path) -> str:
    found = shutil.which("git", path=env.get("PATH", os.defpath))
    if found is None:
        raise GitMissing("git is not installed (no `git` command on PATH)", folder)
    return found


def _kill(proc: subprocess.Popen, gently: bool) -> bool:
    """Stop git and whatever it started (hooks, remote helpers, ssh): they share its new session on POSIX.

    GENTLY (a call that may be changing the repository) sends SIGTERM first: git then removes its
    lock files (`.git/index.lock`, ref locks) before it exits, where SIGKILL would leave them and
    every later git command would fail with "File exists". SIGKILL follows for whatever still runs
    after `_STOP_GRACE` seconds (git itself, or a hook that ignores SIGTERM). True when git itself
    had to be killed, so its lock files may be left behind.
    """
    forced = True
    if os.name == "posix":
        if gently:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(_STOP_GRACE)
                forced = False
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):  # already gone (the group, once git and its children exited)
            os.killpg(proc.pid, signal.SIGKILL)
    else:  # (Windows has no SIGTERM for a console-less process: terminate() is TerminateProcess)
        proc.kill()
    proc.wait()
    return forced and gently


def _stopped(what: str, forced: bool) -> str:
    if not forced:
        return what
    return (f"{what}; git had to be killed and may have left a lock file behind: if git now says a .lock file "
            "exists, make sure no git is running and delete that file")


def run_git(folder: str | Path, args: Sequence[str], *, timeout: float = LOCAL_TIMEOUT, cancelled: Cancelled | None = None,
            read_only: bool = False, remote: str | None = None, stdin: bytes | None = None,
            check: bool = True, extra_env: dict[str, str] | None = None, config: Sequence[str] = ()) -> Output:
    """Run `git -C FOLDER [-c CONFIG]... ARGS` without any prompt, within TIMEOUT seconds.

    REMOTE names the remote of a network call: its failures are told apart as authentication or
    reachability, and the call can be cancelled while it runs (a local call only between calls,
    so that git is never stopped halfway through changing the work tree). A call that is not
    READ_ONLY may be changing the repository: on timeout or cancel it is stopped gently (see
    `_kill`), so that git's lock files do not outlive it. CHECK raises the
    classified GitError for a non-zero exit; without it the caller reads `code`.
    """
    if cancelled is not None and cancelled():
        raise GitCancelled("cancelled", folder)
    env = _environment(read_only)
    if extra_env:
        env.update(extra_env)
    settings = [part for setting in config for part in ("-c", setting)]
    command = [_git_program(env, folder), "-C", os.fspath(folder), *settings, *args]
    poll = cancelled if remote is not None else None
    started = time.monotonic()
    with subprocess.Popen(command, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          start_new_session=True,  # no controlling terminal: ssh cannot ask on /dev/tty
                          creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)) as proc:
        while True:
            left = timeout - (time.monotonic() - started)
            try:
                out, err = proc.communicate(stdin, timeout=max(0.0, min(left, _POLL) if poll else left))
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - started >= timeout:
                    forced = _kill(proc, gently=not read_only)
                    raise GitTimeout(_stopped(f"`git {args[0]}` did not finish within {timeout:g} s and was stopped",
                                              forced), folder) from None
                if poll is not None and poll():
                    forced = _kill(proc, gently=not read_only)
                    raise GitCancelled(_stopped("cancelled", forced), folder) from None
    result = Output(proc.returncode, out, err.decode("utf-8", "replace"))
    if check and result.code != 0:
        raise classify(folder, args, result.err, remote)
    return result


def split_z(data: bytes) -> list[str]:
    """NUL-terminated fields of `-z` output as str (paths keep undecodable bytes, as os.fsdecode does)."""
    return [os.fsdecode(field) for field in data.split(b"\0") if field]


def _locate(folder: Path) -> tuple[Path, str] | None:
    """The work tree's top and FOLDER's place in it (`""` or `"site/"`), found as git does: the nearest `.git`
    above the folder's real path. Saves a `git rev-parse` on every status."""
    real = Path(os.path.realpath(folder))
    for top in (real, *real.parents):
        if os.path.lexists(top / ".git"):
            inside = real.relative_to(top).as_posix()
            return top, "" if inside == "." else inside + "/"
    return None


def _where(folder: Path, cancelled: Cancelled | None) -> tuple[Path, str]:
    found = _locate(folder)
    if found is not None:
        return found
    # A work tree without a `.git` above it (core.worktree set in a separate git dir): ask git.
    out = run_git(folder, ["rev-parse", "--show-toplevel", "--show-prefix"], cancelled=cancelled, read_only=True).out
    top, prefix = os.fsdecode(out).split("\n")[:2]
    return Path(top), prefix


@dataclass(slots=True, frozen=True)
class RepoState:
    """A git work tree's state as `git status` sees it. Paths are relative to `folder` (`../x` outside it)."""

    folder: Path
    top: Path  # the work tree's top folder
    prefix: str  # `folder` inside the work tree: "" or "site/"
    head: str | None  # None before the first commit
    branch: str | None  # None when detached
    upstream: str | None  # the remote-tracking branch, e.g. "origin/main"
    ahead: int
    behind: int
    modified: tuple[str, ...]
    added: tuple[str, ...]
    deleted: tuple[str, ...]
    untracked: tuple[str, ...]
    conflicted: tuple[str, ...]
    staged: tuple[str, ...]  # paths with changes in the index (any of the kinds above but untracked)

    @property
    def detached(self) -> bool:
        return self.branch is None

    @property
    def changed(self) -> frozenset[str]:
        """Every path with uncommitted work, of any kind."""
        return frozenset((*self.modified, *self.added, *self.deleted, *self.untracked, *self.conflicted))

    def relative(self, root_path: str) -> str:
        """A path relative to the work tree's top, made relative to `folder`."""
        if root_path.startswith(self.prefix):
            return root_path[len(self.prefix):]
        return posixpath.relpath(root_path, self.prefix)

    def from_folder(self, path: str | Path) -> str:
        """PATH (absolute, or relative to `folder`) relative to the work tree's top."""
        if os.path.isabs(path):
            real = Path(os.path.realpath(path))
            if not real.is_relative_to(self.top):
                raise GitFailed(f"{path} is outside the git work tree {self.top}", self.folder)
            return real.relative_to(self.top).as_posix()
        return posixpath.normpath(self.prefix + Path(path).as_posix())


def read_state(folder: str | Path, *, timeout: float = LOCAL_TIMEOUT, cancelled: Cancelled | None = None) -> RepoState:
    """FOLDER's git state in one `git status` call; GitUnavailable when it is not a work tree or git is missing.

    `--porcelain=v2` is git's format for programs: stable across versions and locales, and it
    carries the branch, upstream and ahead/behind counts (`--branch`) in the same call. `-z` gives
    paths verbatim (no quoting of spaces or non-ASCII names); `-uall` lists each untracked file
    rather than its new folder; `--no-renames` reports a rename as the delete and the add it is.
    """
    where = Path(folder)
    out = run_git(where, ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--no-renames"],
                  timeout=timeout, cancelled=cancelled, read_only=True).out
    top, prefix = _where(where, cancelled)
    head = branch = upstream = None
    ahead = behind = 0
    kinds: dict[str, list[str]] = {k: [] for k in ("M", "A", "D", "?", "u", "staged")}
    for entry in split_z(out):
        kind, _, rest = entry.partition(" ")
        if kind == "#":
            key, _, value = rest.partition(" ")
            if key == "branch.oid":
                head = None if value == "(initial)" else value
            elif key == "branch.head":
                branch = None if value == "(detached)" else value
            elif key == "branch.upstream":
                upstream = value
            elif key == "branch.ab":
                plus, minus = value.split(" ")
                ahead, behind = int(plus), -int(minus)
        elif kind == "1":
            xy, path = rest[:2], rest.split(" ", 7)[7]
            kinds["A" if xy[0] == "A" and xy[1] != "D" else "D" if "D" in xy else "M"].append(path)
            if xy[0] != ".":
                kinds["staged"].append(path)
        elif kind == "u":
            kinds["u"].append(rest.split(" ", 9)[9])
        elif kind == "?":
            kinds["?"].append(rest)
    state = RepoState(where, top, prefix, head, branch, upstream, ahead, behind, (), (), (), (), (), ())
    rel = [tuple(state.relative(p) for p in kinds[k]) for k in ("M", "A", "D", "?", "u", "staged")]
    return RepoState(where, top, prefix, head, branch, upstream, ahead, behind, *rel)


def repo_state(folder: str | Path, *, timeout: float = LOCAL_TIMEOUT, cancelled: Cancelled | None = None) -> RepoState | None:
    """FOLDER's git state, or None when it is not in a git work tree or git is not installed (read_state says which)."""
    try:
        return read_state(folder, timeout=timeout, cancelled=cancelled)
    except GitUnavailable:
        return None


def texts_at_head(folder: str | Path, paths: Iterable[str], *, cancelled: Cancelled | None = None) -> dict[str, str | None]:
    """The text of each of PATHS (relative to FOLDER) in the HEAD commit, None where HEAD has no such file; one call.

    Decoded by the import's rules (formats/textfile): a binary or non-UTF-8 file is an AnnotatorError naming it.
    """
    wanted = list(paths)
    if not wanted:
        return {}
    request = "".join(f"HEAD:./{Path(p).as_posix()}\n" for p in wanted).encode()
    blobs = read_batch(folder, request, len(wanted), cancelled)
    return {p: None if data is None else decode_text(data, Path(folder) / p) for p, data in zip(wanted, blobs, strict=True)}


def read_batch(folder: str | Path, request: bytes, count: int, cancelled: Cancelled | None) -> list[bytes | None]:
    """COUNT objects named one a line in REQUEST, through one `git cat-file --batch`; None for a missing one."""
    out = run_git(folder, ["cat-file", "--batch"], stdin=request, cancelled=cancelled, read_only=True).out
    found: list[bytes | None] = []
    at = 0
    for _ in range(count):
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        if header[-1] == b"missing":
            found.append(None)
            at = end + 1
            continue
        size = int(header[2])
        found.append(out[end + 1:end + 1 + size] if header[1] == b"blob" else None)  # (a folder's name gives a tree)
        at = end + 1 + size + 1  # the object is followed by a newline
    return found
