"""The course site in the window (issue 15): link, unlink, open a site, the status badges and Sync with Site.

Everything runs on the operation runner. Linking, syncing and resolving are CollectionOps with
progress and Cancel (one undo step each); the status of every linked course is a `newest` query
on a read-only connection, so that git (which status asks for the branch and ahead/behind) never
runs on the GUI thread and a newer refresh replaces one still running. It is refreshed after
every change of the library and when a file in a site's post folders changes on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMainWindow

from annotator.errors import AnnotatorError
from annotator.formats.post_merge import ConflictKey, Resolution
from annotator.site.git import GitCancelled
from annotator.site.link import link_site
from annotator.site.links import Link, course_links, unlink
from annotator.site.status import (
    APP,
    BOTH,
    DELETED_APP,
    DELETED_DISK,
    DISK,
    IN_SYNC,
    NEW_APP,
    NEW_DISK,
    SiteStatus,
    site_status,
)
from annotator.site.sync import Outcome, SyncReport, resolve_each, sync_site
from annotator.store.import_writer import FileResult
from annotator.store.importing import ImportCancelled
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.store.queries import resolve_session
from annotator.store.read_connection import Connection
from annotator.ui.dialogs import import_summary, show_import_report
from annotator.ui.file_dialogs import choose_folder
from annotator.ui.operation_runner import Cancelled, OperationRunner, Task
from annotator.ui.plain_text import ask
from annotator.ui.session_list import SessionListPanel, SiteBadges
from annotator.ui.site_dialogs import ConflictDialog, SyncDialog, git_line
from annotator.ui.undo import Steps

DEBOUNCE_MS = 300  # an editor's save, a git checkout: one refresh for the burst

BADGES = {  # state -> the short text in the Site column (the sessions pane is narrow; the tooltip says it in full)
    IN_SYNC: "✓ synced",
    APP: "● here",
    DISK: "↓ disk",
    BOTH: "⚠ both",
    DELETED_DISK: "✗ deleted",
    NEW_APP: "+ new",
}


@dataclass(slots=True)
class CourseSite:
    """One linked course as the status query found it: its status, or why there is none."""

    link: Link
    status: SiteStatus | None = None
    error: str = ""
    watched: list[str] = field(default_factory=list)  # the post folders and their files


def _badges(site: CourseSite) -> SiteBadges:
    """The Site column's texts and the course row's line for SITE."""
    if site.status is None:
        return SiteBadges({}, "⚠ site unavailable", f"Site {site.link.folder}: {site.error}")
    status = site.status
    sessions = {}
    for post in status.posts:
        if post.session_id is not None:
            tip = f"{post.state}: {post.path or '(no post yet)'}" + (f"\n{post.problem}" if post.problem else "")
            sessions[post.session_id] = (BADGES.get(post.state, post.state), tip)
    git = status.git
    line = f"⎇ {git.branch or 'detached'} ↑{git.ahead} ↓{git.behind}" if git is not None and git.upstream else (
        f"⎇ {git.branch or 'detached'}" if git is not None else "")
    new = [post.path for post in status.posts if post.state == NEW_DISK]
    tip = f"Site {site.link.folder}\n{git_line(status)}".rstrip()
    if new:
        line += f" · {len(new)} new"
        tip += f"\nNew on disk (Sync with Site imports them): {', '.join(new)}"
    left = [post.path for post in status.posts if post.state == DELETED_APP]
    if left:
        tip += f"\nDeleted here, still on the site (delete the file there, or import it again): {', '.join(left)}"
    return SiteBadges(sessions, line.strip(), tip)


def _all_status(conn: Connection, task: Task) -> list[CourseSite]:
    """Every linked course's status (worker thread); a course whose folder is gone says why, the others still show."""
    sites = []
    for link in course_links(conn):
        site = CourseSite(link)
        try:
            site.status = site_status(conn, link, cancelled=task.cancelled)
            root = site.status.folders.root
            site.watched = [str(root / folder) for folder in site.status.folders.folders if (root / folder).is_dir()]
            site.watched += list(site.status.folders.posts().values())
        except GitCancelled:
            raise Cancelled() from None
        except AnnotatorError as exc:
            site.error = str(exc)
        sites.append(site)
    return sites


