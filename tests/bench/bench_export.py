"""Export speed: the golden round trip of all corpus posts (goal: under 2 s).

Run: python tests/bench/bench_export.py [CORPUS_DIR]   (default ../shared/corpus beside the checkout)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotator.store import queries  # noqa: E402
from annotator.store.exporting import export_sessions  # noqa: E402
from annotator.store.importing import import_paths  # noqa: E402
from annotator.store.library import open_library  # noqa: E402


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"
    sites = sorted(p for p in corpus.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        identical = total = 0
        export_time = import_time = rerun_time = 0.0
        for site in sites:
            with open_library(tmp_path / f"{site.name}.sqlite") as lib:
                started = time.perf_counter()
                results, _ = import_paths(lib, [site])
                import_time += time.perf_counter() - started
                assert not any(r.error for r in results)
                ids = [s["row_id"] for s in queries.list_sessions(lib.conn)]
                out = tmp_path / "out" / site.name
                started = time.perf_counter()
                exported = export_sessions(lib.conn, ids, out)
                export_time += time.perf_counter() - started
                started = time.perf_counter()
                again = export_sessions(lib.conn, ids, out)
                rerun_time += time.perf_counter() - started
                assert {r.status for r in again} == {"unchanged"}
            for result in exported:
                total += 1
                identical += Path(result.path).read_bytes() == (site / Path(result.path).name).read_bytes()
    print(f"corpus: {total} posts from {len(sites)} sites; byte-identical after export: {identical}/{total}")
    print(f"import {import_time:.2f} s; export (write all) {export_time:.2f} s (goal < 2 s); "
          f"export again (all unchanged, nothing written) {rerun_time:.2f} s")


if __name__ == "__main__":
    main()
