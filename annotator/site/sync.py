"""Sync a linked course with its site folder: pull, sync each session's file, commit, push (issue 15).

Each session goes by its state (site/status): changed on disk or new on disk, re-imported in
place (annotations kept); changed in the app or new in the app, exported with the minimal diff;
changed on both sides, merged three ways (formats/post_merge: base = the sync base, ours = the
library's export, theirs = the file); deleted on disk, reported and kept in the library. A
session whose merge has a conflict is not written; the others still sync. Every library change
of one sync (the imports and the new bases) is one operation: undoing it puts the library and its
bases back as they were, and leaves the files, which status then shows as changed on disk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.post_merge import Conflict, ConflictKey, MergeResult, Resolution, merge_posts, select_conflicts
from annotator.formats.textfile import read_text_file
from annotator.site import git_sync
from annotator.site.commit_message import commit_message
from annotator.site.git import Cancelled, texts_at_head
from annotator.site.git_sync import Brought, Pushed, bring_upstream, commit_paths, fetch
from annotator.site.links import Fingerprint, Link, linked_course, set_base, set_imported_base
from annotator.site.status import (
    APP,
    BOTH,
    DELETED_APP,
    DELETED_DISK,
    DISK,
    IN_SYNC,
    NEW_APP,
    NEW_DISK,
    PostState,
    Progress,
    SiteStatus,
    site_status,
)
from annotator.store.exporting import atomic_write, render_stored_session, target_path, unified_diff
from annotator.store.import_writer import FileResult
from annotator.store.importing import import_paths
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.queries import resolve_session
from annotator.store.sharing import is_library_file

IMPORTED, EXPORTED, MERGED, CONFLICT, KEPT, FAILED = "imported", "exported", "merged", "conflict", "kept", "failed"
LEFT = "left on the site"  # a post whose session was deleted in the app: delete the file, or import it again
SKIPPED = "skipped (a paper list, not a session)"
Resolutions = Mapping[int, Mapping[ConflictKey, Resolution]]  # by session id


@dataclass(slots=True)
class Outcome:
    """What the sync did (or, in a dry run, would do) with one session."""

    code: str
    path: str
    state: str
    action: str  # IMPORTED, EXPORTED, MERGED, CONFLICT, KEPT (deleted on disk), LEFT (deleted in the app), SKIPPED or FAILED
    conflicts: list[Conflict] = field(default_factory=list)
    error: str = ""
    diff: str = ""  # in a dry run: the file's change (exported, merged) or the site's change (imported)

    def as_json(self) -> dict[str, object]:
        return {"session": self.code, "path": self.path, "state": self.state, "action": self.action,
                "error": self.error, "conflicts": [_conflict_json(c) for c in self.conflicts], "diff": self.diff}


@dataclass(slots=True)
class SyncReport:
    """Everything one sync did: each session's outcome and each git step's result."""

    course: str
    folder: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    git_skipped: str = ""
    pulled: Brought | None = None
    commit: str | None = None
    message: str = ""
    pushed: Pushed | None = None
    changes: list[Changes] = field(default_factory=list)
    left_to_commit: list[str] = field(default_factory=list)  # changed posts holding the user's own edits too

    @property
    def conflicts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == CONFLICT]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == FAILED]

    def as_json(self) -> dict[str, object]:
        return {"course": self.course, "folder": self.folder, "dry_run": self.dry_run,
                "sessions": [o.as_json() for o in self.outcomes], "git_skipped": self.git_skipped,
                "pulled": list(self.pulled.paths) if self.pulled else None, "commit": self.commit,
                "message": self.message, "pushed": self.pushed.pushed if self.pushed else None,
                "compare_url": self.pushed.compare_url if self.pushed else None, "left_to_commit": self.left_to_commit}


def _conflict_json(conflict: Conflict) -> dict[str, object]:
    return {"key": [conflict.key.kind, conflict.key.name, conflict.key.field], "what": conflict.what,
            "base": conflict.base, "mine": conflict.mine, "theirs": conflict.theirs, "reading": conflict.reading}


def sync_site(lib: Library, course: str | None = None, *, pull: bool = False, commit: bool = False,
              push: bool = False, dry_run: bool = False, progress: Progress | None = None,
              cancelled: Cancelled | None = None) -> SyncReport:
    """Sync COURSE (or the only linked course) with its site folder; see the module's docstring.

    A failing git step raises its GitError: the steps before it are kept (each left the library,
    the files and git consistent), nothing of the failing one is.
    """
    link = linked_course(lib.conn, course)
    report = SyncReport(link.course, str(link.folder), dry_run)
    status = site_status(lib.conn, link, progress=progress, cancelled=cancelled)
    report.git_skipped = status.git_skipped
    use_git = status.repo is not None and not dry_run
    if pull and use_git:
        fetch(link.folder, cancelled=cancelled)
        report.pulled = bring_upstream(link.folder, _resolver, cancelled=cancelled)
        if report.pulled.paths:
            status = site_status(lib.conn, link, progress=progress, cancelled=cancelled)
    _sync_files(lib, status, report, {}, progress, cancelled)
    if commit and use_git:
        _commit(lib, link, report, cancelled)
    if push and use_git:
        report.pushed = git_sync.push(link.folder, lambda: _merge_again(lib, link, report, progress, cancelled),
                                      cancelled=cancelled)
    return report


def _merge_again(lib: Library, link: Link, report: SyncReport, progress: Progress | None,
                 cancelled: Cancelled | None) -> None:
    """The remote moved while we pushed: bring it in and re-import what it changed."""
    report.pulled = bring_upstream(link.folder, _resolver, cancelled=cancelled)
    _sync_files(lib, site_status(lib.conn, link, cancelled=cancelled), report, {}, progress, cancelled)


def _resolver(path: str, base: str | None, ours: str | None, theirs: str | None) -> str | None:
    """git's merge of a post both branches changed, by the post merge; None (git aborts) on a conflict."""
    if base is None or ours is None or theirs is None:
        return None
    try:
        return merge_posts(base, ours, theirs, path).text
    except AnnotatorError:
        return None


