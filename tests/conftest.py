"""Shared fixtures. Tests run headless: Qt uses the offscreen platform unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same cases on every run, so that CI is repeatable; HYPOTHESIS_PROFILE=explore
# draws new ones (to hunt for bugs on a developer's machine).
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("ANNOTATOR_DB", None)  # a developer's own library must never be touched by tests

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ANNOTATOR_SHARED", ROOT.parent / "shared"))
DATA = Path(__file__).resolve().parent / "data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/ sits beside the checkout in CI)")
    return path


@pytest.fixture
def lib(tmp_path: Path):
    """A fresh, empty library in the test's own folder (closed afterwards)."""
    from annotator.store.library import open_library

    with open_library(tmp_path / "library.sqlite") as library:
        yield library


@pytest.fixture
def seeds_dir() -> Path:
    """../shared/seeds, or skip."""
    return _need(SHARED / "seeds")


@pytest.fixture
def corpus_dir() -> Path:
    """../shared/corpus, or skip."""
    return _need(SHARED / "corpus")


def seed_path(number: int) -> Path:
    """The seed file whose name starts with the three-digit NUMBER (skips when absent)."""
    folder = _need(SHARED / "seeds")
    matches = sorted(folder.glob(f"{number:03d}_*"))
    if not matches:
        pytest.skip(f"seed {number:03d} missing")
    return matches[0]


def corpus_sites() -> list[Path]:
    """The corpus's site folders (empty when ../shared is absent)."""
    folder = SHARED / "corpus"
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_"))


def corpus_posts() -> list[Path]:
    """Every .md post of the corpus (not the _site-config reference files)."""
    return [p for site in corpus_sites() for p in sorted(site.glob("*.md"))]


@pytest.fixture
def window(qtbot, library, tmp_path):
    """The main window on the test's `library` fixture, shown, with settings of its own and a quick poll."""
    from PySide6.QtCore import QSettings

    from annotator.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings, poll_interval_ms=100)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def arxiv_server():
    """A local stand-in for arXiv's API on 127.0.0.1 (tests/arxiv_server.py), stopped after the test."""
    from arxiv_server import ArxivServer

    server = ArxivServer().start()
    try:
        yield server
    finally:
        server.stop()
