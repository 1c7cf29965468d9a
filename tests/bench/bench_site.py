"""Site sync speed (issue 15): `site status` and `site sync` on a 300-post site in a git clone.

Run: python tests/bench/bench_site.py [RUNS]   (prints its figures; goals: status <= 0.5 s and <= 3x
`git status` on the same clone; sync with 10 changed posts <= 2 s, not counting the network)

The site is a clone with 300 session posts (five readings each) in `_contents/`, linked to a
library. Status is timed with nothing changed (the usual case: no file read, no session rendered)
and with 10 posts edited on disk and 10 sessions edited in the library; the baseline is plain
`git status` on the same clone, measured in the same run. Sync is timed with 10 sessions edited
in the library and 10 posts edited on disk, each run with new edits, with and without `--commit`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

POSTS = 300
CHANGED = 10
REPEAT = 10
TEMPLATE = (Path(__file__).resolve().parents[1] / "data" / "merge" / "session.md").read_text(encoding="utf-8")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, stdin=subprocess.DEVNULL)


def make_site(root: Path) -> Path:
    """A git clone of a site with POSTS session posts, committed."""
    site = root / "site"
    (site / "_contents").mkdir(parents=True)
    (site / "_config.yml").write_text("title: bench\ncollections:\n  contents:\n    output: true\n", encoding="utf-8")
    for n in range(POSTS):
        text = TEMPLATE.replace("Agents and Memory", f"Session {n}").replace("https://arxiv.org/abs/23", f"https://arxiv.org/abs/{n % 9 + 1}{n:03d}")
        (site / "_contents" / f"S{n // 30}-L{n:03d}.md").write_text(text, encoding="utf-8")
    git(root, "-c", "init.defaultBranch=main", "init", "-q", str(site))
    for name, value in (("user.name", "Bench"), ("user.email", "bench@example.com")):
        git(site, "config", name, value)
    git(site, "add", ".")
    git(site, "commit", "-q", "-m", "300 posts")
    return site


def median_of(work: Callable[[], object], repeat: int = REPEAT, prepare: Callable[[int], object] | None = None) -> float:
    samples = []
    for n in range(repeat):
        if prepare:
            prepare(n)
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    from annotator.site.link import link_site
    from annotator.site.links import linked_course
    from annotator.site.status import IN_SYNC, site_status
    from annotator.site.sync import sync_site
    from annotator.store import editing, queries
    from annotator.store.library import open_library

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
    with tempfile.TemporaryDirectory() as tmp:
        site = make_site(Path(tmp))
        with open_library(Path(tmp) / "lib.sqlite") as lib:
            started = time.perf_counter()
            link_site(lib, "Bench", site)
            linking = time.perf_counter() - started
            link = linked_course(lib.conn, None)
            sessions = [r["row_id"] for r in queries.list_sessions(lib.conn)]
            readings = {sid: queries.session_readings(lib.conn, sid)[0]["reading_id"] for sid in sessions}
            files = sorted((site / "_contents").glob("*.md"))

            def edit(n: int) -> None:
                """CHANGED sessions edited in the library and CHANGED other posts edited on disk (new edits each call)."""
                for k in range(CHANGED):
                    editing.edit_reading(lib, readings[sessions[k * 7]], team=f"Team {n}-{k}")
                    path = files[k * 7 + 3]
                    path.write_text(path.read_text(encoding="utf-8").replace(
                        "Opening remarks", f"Opening remarks ({n})", 1), encoding="utf-8")

            status = lambda: site_status(lib.conn, link)  # noqa: E731
            gitstatus = lambda: subprocess.run(["git", "status"], cwd=site, check=True, capture_output=True,  # noqa: E731
                                               stdin=subprocess.DEVNULL)
            assert {p.state for p in status().posts} == {IN_SYNC}
            rows: dict[str, list[float]] = {k: [] for k in ("git status", "status", "status, 20 changed", "sync",
                                                            "sync --commit")}
            for run in range(runs):
                rows["git status"].append(median_of(gitstatus))
                rows["status"].append(median_of(status))
                edit(run * 2)
                rows["status, 20 changed"].append(median_of(status))
                rows["sync"].append(median_of(lambda: sync_site(lib), 1))
                edit(run * 2 + 1)
                rows["sync --commit"].append(median_of(lambda: sync_site(lib, commit=True), 1))
            assert {p.state for p in status().posts} == {IN_SYNC}
    print(f"site: {POSTS} posts of 5 readings in a git clone; linking took {linking:.2f} s; {runs} runs "
          f"(status: each the median of {REPEAT} calls; sync: {CHANGED} sessions edited in the library and "
          f"{CHANGED} posts on disk)")
    base = statistics.median(rows["git status"])
    for name, times in rows.items():
        figure = statistics.median(times)
        goal = "" if name == "git status" else (
            f"  (goal <= 500 ms, <= 3x git status: {figure / base:.2f}x)" if name.startswith("status")
            else "  (goal <= 2000 ms)")
        print(f"{name:20} median {figure * 1000:7.1f} ms  (runs: {', '.join(f'{t * 1000:.1f}' for t in times)}){goal}")


if __name__ == "__main__":
    main()
