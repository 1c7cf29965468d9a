"""What arXiv answered, shown before anything is applied: one paper's candidates, or a batch's review.

Both dialogs only choose; the caller applies the choice as one operation. Titles, authors and
abstracts come from the library and from arXiv, so they go into item cells (never rich text)
and tooltips through `tooltip`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.ui.plain_text import plain_label, tooltip

if TYPE_CHECKING:
    from annotator.arxiv import ArxivEntry
    from annotator.store.lookups import LookupResult

ENTRY_COLUMNS = ("Title", "Authors", "Year", "arXiv id")
REVIEW_COLUMNS = ("Paper in the library", "On arXiv", "Authors", "Year", "arXiv id", "Note")
NO_CHOICE = "(none of these)"
NOT_FOUND_SHOWN = 20  # a longer "Not found" group starts folded: there is nothing to do with its rows


def entry_cells(entry: ArxivEntry) -> list[str]:
    """An entry's title, authors, year and id, one line each."""
    return [" ".join(entry.title.split()), entry.first_authors(4), str(entry.year or ""), entry.arxiv_id]


def _entry_tooltip(entry: ArxivEntry) -> str:
    return tooltip(f"{entry.title}\n{', '.join(entry.authors)}\n{entry.abs_url}\n\n{entry.abstract[:600]}")


def _fit_columns(tree: QTreeWidget, widths: tuple[int, ...]) -> None:
    header = tree.header()
    header.setStretchLastSection(False)
    for column, width in enumerate(widths):
        if width:
            header.resizeSection(column, width)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


