"""The dialogs of Course ▸ Sync with Site…: the preview with each file's diff, the result, and a session's conflicts.

They only show what the site engine (annotator/site) reported and say what the user chose; the
work itself runs on the operation runner (ui/site_sync.SiteActions). Everything that comes from
the library or the site (codes, paths, values, git messages) is shown as plain text; the one link,
the pull-request page, comes from the clone's git config and opens with QDesktopServices.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.formats.post_merge import EDITED, MINE, REMOVED, THEIRS, Conflict, ConflictKey, Resolution
from annotator.site.status import SiteStatus
from annotator.site.sync import CONFLICT, FAILED, Outcome, SyncReport
from annotator.ui.dialogs import DiffView
from annotator.ui.plain_text import escape, plain_label, set_plain, tooltip

GIT_STEPS = ("pull", "commit", "push")
_STEP_TIPS = {
    "pull": "First fetch and bring in the upstream (only when that cannot overwrite uncommitted work)",
    "commit": "Commit the posts annotator wrote, with your git identity",
    "push": "Push to the branch's upstream (and show the page for a pull request)",
}


def git_line(status: SiteStatus | None) -> str:
    """'branch main, 1 ahead and 0 behind origin/main' (or why there is no git)."""
    if status is None:
        return ""
    git = status.git
    if git is None:
        return status.git_skipped
    where = f"branch {git.branch or '(detached)'}"
    where += f", {git.ahead} ahead and {git.behind} behind {git.upstream}" if git.upstream else ", no upstream"
    if git.others:
        where += f"; {len(git.others)} posts with uncommitted changes annotator did not make"
    return where


def _value(value: str | None) -> str:
    if value is None:
        return "(not there)"
    return value or "(empty)"


class SyncDialog(QDialog):
    """Every post the sync would change, its state and action, the diff of each file; Pull / Commit / Push; Sync.

    `sync_requested(pull, commit, push)` when Sync is pressed; `resolve_requested(Outcome)` for a conflicted
    session. After the sync, `show_result` lists what was done instead of what would be.
    """

    sync_requested = Signal(bool, bool, bool)
    resolve_requested = Signal(object)

    def __init__(self, report: SyncReport, status: SiteStatus | None, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Sync {report.course} with its site")
        self.resize(980, 600)
        self._settings = settings
        self.heading = plain_label()
        self.heading.setWordWrap(True)
        self.outcomes: list[Outcome] = []
        self.files = QTreeWidget()
        self.files.setHeaderLabels(["Session", "State", "Action", "File"])
        self.files.setRootIsDecorated(False)
        self.files.setUniformRowHeights(True)
        self.files.setColumnWidth(0, 80)
        self.files.setColumnWidth(1, 150)
        self.files.setColumnWidth(2, 76)
        self.files.currentItemChanged.connect(self._show_diff)
        self.files.itemActivated.connect(self._activated)
        self.diff_view = DiffView()
        splitter = QSplitter()
        splitter.addWidget(self.files)
        splitter.addWidget(self.diff_view)
        splitter.setSizes([430, 550])
        self.steps: dict[str, QCheckBox] = {}
        options = QHBoxLayout()
        for step in GIT_STEPS:
            box = QCheckBox(step.capitalize())
            box.setToolTip(_STEP_TIPS[step])
            box.setChecked(str(settings.value(f"site/{step}", "false")) == "true")
            box.toggled.connect(lambda on, step=step: self._settings.setValue(f"site/{step}", "true" if on else "false"))
            options.addWidget(box)
            self.steps[step] = box
        options.addStretch(1)
        self.result = QLabel()  # rich text: every library or git text in it is escaped (see show_result)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.result.setOpenExternalLinks(False)
        self.result.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.result.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.resolve_button = buttons.addButton("&Resolve Conflicts…", QDialogButtonBox.ButtonRole.ActionRole)
        self.resolve_button.setToolTip("Choose, for each conflict of the selected session, the library's or the site's value")
        self.resolve_button.clicked.connect(self._resolve)
        self.sync_button = buttons.addButton("&Sync", QDialogButtonBox.ButtonRole.ActionRole)
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self._sync)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(splitter, 1)
        layout.addLayout(options)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        git = status is not None and status.git is not None
        for box in self.steps.values():
            box.setEnabled(git)
        self.show_preview(report, status)

    def chosen_steps(self) -> tuple[bool, bool, bool]:
        pull, commit, push = (self.steps[s].isEnabled() and self.steps[s].isChecked() for s in GIT_STEPS)
        return pull, commit, push

    def show_preview(self, report: SyncReport, status: SiteStatus | None) -> None:
        """What a sync would do (REPORT is a dry run)."""
        in_sync = len(status.posts) - len(report.outcomes) if status is not None else 0
        lines = [f"{report.course}: {report.folder}", git_line(status)]
        lines.append(f"{len(report.outcomes)} sessions to sync, {max(in_sync, 0)} in sync. Nothing is written until you "
                     "press Sync." if report.outcomes else "Nothing to sync: every session is in sync.")
        set_plain(self.heading, "\n".join(line for line in lines if line))
        self.result.hide()
        self._fill(report.outcomes, "Would be")
        self.sync_button.setEnabled(True)  # (a pull may bring changes even when the files are in sync)

    def show_result(self, report: SyncReport) -> None:
        """What the sync did: each session's outcome, conflicts and errors in one line each, the commit, the push."""
        set_plain(self.heading, f"{report.course}: {report.folder}\nSynced.")
        self._fill(report.outcomes, "Done")
        lines = []
        if report.pulled is not None:
            lines.append(f"Pulled: {len(report.pulled.paths)} files changed upstream.")
        done = [o for o in report.outcomes if o.action not in (CONFLICT, FAILED)]
        lines.append(f"{len(done)} sessions synced." if report.outcomes else "Every session was already in sync.")
        lines += [f"Conflict: {o.code} (changed on both sides): resolve it with Resolve Conflicts…" for o in report.conflicts]
        lines += [f"Failed: {o.code}: {o.error}" for o in report.failed]
        if report.commit:
            lines.append(f"Committed {report.commit[:10]}: {report.message.splitlines()[0] if report.message else ''}")
        html = "<br>".join(escape(line) for line in lines)
        if report.pushed is not None:
            html += "<br>" + ("Pushed." if report.pushed.pushed else "The remote already had every commit.")
            url = report.pushed.compare_url
            if url:
                html += f" Open a pull request: <a href=\"{escape(url)}\">{escape(url)}</a>"
        self.result.setText(html)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.show()

    def _fill(self, outcomes: list[Outcome], action: str) -> None:
        """List OUTCOMES; ACTION heads their action's column ("Would be" in the preview, "Done" after the sync)."""
        self.outcomes = list(outcomes)
        self.files.clear()
        self.files.headerItem().setText(2, action)
        for outcome in outcomes:
            item = QTreeWidgetItem([outcome.code, outcome.state, outcome.action, outcome.path])
            tip = outcome.error or outcome.path
            for column in range(4):
                item.setToolTip(column, tooltip(tip))
            self.files.addTopLevelItem(item)
        if outcomes:
            self.files.setCurrentItem(self.files.topLevelItem(0))
        else:
            self.diff_view.clear()
        self.resolve_button.setEnabled(any(o.conflicts for o in outcomes))

    def _current(self) -> Outcome | None:
        row = self.files.indexOfTopLevelItem(self.files.currentItem()) if self.files.currentItem() else -1
        return self.outcomes[row] if 0 <= row < len(self.outcomes) else None

    def _show_diff(self) -> None:
        outcome = self._current()
        if outcome is None:
            self.diff_view.clear()
            return
        if outcome.conflicts:
            text = f"{outcome.path}: changed on both sides, and these changes conflict.\nPress Resolve Conflicts… to " \
                "choose.\n\n" + "\n\n".join(
                f"{c.what}\n  mine:   {_value(c.mine)}\n  theirs: {_value(c.theirs)}" for c in outcome.conflicts)
        else:
            text = outcome.error or outcome.diff or f"{outcome.path}\n\n{outcome.state}: {outcome.action}, no diff to show."
        self.diff_view.show_diff(text)

    def _activated(self) -> None:
        """Double-click or Enter on a conflicted session opens its conflicts; on another, nothing."""
        outcome = self._current()
        if outcome is not None and outcome.conflicts:
            self.resolve_requested.emit(outcome)

    def _resolve(self) -> None:
        """Resolve Conflicts…: the selected session's, else the first conflicted one's."""
        outcome = self._current()
        if outcome is None or not outcome.conflicts:
            outcome = next((o for o in self.outcomes if o.conflicts), None)
        if outcome is not None:
            self.resolve_requested.emit(outcome)

    def _sync(self) -> None:
        self.sync_button.setEnabled(False)  # (until the result or the next preview is shown)
        self.sync_requested.emit(*self.chosen_steps())