class SiteWatch(QObject):
    """The Site column: every linked course's status, refreshed (debounced) on library changes and file changes.

    `updated()` after the badges were shown.
    """

    updated = Signal()

    def __init__(self, runner: OperationRunner, panel: SessionListPanel, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = runner
        self._panel = panel
        self.sites: dict[int, CourseSite] = {}  # by course id, as last shown
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_now)
        self.files = QFileSystemWatcher(self)
        self.files.directoryChanged.connect(lambda _path: self.schedule())
        self.files.fileChanged.connect(self._file_changed)

    def schedule(self) -> None:
        """Refresh soon (a burst of calls is one refresh)."""
        self._timer.start()

    def refresh_now(self) -> None:
        self._timer.stop()
        self._runner.query_op(None, _all_status, self._show).newest("site status") \
            .failure(lambda exc: self._runner.message.emit(f"Site status: {exc}")).run_in_background()

    def _file_changed(self, path: str) -> None:
        # An editor's atomic save replaces the file: the watcher drops it, so it is added again.
        if path not in self.files.files() and Path(path).exists():
            self.files.addPath(path)
        self.schedule()

    def _show(self, sites: list[CourseSite]) -> None:
        self.sites = {site.link.course_id: site for site in sites}
        self._panel.show_site_badges({site.link.course_id: _badges(site) for site in sites})
        wanted = {path for site in sites for path in site.watched}
        watched = set(self.files.files()) | set(self.files.directories())
        if watched - wanted:
            self.files.removePaths(sorted(watched - wanted))
        if wanted - watched:
            self.files.addPaths(sorted(wanted - watched))
        self.updated.emit()


def _cancellable(work: Any) -> Any:
    """WORK() with the engine's own cancellations turned into the runner's Cancelled (nothing changed)."""
    try:
        return work()
    except (ImportCancelled, GitCancelled):
        raise Cancelled() from None


def _steps(label: str, report: SyncReport) -> Steps | None:
    return Steps(label, report.changes) if report.changes else None