class CandidatesDialog(QDialog):
    """arXiv had no exact title match for one paper: pick one of its candidates, or none."""

    def __init__(self, title: str, candidates: list[ArxivEntry], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Find on arXiv")
        self.resize(860, 380)
        self.candidates = list(candidates)
        question = plain_label(f"arXiv has no paper titled exactly “{' '.join(title.split())}”. "
                               "Is it one of these?")
        question.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(list(ENTRY_COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        for entry in self.candidates:
            item = QTreeWidgetItem(entry_cells(entry))
            item.setToolTip(0, _entry_tooltip(entry))
            self.list.addTopLevelItem(item)
        _fit_columns(self.list, (0, 240, 50, 110))
        buttons = QDialogButtonBox()
        self.use_button = buttons.addButton("Use This Paper", QDialogButtonBox.ButtonRole.AcceptRole)
        self.none_button = buttons.addButton("None of These", QDialogButtonBox.ButtonRole.RejectRole)
        self.use_button.setEnabled(False)
        self.list.itemSelectionChanged.connect(lambda: self.use_button.setEnabled(bool(self.list.selectedItems())))
        self.list.itemDoubleClicked.connect(lambda _item, _column: self.accept())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def chosen(self) -> ArxivEntry | None:
        """The candidate picked (None when none is)."""
        picked = self.list.selectedItems()
        return self.candidates[self.list.indexOfTopLevelItem(picked[0])] if picked else None


class LookupReviewDialog(QDialog):
    """A batch's results in three groups, found / ambiguous / not found; ticked rows are applied."""

    def __init__(self, results: list[LookupResult], duplicates: dict[int, str], parent: QWidget | None = None):
        """DUPLICATES: the title of each paper that already has an arXiv id found (a `duplicate_of`)."""
        super().__init__(parent)
        self.setWindowTitle("Fill in Missing Links")
        self._duplicates = duplicates
        self.resize(1100, 520)
        self.results = list(results)
        self._rows: list[tuple[QTreeWidgetItem, LookupResult, QComboBox | None]] = []
        groups = {status: [r for r in self.results if r.status == status] for status in ("match", "ambiguous", "not_found")}
        found = f"arXiv found {len(groups['match'])} of the {len(self.results)} papers looked up."
        several = f" Several candidates for {len(groups['ambiguous'])}: pick one." if groups["ambiguous"] else ""
        summary = plain_label(f"{found}{several} Nothing is changed until you apply.")
        summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(REVIEW_COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for status, name in (("match", "Found"), ("ambiguous", "Several candidates"), ("not_found", "Not found")):
            if groups[status]:
                group = self._add_group(f"{name} ({len(groups[status])})", groups[status])
                group.setExpanded(status != "not_found" or len(groups[status]) <= NOT_FOUND_SHOWN)
        _fit_columns(self.tree, (300, 0, 200, 50, 100, 190))
        self.overwrite = QCheckBox("Replace links, authors and abstracts that are already filled in")
        self.overwrite.setToolTip("Unticked, only empty fields are filled")
        self.merge = QCheckBox("Merge papers that turn out to be already in the library")
        self.merge.setToolTip("Their readings and list places move to the paper already there; nothing is lost")
        self.merge.setChecked(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.tree.itemChanged.connect(self._ticked)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.overwrite)
        layout.addWidget(self.merge)
        layout.addWidget(buttons)
        self._count()

    def _add_group(self, heading: str, results: list[LookupResult]) -> QTreeWidgetItem:
        group = QTreeWidgetItem([heading])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        self.tree.addTopLevelItem(group)
        group.setFirstColumnSpanned(True)
        for result in results:
            item = QTreeWidgetItem(group, [" ".join(result.title.split())])
            item.setToolTip(0, tooltip(result.title))
            combo = None
            if result.status == "match" and result.entry is not None:
                self._show_entry(item, result.entry)
                item.setCheckState(0, Qt.CheckState.Checked)
            elif result.status == "ambiguous":
                item.setCheckState(0, Qt.CheckState.Unchecked)
                combo = self._candidate_box(item, result)
            else:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setText(1, "not found on arXiv")
                item.setForeground(1, self.palette().placeholderText())
            if result.duplicate_of is not None:
                other = " ".join(self._duplicates.get(result.duplicate_of, "").split())
                item.setText(5, f"same arXiv id as “{other}”")
                item.setToolTip(5, tooltip(f"The library has this arXiv paper already, as “{other}”"))
            self._rows.append((item, result, combo))
        return group

    def _show_entry(self, item: QTreeWidgetItem, entry: ArxivEntry | None) -> None:
        for column, text in enumerate(entry_cells(entry) if entry is not None else ["", "", "", ""], start=1):
            if column > 1 or self.tree.itemWidget(item, 1) is None:  # no text under a drop-down (it would show)
                item.setText(column, text)
        item.setToolTip(1, _entry_tooltip(entry) if entry is not None else "")

    def _candidate_box(self, item: QTreeWidgetItem, result: LookupResult) -> QComboBox:
        """A drop-down of the candidates in the arXiv column; picking one ticks the row."""
        combo = QComboBox()
        combo.addItem(NO_CHOICE)
        for entry in result.candidates:
            combo.addItem(f"{' '.join(entry.title.split())} — {entry.first_authors(2)} ({entry.year or '?'}, "
                          f"{entry.arxiv_id})")  # the authors tell two papers of one title apart
        combo.setToolTip("Several papers on arXiv have a similar title: pick the one this is, or none")

        def picked(index: int) -> None:
            entry = result.candidates[index - 1] if index > 0 else None
            self._show_entry(item, entry)
            item.setCheckState(0, Qt.CheckState.Checked if entry is not None else Qt.CheckState.Unchecked)

        combo.currentIndexChanged.connect(picked)
        self.tree.setItemWidget(item, 1, combo)
        return combo

    def _ticked(self, item: QTreeWidgetItem, column: int) -> None:
        """Ticking a row with several candidates and none picked picks arXiv's first (the best ranked)."""
        if column != 0:
            return
        combo = next((combo for row, _result, combo in self._rows if row is item), None)
        if combo is not None and combo.currentIndex() == 0 and item.checkState(0) == Qt.CheckState.Checked:
            combo.setCurrentIndex(1)
        self._count()

    def _count(self) -> None:
        count = len(self.chosen())
        self.apply_button.setText(f"Apply {count}" if count else "Apply")
        self.apply_button.setEnabled(count > 0)

    def rows(self) -> list[tuple[QTreeWidgetItem, LookupResult, QComboBox | None]]:
        """Each result's row: its item, the result, and its candidates' drop-down (ambiguous only)."""
        return list(self._rows)

    def chosen(self) -> list[tuple[int, ArxivEntry]]:
        """(paper id, entry) for every ticked row, in the order shown."""
        chosen = []
        for item, result, combo in self._rows:
            if item.checkState(0) != Qt.CheckState.Checked:
                continue
            entry = result.entry if combo is None else (
                result.candidates[combo.currentIndex() - 1] if combo.currentIndex() > 0 else None)
            if entry is not None:
                chosen.append((result.paper_id, entry))
        return chosen
