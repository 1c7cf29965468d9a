"""Screenshots of the main window at the sizes presenters use, to look at after a layout change.

    xvfb-run -a -s "-screen 0 1920x1080x24" /work/venv/bin/python tests/screens.py OUTDIR

Imports a few real files (../shared seeds and corpus, or tests/data when ../shared is absent) into
a library in a temporary folder, selects a session and a reading so that the notes and their preview
show, and saves one PNG per tab at 1280×720, 1366×768, 800×700, and at QT_SCALE_FACTOR 1.5 and 2
(where the window takes its first-start size on a 1920×1080 screen). A scale factor is read once per
process, so each size runs in a process of its own. It prints, per shot, what does not fit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ANNOTATOR_SHARED", ROOT.parent / "shared"))
DATA = Path(__file__).resolve().parent / "data"
# (name, window size or None for the first-start size, QT_SCALE_FACTOR)
SIZES = (("1280x720", (1280, 720), "1"), ("1366x768", (1366, 768), "1"), ("800x700", (800, 700), "1"),
         ("scale1.5", None, "1.5"), ("scale2", None, "2"))
NOTES = "## What the paper does\n\n| team | role |\n|---|---|\n| team-2 | lead |\n\n" + "Long notes line. " * 30


def sample_files() -> tuple[list[Path], str]:
    """The files to import, and the code of the session to select."""
    agents = SHARED / "corpus" / "2026sp-GenAI-Agents-Overview-Course"
    if agents.exists():
        return [*sorted((SHARED / "seeds").glob("00[0-4]_*.txt")), agents], "W05.1.HCLS"
    return [DATA / "session_quirks.md", DATA / "lecture_tour.md"], ""


def teams_of(window: object, index: int) -> int:
    """How many team columns the Workload grid shows for its INDEXth course."""
    view = window.workload_view  # type: ignore[attr-defined]
    view.courses.setCurrentIndex(index)
    return len(view.model.workload().teams)


def shoot(name: str, size: tuple[int, int] | None, outdir: Path) -> None:
    """In this process: build the window on a fresh library and save its tabs as OUTDIR/NAME-TAB.png."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from annotator.store import editing, queries
    from annotator.store.importing import import_paths
    from annotator.store.library import open_library
    from annotator.ui.app import make_application
    from annotator.ui.main_window import MainWindow

    app = make_application()
    folder = Path(tempfile.mkdtemp(prefix="annotator-screens-"))
    lib = open_library(folder / "library.sqlite", daily_backup=False)
    files, code = sample_files()
    import_paths(lib, [str(f) for f in files], recursive=True)
    window = MainWindow(lib, QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    if size is not None:
        window.resize(*size)
    window.show()
    app.processEvents()
    session = next((s for s in queries.list_sessions(lib.conn) if s["id"] == code), None) if code else None
    session_id = (session or queries.list_sessions(lib.conn)[0])["row_id"]
    window.show_session(session_id)
    reading = window.readings.model.reading_ids()[0]
    editing.edit_reading(lib, reading, notes=NOTES)
    window.apply_changes(None)
    window.readings.select_reading(reading)
    screen = window.screen().availableGeometry()
    for tab in range(window.tabs.count()):
        window.tabs.setCurrentIndex(tab)
        if window.tabs.widget(tab) is window.workload_view:  # the course with the most teams: its Total row
            courses = window.workload_view.courses
            window.workload_view.courses.setCurrentIndex(max(range(courses.count()), key=lambda i: teams_of(window, i)))
        for _ in range(3):
            app.processEvents()
        label = window.tabs.tabText(tab).lower()
        window.grab().save(str(outdir / f"{name}-{label}.png"))
        frame = window.frameGeometry()
        print(f"{name} {label}: window {frame.width()}x{frame.height()} on a {screen.width()}x{screen.height()} "
              f"screen, minimum {window.minimumSizeHint().width()}x{window.minimumSizeHint().height()}"
              + ("" if screen.contains(frame) else "  DOES NOT FIT"))
    window.close()
    lib.close()
    QApplication.processEvents()


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "--one":  # the child process: one size
        name, outdir = argv[2], Path(argv[3])
        size = dict((n, s) for n, s, _ in SIZES)[name]
        shoot(name, size, outdir)
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    outdir = Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    for name, _size, scale in SIZES:
        env = {**os.environ, "QT_SCALE_FACTOR": scale}
        env.pop("QT_QPA_PLATFORM", None)  # the real (X) screen, not offscreen
        subprocess.run([sys.executable, __file__, "--one", name, str(outdir)], env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