class SiteActions(QObject):
    """Course ▸ Link to Site Folder…, Unlink from Site, Sync with Site…, and File ▸ Open Course Site….

    `session_linked(session_id)`: a session to show after a link.
    """

    session_linked = Signal(int)

    def __init__(self, window: QMainWindow, runner: OperationRunner, panel: SessionListPanel, settings: QSettings):
        super().__init__(window)
        self._window, self._runner, self._panel, self._settings = window, runner, panel, settings
        self.watch = SiteWatch(runner, panel, self)
        self.dialog: SyncDialog | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self.link_action = self._action("&Link to Site Folder…", self.link_to_site,
                                        "Import every post of a Jekyll site folder into this course and remember the folder")
        self.unlink_action = self._action("&Unlink from Site", self.unlink,
                                          "Forget this course's site folder (its sessions stay)")
        self.sync_action = self._action("S&ync with Site…", self.sync,
                                        "Preview every file's change, then sync the course with its site (pull, commit, push)")
        self.open_site_action = self._action("Open Course Si&te…", self.open_site,
                                             "Make a course from a Jekyll site folder: link it and import its posts")
        runner.changed.connect(lambda _changes: self.watch.schedule())

    def _action(self, text: str, slot: Any, tip: str) -> QAction:
        action = QAction(text, self._window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 15000)

    def linked(self, course_id: int | None) -> Link | None:
        """The link of COURSE_ID, as the last status showed it."""
        site = self.watch.sites.get(course_id) if course_id is not None else None
        return site.link if site is not None else None

    def update_actions(self) -> None:
        linked = self.linked(self._panel.current_course()[0]) is not None
        self.unlink_action.setEnabled(linked)
        self.sync_action.setEnabled(linked or len(self.watch.sites) == 1)

    # --- link, open, unlink --------------------------------------------------------------------

    def _folder(self, title: str) -> str:
        start = str(self._settings.value("site/lastFolder", str(Path.home())))
        folder = choose_folder(self._window, title, start)
        if folder:
            self._settings.setValue("site/lastFolder", str(Path(folder).parent))
        return folder

    def link_to_site(self) -> None:
        """Course ▸ Link to Site Folder…: the selected course (or one the user names) and a folder."""
        course = self._panel.current_course()[1]
        if not course:
            names = self._panel.model.course_names()
            course, ok = QInputDialog.getItem(self._window, "Link to site folder", "Course:", names, 0, True)
            course = course.strip()
            if not ok or not course:
                return
        folder = self._folder(f"The site folder of {course} (it has _config.yml)")
        if folder:
            self.link(course, folder)

    def open_site(self) -> None:
        """File ▸ Open Course Site…: a course named after the folder, linked and imported in one step."""
        folder = self._folder("Open a course site (a Jekyll folder with _config.yml)")
        if folder:
            self.link(Path(folder).name, folder)

    def link(self, course: str, folder: str) -> None:
        def op(lib: Library, task: Task) -> tuple[Changes | None, list[FileResult]]:
            return _cancellable(lambda: link_site(lib, course, folder, progress=task.report, cancelled=task.cancelled))

        self._runner.collection_op(self._window, op, title="Link to site") \
            .with_progress(f"Linking {course} to its site…").success(self._linked).run_in_background()

    def _linked(self, results: list[FileResult]) -> None:
        self._status(import_summary(results))
        first = next((r.session_id for r in results if r.session_id is not None), None)
        if first is not None:
            self.session_linked.emit(first)
        show_import_report(self._window, results)
        self.watch.refresh_now()

    def unlink(self) -> None:
        link = self.linked(self._panel.current_course()[0])
        if link is None:
            return
        if ask(self._window, "Unlink from site", f"Forget that {link.course} is linked to {link.folder}?\n\n"
               "Its sessions stay in the library, and the folder is not touched."):
            self._runner.collection_op(self._window, lambda lib, _task: unlink(lib, link.course), title="Unlink") \
                .run_in_background()

    # --- sync ----------------------------------------------------------------------------------

    def _sync_course(self) -> Link | None:
        link = self.linked(self._panel.current_course()[0])
        if link is None and len(self.watch.sites) == 1:
            link = next(iter(self.watch.sites.values())).link
        return link

    def sync(self) -> None:
        """Course ▸ Sync with Site…: a dry run first, shown in the preview; nothing is written before Sync."""
        link = self._sync_course()
        if link is not None:
            self.preview(link)

    def preview(self, link: Link) -> None:
        def op(lib: Library, task: Task) -> tuple[None, SyncReport]:
            return None, _cancellable(lambda: sync_site(lib, link.course, dry_run=True, progress=task.report,
                                                        cancelled=task.cancelled))

        self._runner.collection_op(self._window, op, title="Sync with site") \
            .with_progress("Comparing the library with the site…") \
            .success(lambda report: self._show_preview(link, report)).run_in_background()

    def _show_preview(self, link: Link, report: SyncReport) -> None:
        site = self.watch.sites.get(link.course_id)
        status = site.status if site is not None else None
        if self.dialog is not None:
            self.dialog.show_preview(report, status)
            return
        self.dialog = SyncDialog(report, status, self._settings, self._window)
        self.dialog.sync_requested.connect(lambda pull, commit, push: self._run_sync(link, pull, commit, push))
        self.dialog.resolve_requested.connect(lambda outcome: self._resolve(link, outcome))
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def _run_sync(self, link: Link, pull: bool, commit: bool, push: bool) -> None:
        def op(lib: Library, task: Task) -> tuple[Steps | None, SyncReport]:
            report = _cancellable(lambda: sync_site(lib, link.course, pull=pull, commit=commit, push=push,
                                                    progress=task.report, cancelled=task.cancelled))
            return _steps(f"Sync {link.course} with its site", report), report

        def failed() -> None:  # (the runner said why in one message; the preview shows what is there now)
            if self.dialog is not None and not self.dialog.result.isVisible():
                self.preview(link)

        self._runner.collection_op(self._window, op, title="Sync with site").with_progress("Syncing with the site…") \
            .success(self._synced).after(failed).run_in_background()

    def _synced(self, report: SyncReport) -> None:
        if self.dialog is not None:
            self.dialog.show_result(report)
        conflicts = len(report.conflicts)
        self._status(f"Synced {report.course}: {len(report.outcomes)} sessions changed; "
                     f"{conflicts} conflict{'s' if conflicts != 1 else ''} left")
        self.watch.refresh_now()

    def _resolve(self, link: Link, outcome: Outcome) -> None:
        dialog = self.conflict_dialog = ConflictDialog(outcome, self.dialog or self._window)
        dialog.accepted.connect(lambda: self._run_resolve(link, outcome.code, dialog.resolutions()))
        dialog.finished.connect(self._conflict_dialog_closed)
        dialog.open()

    def _conflict_dialog_closed(self) -> None:
        if self.conflict_dialog is not None:
            self.conflict_dialog.deleteLater()
            self.conflict_dialog = None

    def _run_resolve(self, link: Link, code: str, resolutions: dict[ConflictKey, Resolution]) -> None:
        def op(lib: Library, _task: Task) -> tuple[Steps | None, SyncReport]:
            report = resolve_each(lib, resolve_session(lib.conn, f"{link.course}/{code}"), resolutions)
            return _steps(f"Resolve {code}", report), report

        self._runner.collection_op(self._window, op, title="Resolve conflicts") \
            .success(lambda _report: self._resolved(link, code)).run_in_background()

    def _resolved(self, link: Link, code: str) -> None:
        self._status(f"Resolved {code}")
        self.watch.refresh_now()
        if self.dialog is not None:
            self.preview(link)
