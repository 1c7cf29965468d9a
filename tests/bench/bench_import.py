"""Import speed: a 10k-paper list and 1,000 session posts, against bare sqlite3 executemany + FTS5.

Run: python tests/bench/bench_import.py [RUNS]   (prints its figures; goals: <= 3x baseline, >= 15,000 papers/s)

Each variant runs RUNS times (default 3) into a fresh library; the median is compared, since
one run on a shared machine can be off by a third. Each run imports both ways and then runs the
baseline, so the median of the runs' own ratios ("run by run") is also printed: it is the figure
least moved by the machine speeding up or slowing down during the benchmark.

Parse worker processes were measured here (spawned, one per core) and saved nothing on a
2-core machine: storing waits for parsing in the one-step import, and the workers' start-up
and the results' transfer ate what parallel parsing gained. They were removed.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

BASELINE_SCHEMA = """
CREATE TABLE papers (id INTEGER PRIMARY KEY, title TEXT, title_key TEXT, url TEXT, arxiv_id TEXT UNIQUE, authors TEXT, abstract TEXT);
CREATE INDEX papers_title_key ON papers (title_key);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, course_id INTEGER, code TEXT, title TEXT, date TEXT, source TEXT, kind TEXT, front_matter TEXT, original_text TEXT, imported_at TEXT);
CREATE TABLE readings (id INTEGER PRIMARY KEY, session_id INTEGER, position INTEGER, section TEXT, paper_id INTEGER, team TEXT, notes TEXT, source_index INTEGER);
CREATE TABLE paper_list_items (id INTEGER PRIMARY KEY, list_id INTEGER, position INTEGER, paper_id INTEGER);
CREATE VIRTUAL TABLE papers_fts USING fts5 (title, abstract, authors, content='papers', content_rowid='id');
CREATE VIRTUAL TABLE sessions_fts USING fts5 (title, content='sessions', content_rowid='id');
"""


def baseline(rows: dict[str, list[tuple]], path: Path) -> float:
    """Insert ROWS with executemany in one transaction per table, then build the FTS5 indexes."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" + BASELINE_SCHEMA)
    started = time.perf_counter()
    for table, data in rows.items():
        marks = ", ".join("?" * len(data[0]))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", data)
        conn.execute("COMMIT")
    conn.execute("INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')")
    conn.execute("INSERT INTO sessions_fts (sessions_fts) VALUES ('rebuild')")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def timed_import(folder: Path, paths: list[Path], one_step: bool) -> tuple[float, dict[str, list[tuple]]]:
    """Seconds to import PATHS into a fresh library in FOLDER, and the rows it stored."""
    from annotator.store.importing import import_paths
    from annotator.store.library import open_library

    with open_library(folder / f"library-{time.monotonic_ns()}.sqlite") as lib:
        started = time.perf_counter()
        results, _ = import_paths(lib, paths, one_step=one_step)
        seconds = time.perf_counter() - started
        assert not any(r.error for r in results)
        rows = {t: [tuple(r) for r in lib.conn.execute(f"SELECT * FROM {t}")]
                for t in ("papers", "sessions", "readings", "paper_list_items")}
    return seconds, rows


def main() -> None:
    from tests.bench.generate import write_inputs

    papers, posts, runs = 10_000, 1_000, int(sys.argv[1]) if len(sys.argv) > 1 else 3
    times: dict[str, list[float]] = {"baseline": [], "one step": [], "per file": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = list(write_inputs(folder / "inputs", papers, posts))
        for run in range(runs):
            seconds, rows = timed_import(folder, inputs, one_step=True)
            times["one step"].append(seconds)
            times["per file"].append(timed_import(folder, inputs, one_step=False)[0])
            times["baseline"].append(baseline(rows, folder / f"baseline-{run}.sqlite"))
    total_papers = len(rows["papers"])
    print(f"inputs: 1 list of {papers:,} papers + {posts:,} posts ({len(rows['readings']):,} readings); "
          f"{total_papers:,} papers stored; {runs} runs each, fresh library each time")
    base = statistics.median(times["baseline"])
    print(f"baseline (bare executemany + FTS5 rebuild, same rows): median {base:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times['baseline'])})")
    for label, key in (("one step (GUI import, one undo step)", "one step"),
                       ("per file (CLI import, one undo step per file)", "per file")):
        seconds = statistics.median(times[key])
        paired = statistics.median(t / b for t, b in zip(times[key], times["baseline"], strict=True))
        print(f"annotator {label}: median {seconds:.2f} s (runs: {', '.join(f'{t:.2f}' for t in times[key])}), "
              f"{total_papers / seconds:,.0f} papers/s (goal >= 15,000), {seconds / base:.2f}x baseline (goal <= 3x); "
              f"run by run {paired:.2f}x")


if __name__ == "__main__":
    main()
