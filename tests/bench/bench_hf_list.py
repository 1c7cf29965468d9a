"""Hugging Face list parsing: 10,000 papers against 1,000 in the same run (goal: about 10x the time, linear).

Run: python tests/bench/bench_hf_list.py [RUNS]   (prints its figures; the best of RUNS, default 3)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from annotator.formats.hf_list import parse_paper_list
from tests.bench.generate import paper_list_text


def best_seconds(text: str, runs: int) -> float:
    """The fastest of RUNS parses of TEXT."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse_paper_list(text, "bench")
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    small, large = best_seconds(paper_list_text(1_000), runs), best_seconds(paper_list_text(10_000), runs)
    print(f"1,000 papers: {small:.3f} s   10,000 papers: {large:.3f} s   ratio {large / small:.1f} "
          "(linear: about 10; quadratic: about 100)")


if __name__ == "__main__":
    main()