def _commit(lib: Library, link: Link, report: SyncReport, cancelled: Cancelled | None) -> None:
    """Commit the posts annotator wrote (their text is their base) that git sees changed, and nothing else."""
    status = site_status(lib.conn, link, cancelled=cancelled)
    assert status.repo is not None
    changed = status.repo.changed
    ours = [post for post in status.posts
            if post.state == IN_SYNC and post.base is not None and post.base.written and post.path in changed]
    report.left_to_commit = [post.path for post in status.posts if post.path in changed and post not in ours]
    if not ours:
        return
    before = texts_at_head(link.folder, [post.path for post in ours], cancelled=cancelled)
    report.message = commit_message([(post.code, before[post.path], post.base.text) for post in ours if post.base])
    report.commit = commit_paths(link.folder, [post.path for post in ours], report.message, cancelled=cancelled)


@dataclass(slots=True)
class _Plan:
    """The files one sync step imports (with their fingerprints before they were read) and the sessions it exports."""

    # (post, its fingerprint, IMPORTED or MERGED, whether annotator wrote all of it: a merge into a file with
    # uncommitted edits holds the user's work too, and a sync's commit leaves it to the user)
    imports: list[tuple[PostState, Fingerprint, str, bool]] = field(default_factory=list)
    exports: list[PostState] = field(default_factory=list)


