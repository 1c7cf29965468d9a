"""Nothing lost when the process dies: SIGKILL during import and export, at random moments."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bench.generate import paper_list_text, session_post_text

TRIALS = 20
LIST_PAPERS = 6000


def annotator(*args: str) -> list[str]:
    return [sys.executable, "-m", "annotator", *args]


def kill_at(command: list[str], delay: float) -> int | None:
    """Start COMMAND, SIGKILL it after DELAY seconds; its exit code if it finished first."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def library_state(db: Path) -> tuple[str, int, int]:
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "papers" not in tables:
            return integrity, 0, 0
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        items = conn.execute("SELECT count(*) FROM paper_list_items").fetchone()[0]
        return integrity, papers, items
    finally:
        conn.close()


def test_sigkill_during_import_leaves_all_or_none_of_the_file(tmp_path):
    listing = tmp_path / "big-list.txt"
    listing.write_text(paper_list_text(LIST_PAPERS), encoding="utf-8")
    db = tmp_path / "timing.sqlite"
    started = time.perf_counter()
    assert subprocess.run(annotator("--db", str(db), "import", str(listing)), capture_output=True).returncode == 0
    full_run = time.perf_counter() - started
    rng = random.Random(20261125)
    outcomes = {"none": 0, "all": 0}
    for trial in range(TRIALS):
        db = tmp_path / f"trial-{trial}.sqlite"
        kill_at(annotator("--db", str(db), "import", str(listing)), rng.uniform(0.05, full_run * 1.1))
        integrity, papers, items = library_state(db)
        assert integrity == "ok"
        assert (papers, items) in ((0, 0), (LIST_PAPERS, LIST_PAPERS)), f"trial {trial}: half an import"
        outcomes["all" if papers else "none"] += 1
        after = subprocess.run(annotator("--db", str(db), "papers", "--json"), capture_output=True)
        # A kill before the library's first commit leaves none: reading commands say so and create nothing.
        assert after.returncode == 0 or (papers == 0 and b"no library at" in after.stderr), after.stderr
    print(f"{TRIALS} SIGKILL trials during import (full run {full_run:.2f} s): {outcomes}, rows lost 0")
    assert outcomes["none"] > 0  # at least some kills landed mid-import


def temp_files(folder: Path) -> list[str]:
    """The temp files of writes in progress in FOLDER (store/exporting.atomic_write: `.NAME.XXXX.tmp`)."""
    return [name for name in os.listdir(folder) if name.startswith(".") and name.endswith(".tmp")]


def kill_mid_write(command: list[str], out: Path, some_written: Callable[[], bool]) -> bool:
    """Start COMMAND and SIGKILL it at a moment when a temp file of a post is not yet renamed over its
    target while SOME_WRITTEN() (other posts are new already): True, or False if it finished first.

    Seen a temp file, the process is stopped (SIGSTOP) and the folder looked at while it cannot
    move on: if that temp file was renamed meanwhile, it goes on (SIGCONT) until the next one.
    """
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            if not temp_files(out):
                continue
            os.kill(process.pid, signal.SIGSTOP)
            _, status = os.waitpid(process.pid, os.WUNTRACED)
            if not os.WIFSTOPPED(status):  # it finished before the signal arrived
                process.returncode = os.waitstatus_to_exitcode(status)
                return False
            if temp_files(out) and some_written():
                process.kill()
                return True
            os.kill(process.pid, signal.SIGCONT)
        return False
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_sigkill_during_export_leaves_old_or_new_files(tmp_path):
    posts = tmp_path / "site" / "_contents"
    posts.mkdir(parents=True)
    for number in range(150):
        (posts / f"S{number:03d}.md").write_text(session_post_text(number, 12), encoding="utf-8")
    db = tmp_path / "library.sqlite"
    out = tmp_path / "export"
    assert subprocess.run(annotator("--db", str(db), "import", str(posts)), capture_output=True).returncode == 0
    assert subprocess.run(annotator("--db", str(db), "export", "--all", "--out", str(out)), capture_output=True).returncode == 0
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    conn = sqlite3.connect(db)
    conn.execute("UPDATE readings SET team = 'team-9'")  # an edit to every post, made behind the app's back
    conn.commit()
    conn.close()
    started = time.perf_counter()
    fresh = tmp_path / "fresh"
    assert subprocess.run(annotator("--db", str(db), "export", "--all", "--out", str(fresh)), capture_output=True).returncode == 0
    full_run = time.perf_counter() - started
    new = {p.name: p.read_bytes() for p in fresh.iterdir()}
    assert new.keys() == old.keys() and all(new[k] != old[k] for k in new)
    export = annotator("--db", str(db), "export", "--all", "--out", str(out))
    rng = random.Random(7)
    mixed = mid_write = 0
    for trial in range(TRIALS):
        for name, data in old.items():
            (out / name).write_bytes(data)
        if trial % 2:  # at a moment the test sees: a post half-way through its write, others written
            caught = kill_mid_write(export, out, lambda: any((out / n).read_bytes() == new[n] for n in new))
            mid_write += caught
            assert not caught or temp_files(out), "the stopped write left no temp file"
        else:  # at any moment, from start-up to the end
            kill_at(export, rng.uniform(0.05, full_run * 1.1))
        files = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
        assert files.keys() == old.keys()
        for name, data in files.items():
            assert data in (old[name], new[name]), f"trial {trial}: {name} is a mix"
        mixed += len({n for n in files if files[n] == new[n]}) not in (0, len(files))
        for leftover in temp_files(out):
            (out / leftover).unlink()  # a temp file from a killed write: never the target itself
    print(f"{TRIALS} SIGKILL trials during export of {len(old)} posts: every file old or new; "
          f"{mixed} trials mid-way, {mid_write} of them with a post half-written")
    assert mid_write > 0  # some kills landed while a post was being written, not only between posts


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_integrity_after_kill_during_gui_style_one_step_import(tmp_path):
    listing = tmp_path / "list.txt"
    listing.write_text(paper_list_text(3000), encoding="utf-8")
    code = (
        "import sys\nfrom annotator.store.library import open_library\n"
        "from annotator.store.importing import import_paths\n"
        "with open_library(sys.argv[1]) as lib:\n    import_paths(lib, [sys.argv[2]], one_step=True)\n"
    )
    rng = random.Random(3)
    for trial in range(5):
        db = tmp_path / f"one-step-{trial}.sqlite"
        kill_at([sys.executable, "-c", code, str(db), str(listing)], rng.uniform(0.1, 1.5))
        integrity, papers, items = library_state(db)
        assert integrity == "ok" and (papers, items) in ((0, 0), (3000, 3000))
