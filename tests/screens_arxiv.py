"""Issue 17's "done when", by hand, with screenshots: seed 002 (a Hugging Face paper list) imported,
Fill in Missing Links run for the list against a local stand-in for arXiv that knows six of its titles
(one of them under two similar titles), the matches applied, those papers added as readings of a new
session, and the session exported with their links.

    xvfb-run -a -s "-screen 0 1366x768x24" /work/venv/bin/python -m tests.screens_arxiv

from the checkout's root. Writes /tmp/arxiv_review.png (the review dialog over the window),
/tmp/arxiv_session.png (the new session), /tmp/arxiv_export.png (the export's preview) and the post
under /tmp/arxiv_screens/_posts, and prints the post. The arXiv ids are the stand-in's, not arXiv's. Never reaches the network.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from annotator.arxiv import ArxivClient
from annotator.store import editing, queries
from annotator.store.exporting import export_sessions
from annotator.store.importing import import_paths
from annotator.store.library import open_library
from annotator.store.lookups import papers_missing_links
from annotator.store.paper_browser import paper_detail
from annotator.ui.arxiv_review import LookupReviewDialog
from annotator.ui.dialogs import ExportPreviewDialog
from annotator.ui.main_window import MainWindow
from tests.arxiv_server import ArxivServer

FOLDER = Path("/tmp/arxiv_screens")
SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
KNOWN = 5  # the list's first titles the stand-in knows exactly; the sixth it knows only under two longer titles


def wait_for(condition: Callable[[], object], what: str, timeout_s: float = 60.0) -> None:
    """Process events until CONDITION holds (PySide6's QTest has no qWaitFor)."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            sys.exit(f"gave up waiting for {what}")
        QTest.qWait(20)


def screenshot(app: QApplication, path: str) -> None:
    """The whole screen (window and dialogs on it), as the user sees it."""
    QTest.qWait(300)  # let the window manager and the dialog paint (a script: no test waits like this)
    app.primaryScreen().grabWindow(0).save(path)
    print("screenshot:", path)


def main() -> None:
    seed = next(iter(sorted(SEED.glob("002_*"))), None)
    if seed is None:
        sys.exit(f"seed 002 is not in {SEED}")
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    app = QApplication.instance() or QApplication([])
    lib = open_library(FOLDER / "library.sqlite", daily_backup=False)
    import_paths(lib, [seed], one_step=True)
    list_id = queries.paper_lists(lib.conn)[0]["id"]
    paper_ids = papers_missing_links(lib.conn, list_id=list_id)  # every paper of the list, in its order
    titles = [paper_detail(lib.conn, pid)["title"] for pid in paper_ids]  # type: ignore[index]

    server = ArxivServer().start()
    for number, title in enumerate(titles[:KNOWN]):
        server.add_paper(f"2409.{10001 + number}", title, authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
                         abstract=f"The stand-in's abstract of “{title}”.", published="2024-09-1" + str(number))
    server.add_paper("2409.10020", f"{titles[KNOWN]}: Technical Report", authors=("Emmy Noether",), published="2024-09-20")
    server.add_paper("2410.00021", f"{titles[KNOWN]} Revisited", authors=("Kurt Gödel",), published="2024-10-01")
    os.environ["ANNOTATOR_ARXIV_API"] = server.url

    win = MainWindow(lib, QSettings(str(FOLDER / "settings.ini"), QSettings.Format.IniFormat))
    win.resize(1366, 768)
    win.show()
    win.arxiv.client = ArxivClient(min_interval=0.0)  # the stand-in needs no pause between requests
    win.tabs.setCurrentWidget(win.library_view)
    wait_for(lambda: win.library_view.lists.findData(list_id) >= 0, "the Library tab's lists")
    win.library_view.lists.setCurrentIndex(win.library_view.lists.findData(list_id))
    win.arxiv.update_actions()
    win.arxiv.fill_list_action.trigger()
    wait_for(lambda: isinstance(win.arxiv.dialog, LookupReviewDialog) and win.arxiv.dialog.isVisible(), "the review")
    review = win.arxiv.dialog
    assert isinstance(review, LookupReviewDialog)
    combo = next(combo for _item, _result, combo in review.rows() if combo is not None)
    combo.setCurrentIndex(1)  # the first of the two candidates: "…: Technical Report"
    screenshot(app, "/tmp/arxiv_review.png")
    chosen = [paper_id for paper_id, _entry in review.chosen()]
    review.accept()
    wait_for(lambda: all(paper_detail(lib.conn, pid)["url"] for pid in chosen), "the matches applied")  # type: ignore[index]

    win.runner.edit(editing.new_session, "LLM seminar", "S5", "Domain-specific language models", "2024-10-07") \
        .success(win.show_session).run_in_background()
    wait_for(lambda: win.sessions.selected_session() is not None, "the new session")
    session_id = win.sessions.selected_session()
    win.add_papers(chosen)
    wait_for(lambda: win.readings.model.rowCount() == len(chosen), "the readings")
    win.readings.select_reading(win.readings.model.reading(0)["reading_id"])
    win.statusBar().showMessage(f"Applied {len(chosen)} papers found on arXiv and added them as readings of S5")
    screenshot(app, "/tmp/arxiv_session.png")

    [preview] = export_sessions(lib.conn, [session_id], FOLDER / "_posts", diff=True)
    shown = ExportPreviewDialog([preview], str(FOLDER / "_posts"), win)  # what File ▸ Export Session… shows
    shown.resize(1300, 700)
    shown.show()
    screenshot(app, "/tmp/arxiv_export.png")
    shown.close()
    [result] = export_sessions(lib.conn, [session_id], FOLDER / "_posts")
    print("exported:", result.path)
    print(Path(result.path).read_text(encoding="utf-8"))
    win.close()
    server.stop()
    lib.close()


if __name__ == "__main__":
    main()