def _sync_files(lib: Library, status: SiteStatus, report: SyncReport, resolutions: Resolutions,
                progress: Progress | None, cancelled: Cancelled | None) -> None:
    """Bring the library and the folder together, session by session, as one operation."""
    root = status.folders.root
    plan = _Plan()
    incoming = {post.code for post in status.posts if post.state == NEW_DISK}
    for post in status.posts:
        if post.problem and post.state in (BOTH, APP):  # (changed on disk alone: the import says what is wrong)
            report.outcomes.append(Outcome(post.code, post.path, post.state, FAILED, error=post.problem))
        elif post.state in (DISK, NEW_DISK):
            plan.imports.append((post, post.seen or Fingerprint.of(root / post.path), IMPORTED, False))
        elif post.state == APP or (post.state == NEW_APP and post.code not in incoming):
            plan.exports.append(post)  # (a session new in the app whose post is new on disk is imported into)
        elif post.state == BOTH:
            _merge(status, post, resolutions.get(post.session_id or 0, {}), plan, report)
        elif post.state == DELETED_DISK:  # never dropped from the library by a sync
            report.outcomes.append(Outcome(post.code, post.path, post.state, KEPT))
        elif post.state == DELETED_APP:  # never brought back, nor deleted from the site, by a sync
            report.outcomes.append(Outcome(post.code, post.path, post.state, LEFT))
    if report.dry_run:
        report.outcomes.extend(_preview(lib, status, post, action) for post, _, action, _ in plan.imports)
        report.outcomes.extend(_preview(lib, status, post, EXPORTED) for post in plan.exports)
        return
    if not (plan.imports or plan.exports):
        return

    def record(conn: sqlite3.Connection, changes: Changes, results: list[FileResult]) -> None:
        for (post, seen, action, written), result in zip(plan.imports, results, strict=True):
            if result.error:
                report.outcomes.append(Outcome(post.code, post.path, post.state, FAILED, error=result.error))
                continue
            if result.session_id is None:  # a paper list in a post folder: imported as a list, not synced
                report.outcomes.append(Outcome(post.code, post.path, post.state, SKIPPED))
                continue
            set_imported_base(conn, result.session_id, post.path, seen, written)
            changes.sessions.add(result.session_id)
            report.outcomes.append(Outcome(post.code, post.path, post.state, action))
        for post in plan.exports:
            users = status.repo is not None and post.path in status.repo.changed and not (post.base and post.base.written)
            _export(conn, root, post, status.folders.new_post_folder(), changes, report, holds_user_edits=users)

    _, changes = import_paths(lib, [root / post.path for post, *_ in plan.imports], status.link.course, one_step=True,
                              progress=progress, cancelled=cancelled, label=f"Sync {status.link.course} with its site",
                              also=record)
    if changes is not None:
        report.changes.append(changes)


def _preview(lib: Library, status: SiteStatus, post: PostState, action: str) -> Outcome:
    """What a dry run reports for a session it would import, merge or export, with the diff it would make."""
    outcome = Outcome(post.code, post.path, post.state, action)
    root = status.folders.root
    base = post.base.text if post.base else ""
    try:
        if action == IMPORTED:
            outcome.diff = unified_diff(base, post.disk if post.disk is not None else _new_text(lib, root / post.path),
                                        post.path)
        elif action == MERGED:
            outcome.diff = unified_diff(post.disk or "", post.merged or "", post.path)
        elif post.session_id is not None:
            _, text, row = render_stored_session(lib.conn, post.session_id)
            new_folder = root / status.folders.new_post_folder()
            outcome.path = outcome.path or target_path(new_folder, row).relative_to(root).as_posix()
            outcome.diff = unified_diff(base, text, outcome.path)
    except AnnotatorError as exc:  # what the sync itself would report for this session
        outcome.action, outcome.error = FAILED, str(exc)
    return outcome


def _new_text(lib: Library, path: Path) -> str:
    """A new post's text; never the library's own file, which only SQLite may open (store/sharing.py)."""
    if is_library_file(path, lib.path):
        raise AnnotatorError("this is the library itself (or one of its journal files); it cannot be imported", path)
    return read_text_file(path)


def _merge(status: SiteStatus, post: PostState, resolutions: Mapping[ConflictKey, Resolution], plan: _Plan,
           report: SyncReport) -> MergeResult:
    """Merge a session changed on both sides; the merged post is written now and imported with the others."""
    assert post.base is not None and post.disk is not None and post.app is not None
    root = status.folders.root
    try:
        result = merge_posts(post.base.text, post.app, post.disk, str(root / post.path), resolutions)
    except AnnotatorError as exc:  # a side's front matter does not parse: this session waits, the others sync
        report.outcomes.append(Outcome(post.code, post.path, post.state, FAILED, error=str(exc)))
        return MergeResult(None)
    if result.text is None:
        report.outcomes.append(Outcome(post.code, post.path, post.state, CONFLICT, result.unresolved))
        return result
    post.merged = result.text
    if not report.dry_run and not _as_status_saw(root, post):
        report.outcomes.append(Outcome(post.code, post.path, post.state, FAILED,
                                       error=_SAVED_MEANWHILE.format(root / post.path)))
        return MergeResult(None)
    if not report.dry_run:
        atomic_write(root / post.path, result.text.encode("utf-8"))
    uncommitted = status.repo is not None and post.path in status.repo.changed
    plan.imports.append((post, Fingerprint.of(root / post.path), MERGED, not uncommitted))
    return result


_SAVED_MEANWHILE = "{}: the file changed while syncing (saved in an editor?); not overwritten: sync again"


