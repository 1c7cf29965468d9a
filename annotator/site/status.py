"""Which side changed each session of a linked site since the last sync, and the folder's git state.

Cheap when nothing changed: a file is read only when its size or mtime differs from the base's
fingerprint, and a session is rendered only when the library marked it edited since the base
(db/006's triggers). Both are hints: a file read or a session rendered is compared with the base
text itself, so a file saved unchanged, or an edit undone, is still in sync.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.textfile import read_text_file
from annotator.site.folders import SiteFolders, site_folders
from annotator.site.git import Cancelled, GitUnavailable, RepoState, read_state
from annotator.site.links import Base, Fingerprint, Link, bases, removed_posts, text_hash
from annotator.store.exporting import render_stored_session, target_path

IN_SYNC = "in sync"
APP = "changed in the app"
DISK = "changed on disk"
BOTH = "changed on both sides"
NEW_DISK = "new on disk"
DELETED_DISK = "deleted on disk"
NEW_APP = "new in the app"
DELETED_APP = "deleted in the app"  # its post is on the site as it was: sync leaves it (db/007)
STATES = (IN_SYNC, APP, DISK, BOTH, NEW_DISK, DELETED_DISK, NEW_APP, DELETED_APP)
Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class PostState:
    """One session (or one post the library does not have yet) and which side changed it."""

    state: str
    path: str  # relative to the site folder ("" for a session new in the app)
    session_id: int | None
    code: str
    base: Base | None = field(default=None, repr=False)
    disk: str | None = field(default=None, repr=False)  # the file's text, when it was read
    seen: Fingerprint | None = field(default=None, repr=False)  # the file's fingerprint before it was read
    app: str | None = field(default=None, repr=False)  # the library's export, when it was rendered
    merged: str | None = field(default=None, repr=False)  # the three-way merge, when both sides changed and it merged
    problem: str = ""  # why the file could not be read or the session not rendered (the sync reports it)

    def as_json(self) -> dict[str, object]:
        return {"session": self.code, "path": self.path, "state": self.state, "problem": self.problem}


@dataclass(slots=True, frozen=True)
class GitInfo:
    """The site folder's git state, as status reports it."""

    branch: str | None
    upstream: str | None
    ahead: int
    behind: int
    others: tuple[str, ...]  # posts with uncommitted changes that annotator did not write

    def as_json(self) -> dict[str, object]:
        return {"branch": self.branch, "upstream": self.upstream, "ahead": self.ahead, "behind": self.behind,
                "uncommitted_by_others": list(self.others)}


@dataclass(slots=True)
class SiteStatus:
    """Every session's state, and the git state (None with the reason in `git_skipped` when there is no git)."""

    link: Link
    folders: SiteFolders
    posts: list[PostState]
    git: GitInfo | None = None
    git_skipped: str = ""
    repo: RepoState | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, object]:
        return {"course": self.link.course, "folder": str(self.link.folder), "sessions": [p.as_json() for p in self.posts],
                "git": self.git.as_json() if self.git else None, "git_skipped": self.git_skipped}


def site_status(conn: sqlite3.Connection, link: Link, *, with_git: bool = True, progress: Progress | None = None,
                cancelled: Cancelled | None = None) -> SiteStatus:
    """The state of every session of LINK's course and of every post in its site folder."""
    folders = site_folders(link.folder)
    files = folders.posts()
    posts: list[PostState] = []
    known = bases(conn, link.course_id)
    for number, base in enumerate(known):
        if progress:
            progress(number, len(known), base.path)
        posts.append(_compare(conn, folders.root, base, base.path in files))
    had = {base.path for base in known}
    removed = removed_posts(conn, link.course_id)
    posts.extend(PostState(_new_or_removed(folders.root, path, removed), path, None, Path(path).stem)
                 for path in files if path not in had)
    posts.extend(PostState(NEW_APP, "", row[0], row[1]) for row in conn.execute(
        "SELECT id, code FROM sessions s WHERE course_id = ? AND NOT EXISTS (SELECT 1 FROM site_bases b WHERE b.id = s.id) "
        "ORDER BY code", (link.course_id,)))
    _own_new_posts(conn, folders, posts)
    status = SiteStatus(link, folders, posts)
    if with_git:
        _add_git(status, cancelled)
    return status


