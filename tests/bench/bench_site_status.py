"""Site status speed: `repo_state` on a 300-post course site, against plain `git status` on the same clone.

Run: python tests/bench/bench_site_status.py [RUNS]   (prints its figures; goals: <= 0.5 s, <= 3x `git status`)

The site is a bare remote and a clone of it with 300 posts in _posts/, a few of them edited, new
and deleted (so that status has paths to report), and the clone one commit behind and one ahead
of its upstream. Each run times `repo_state` and the baseline once each, REPEAT times, and the
median of each is compared; the median of the runs' own ratios ("run by run") is also printed,
as the figure least moved by the machine speeding up or slowing down meanwhile. The user's git
config is kept out (GIT_CONFIG_GLOBAL) so the figures are the same on every machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

POSTS = 300
REPEAT = 20


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, stdin=subprocess.DEVNULL)


def make_site(root: Path) -> Path:
    """A clone with POSTS posts, one commit behind and one ahead of its upstream, and some uncommitted changes."""
    remote, clone = root / "remote.git", root / "site"
    git(root, "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(remote))
    git(root, "clone", "-q", str(remote), str(clone))
    git(clone, "checkout", "-q", "-b", "main")
    for name, value in (("user.name", "Bench"), ("user.email", "bench@example.com")):
        git(clone, "config", name, value)
    posts = clone / "_posts"
    posts.mkdir()
    for n in range(POSTS):
        text = f"---\nlayout: post\ntitle: Session {n}\n---\n\n## Readings\n\n" + "".join(
            f"- Paper {n}.{k}: a title long enough to look like one\n" for k in range(12))
        (posts / f"2024-01-{n % 28 + 1:02d}-session-{n:03d}.md").write_text(text, encoding="utf-8")
    git(clone, "add", ".")
    git(clone, "commit", "-q", "-m", "300 posts")
    git(clone, "push", "-q", "-u", "origin", "main")
    git(clone, "commit", "-q", "--allow-empty", "-m", "pushed later")
    git(clone, "push", "-q")
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    git(clone, "commit", "-q", "--allow-empty", "-m", "local")
    for n in range(0, POSTS, 50):
        with (posts / f"2024-01-{n % 28 + 1:02d}-session-{n:03d}.md").open("a", encoding="utf-8") as post:
            post.write("- an uncommitted reading\n")
    (posts / "2024-01-02-session-001.md").unlink()
    (posts / "2024-02-01-new-session.md").write_text("---\ntitle: New\n---\n", encoding="utf-8")
    return clone


def main() -> None:
    from annotator.site.git import repo_state

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    os.environ["GIT_CONFIG_GLOBAL"] = os.devnull
    ours: list[float] = []
    base: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        clone = make_site(Path(tmp))
        state = repo_state(clone)
        assert state is not None and (state.ahead, state.behind) == (1, 1), state
        for _ in range(runs):
            for times, work in ((ours, lambda: repo_state(clone)),
                                (base, lambda: subprocess.run(["git", "status"], cwd=clone, check=True,
                                                              capture_output=True, stdin=subprocess.DEVNULL))):
                samples = []
                for _ in range(REPEAT):
                    started = time.perf_counter()
                    work()
                    samples.append(time.perf_counter() - started)
                times.append(statistics.median(samples))
    print(f"site: {POSTS} posts, {len(state.changed)} uncommitted changes, ahead {state.ahead} / behind {state.behind}; "
          f"{runs} runs, each the median of {REPEAT} calls")
    b, o = statistics.median(base), statistics.median(ours)
    paired = statistics.median(t / s for t, s in zip(ours, base, strict=True))
    print(f"baseline `git status` (subprocess.run, default options): median {b * 1000:.1f} ms "
          f"(runs: {', '.join(f'{t * 1000:.1f}' for t in base)})")
    print(f"repo_state: median {o * 1000:.1f} ms (runs: {', '.join(f'{t * 1000:.1f}' for t in ours)}) (goal <= 500 ms), "
          f"{o / b:.2f}x baseline (goal <= 3x); run by run {paired:.2f}x")


if __name__ == "__main__":
    main()