class ConflictDialog(QDialog):
    """One session's conflicts, each with its base, mine and theirs: take mine, take theirs, or edit; Resolve.

    The edited value is written as post_merge reads it (docs/formats.md section 7): a team or notes
    as text, a front-matter key as its YAML line, the reading order as titles one a line, text as
    its lines. A reading removed on one side can only be kept or dropped, so it offers no edit.
    """

    def __init__(self, outcome: Outcome, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Conflicts in {outcome.code}")
        self.resize(760, 520)
        self.conflicts = list(outcome.conflicts)
        intro = plain_label(f"{outcome.code} ({outcome.path}) was changed both here and on the site, and these "
                            "changes conflict. Choose which value to keep for each; the post is then written and "
                            "the library updated.")
        intro.setWordWrap(True)
        self.choices: list[QButtonGroup] = []
        self.editors: list[QPlainTextEdit | None] = []  # each conflict's edited value (None: not editable)
        column = QWidget()
        rows = QVBoxLayout(column)
        for conflict in self.conflicts:
            rows.addWidget(self._conflict_box(conflict))
        rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(column)
        all_mine = QPushButton("Take All Mine")
        all_mine.setToolTip("Keep the library's value in every conflict")
        all_mine.clicked.connect(lambda: self.choose_all(MINE))
        all_theirs = QPushButton("Take All Theirs")
        all_theirs.setToolTip("Take the site's value in every conflict")
        all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.resolve_button = buttons.addButton("Resolve", QDialogButtonBox.ButtonRole.AcceptRole)
        self.resolve_button.setDefault(True)
        buttons.addButton(all_mine, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton(all_theirs, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._update()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    def _conflict_box(self, conflict: Conflict) -> QGroupBox:
        box = QGroupBox()
        grid = QGridLayout(box)
        what = plain_label(conflict.what)
        what.setWordWrap(True)
        font = what.font()
        font.setBold(True)
        what.setFont(font)
        grid.addWidget(what, 0, 0, 1, 3)
        group = QButtonGroup(box)
        for row, (label, value, choice) in enumerate((("Before (base)", conflict.base, None),
                                                      ("Mine (the library)", conflict.mine, MINE),
                                                      ("Theirs (the site)", conflict.theirs, THEIRS)), start=1):
            text = plain_label(_value(value))
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if choice is None:
                grid.addWidget(plain_label(label), row, 0)
                text.setEnabled(False)  # (greyed: the base is for reference, not a choice)
            else:
                button = QRadioButton(f"Take {label.split()[0].lower()}")
                button.setToolTip(f"Keep {label.split(' ', 1)[1][1:-1]}'s value")
                button.setProperty("choice", choice)
                group.addButton(button)
                grid.addWidget(button, row, 0)
            grid.addWidget(text, row, 1, 1, 2)
        editor = None
        if conflict.key.field != REMOVED:
            button = QRadioButton("Edit")
            button.setToolTip("Write the value to keep yourself")
            button.setProperty("choice", EDITED)
            group.addButton(button)
            editor = QPlainTextEdit(_value(conflict.mine if conflict.mine is not None else conflict.theirs))
            editor.setTabChangesFocus(True)
            editor.setMaximumHeight(editor.fontMetrics().lineSpacing() * 4 + 12)
            editor.textChanged.connect(lambda b=button: b.setChecked(True))  # typing there chooses it
            grid.addWidget(button, 4, 0)
            grid.addWidget(editor, 4, 1, 1, 2)
        grid.setColumnStretch(1, 1)
        group.buttonToggled.connect(lambda _button, _on: self._update())
        self.choices.append(group)
        self.editors.append(editor)
        return box

    def choose(self, number: int, choice: str) -> None:
        """Pick CHOICE (mine, theirs or edited) for conflict NUMBER (0-based)."""
        for button in self.choices[number].buttons():
            if button.property("choice") == choice:
                button.setChecked(True)

    def choose_all(self, choice: str) -> None:
        for number in range(len(self.choices)):
            self.choose(number, choice)

    def _update(self) -> None:
        """Resolve is possible once every conflict has its choice."""
        self.resolve_button.setEnabled(all(group.checkedButton() is not None for group in self.choices))

    def resolutions(self) -> dict[ConflictKey, Resolution]:
        """Each conflict's key and the choice made for it."""
        chosen = {}
        for conflict, group, editor in zip(self.conflicts, self.choices, self.editors, strict=True):
            if group.checkedButton() is None:
                continue
            choice = str(group.checkedButton().property("choice"))
            value = editor.toPlainText() if choice == EDITED and editor is not None else ""
            chosen[conflict.key] = Resolution(choice, value)
        return chosen