def _own_new_posts(conn: sqlite3.Connection, folders: SiteFolders, posts: list[PostState]) -> None:
    """A session new in the app whose post is already on the site, exactly as the app would write it (a sync
    wrote it, and was undone): that file is its post, not a new one to import as a second session."""
    new_on_disk = {post.path: post for post in posts if post.state == NEW_DISK}
    if not new_on_disk:
        return
    for post in [p for p in posts if p.state == NEW_APP and p.session_id is not None]:
        try:
            _, text, row = render_stored_session(conn, post.session_id)
            path = target_path(folders.root / folders.new_post_folder(), row).relative_to(folders.root).as_posix()
            seen = Fingerprint.of(folders.root / path)  # before the read, as everywhere: a later save then shows
            if path in new_on_disk and read_text_file(folders.root / path) == text:
                post.path, post.seen = path, seen
                posts.remove(new_on_disk.pop(path))
        except AnnotatorError:
            continue  # the sync reports what is wrong with it


def _new_or_removed(root: Path, path: str, removed: dict[str, str]) -> str:
    """NEW_DISK, or DELETED_APP for the post of a session deleted in the app that still reads as it did then."""
    if path not in removed:
        return NEW_DISK
    try:
        text = read_text_file(root / path)
    except AnnotatorError:
        return NEW_DISK  # the import will say what is wrong with it
    return DELETED_APP if text_hash(text) == removed[path] else NEW_DISK


def _compare(conn: sqlite3.Connection, root: Path, base: Base, exists: bool) -> PostState:
    post = PostState(IN_SYNC, base.path, base.session_id, base.code, base)
    on_disk = exists and disk_changed(root, post)
    in_app = app_changed(conn, post)
    if not exists:
        post.state = DELETED_DISK
    elif on_disk:
        post.state = BOTH if in_app else DISK
    elif in_app:
        post.state = APP
    return post


def disk_changed(root: Path, post: PostState) -> bool:
    """Whether the file differs from its base; it is read (into `post.disk`) only when its fingerprint moved."""
    assert post.base is not None
    seen = Fingerprint.of(os.path.join(root, post.path))
    if seen == post.base.fingerprint:
        return False
    post.seen = seen
    try:
        post.disk = read_text_file(root / post.path)
    except AnnotatorError as exc:  # (binary, empty, unreadable) the sync says so for this session alone
        post.problem = str(exc)
        return True
    return post.disk != post.base.text


def app_changed(conn: sqlite3.Connection, post: PostState) -> bool:
    """Whether the library's export differs from the base; rendered (into `post.app`) only when marked edited."""
    assert post.base is not None and post.session_id is not None
    if not post.base.app_edited:
        return False
    try:
        post.app = render_stored_session(conn, post.session_id)[1]
    except AnnotatorError as exc:  # the stored readings no longer fit the stored text
        post.problem = str(exc)
        return True
    return post.app != post.base.text


def _add_git(status: SiteStatus, cancelled: Cancelled | None) -> None:
    try:
        repo = read_state(status.link.folder, cancelled=cancelled)
    except GitUnavailable as exc:  # no git, or not a work tree: the folder alone is synced
        status.git_skipped = f"git steps skipped: {exc.reason}"
        return
    theirs = {p.path for p in status.posts if p.state in (DISK, BOTH, NEW_DISK, DELETED_DISK)
              or (p.base is not None and not p.base.written)}
    others = tuple(sorted(path for path in repo.changed if path in theirs))
    status.repo = repo
    status.git = GitInfo(repo.branch, repo.upstream, repo.ahead, repo.behind, others)