def _as_status_saw(root: Path, post: PostState) -> bool:
    """Whether POST's file is as status found it; else someone saved it since, and writing would lose that."""
    expected = post.seen or (post.base.fingerprint if post.base is not None else None)
    return expected is None or Fingerprint.of(root / post.path) == expected


def _export(conn: sqlite3.Connection, root: Path, post: PostState, new_folder: str, changes: Changes, report: SyncReport,
            *, holds_user_edits: bool) -> None:
    """Write a session's export over its post (or as a new post) and make it the base.

    HOLDS_USER_EDITS: the post has uncommitted changes annotator did not write (a draft of the
    user's, imported); the export keeps them, so the base is not marked written and `--commit`
    leaves the file to the user.
    """
    assert post.session_id is not None
    try:
        _, text, row = render_stored_session(conn, post.session_id)
    except AnnotatorError as exc:  # (its stored readings no longer fit its stored text) this session alone fails
        report.outcomes.append(Outcome(post.code, post.path, post.state, FAILED, error=str(exc)))
        return
    path = post.path or target_path(root / new_folder, row).relative_to(root).as_posix()
    if not post.path and (root / path).exists():
        report.outcomes.append(Outcome(post.code, path, post.state, FAILED,
                                       error=f"{root / path}: a post of that name is already there; not overwritten"))
        return
    if post.path and not _as_status_saw(root, post):
        report.outcomes.append(Outcome(post.code, path, post.state, FAILED, error=_SAVED_MEANWHILE.format(root / path)))
        return
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(root / path, text.encode("utf-8"))
    set_base(conn, post.session_id, path, text, Fingerprint.of(root / path), written=not holds_user_edits)
    changes.sessions.add(post.session_id)
    report.outcomes.append(Outcome(post.code, path, post.state, EXPORTED))


def resolve(lib: Library, session: str, choice: str, reading: str | None = None, key: str | None = None,
            course: str | None = None) -> SyncReport:
    """Resolve the conflicts of SESSION (those --reading / --key select, else all) with CHOICE (mine or theirs),
    then write its merged post and take it into the library; the merge is recomputed, nothing is remembered between."""
    session_id = resolve_session(lib.conn, session if course is None else f"{course}/{session}")

    def choose(found: list[Conflict]) -> Mapping[ConflictKey, Resolution]:
        chosen = select_conflicts(found, reading, key)
        if found and not chosen:
            raise AnnotatorError(f"no conflict of session {session} matches {_which(reading, key)}")
        return {c.key: Resolution(choice) for c in chosen}

    return _resolve(lib, session_id, session, choose)


def resolve_each(lib: Library, session_id: int, resolutions: Mapping[ConflictKey, Resolution]) -> SyncReport:
    """Resolve SESSION_ID's conflicts one by one as RESOLUTIONS says (the window's conflict dialog, where each
    conflict gets its own choice), then write its merged post as `resolve` does."""
    return _resolve(lib, session_id, str(session_id), lambda _found: resolutions)


def _resolve(lib: Library, session_id: int, session: str,
             choose: Callable[[list[Conflict]], Mapping[ConflictKey, Resolution]]) -> SyncReport:
    link = _link_of(lib, session_id)
    status = site_status(lib.conn, link)
    post = next((p for p in status.posts if p.session_id == session_id), None)
    if post is None or post.state != BOTH:
        raise AnnotatorError(f"session {post.code if post else session} has nothing to resolve "
                             f"(it is {post.state if post else 'not linked'})")
    probe = SyncReport(link.course, str(link.folder), dry_run=True)
    chosen = choose(_merge(status, post, {}, _Plan(), probe).conflicts)
    report = SyncReport(link.course, str(link.folder))  # (no conflict left meanwhile: the merge is simply written)
    _sync_files(lib, _only(status, post), report, {session_id: chosen}, None, None)
    return report


def _which(reading: str | None, key: str | None) -> str:
    return " and ".join(part for part in (f"reading {reading!r}" if reading else "", f"key {key!r}" if key else "") if part)


def _link_of(lib: Library, session_id: int) -> Link:
    row = lib.conn.execute("SELECT c.name FROM sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = ?",
                           (session_id,)).fetchone()
    return linked_course(lib.conn, row[0])


def _only(status: SiteStatus, post: PostState) -> SiteStatus:
    return SiteStatus(status.link, status.folders, [post], status.git, status.git_skipped, status.repo)
