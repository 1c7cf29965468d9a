"""A hang guard for tests whose point is "this never hangs": the work must finish within a generous bound.

The work runs in a daemon thread, so a hang fails the test after SECONDS instead of stalling the
run. Choose SECONDS about ten times what the work takes: how fast it is belongs in tests/bench/.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def finishes_within(seconds: float, work: Callable[[], T]) -> T:
    """WORK()'s result (or its exception, raised here); the test fails if WORK is still running after SECONDS."""
    outcome: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # handed to the test's own thread
            outcome.append((False, exc))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=seconds)
    assert outcome, f"still running after {seconds} s: it hangs, or is far slower than it should be"
    finished, value = outcome[0]
    if not finished:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]
