"""Waiting for the operation runner in GUI tests: on its signals, never with sleeps."""

from __future__ import annotations

from typing import Any

from annotator.ui.operation_runner import OperationRunner


def settle(qtbot: Any, runner: OperationRunner, timeout: int = 20000) -> None:
    """Wait until every operation and query queued on RUNNER has been handled (long-running ones too)."""
    qtbot.waitUntil(lambda: not runner.is_busy_long(), timeout=timeout)
    if not runner.is_idle():
        with qtbot.waitSignal(runner.idle, timeout=timeout):
            pass


def run(qtbot: Any, work: Any, timeout: int = 20000) -> Any:
    """Start WORK (a CollectionOp or QueryOp) and wait until its callbacks ran: its value, None after an error."""
    values: list[Any] = []
    if work._success is None:
        work.success(values.append)
    with qtbot.waitSignal(work.runner.finished, timeout=timeout, check_params_cb=lambda done: done is work):
        work.run_in_background()
    return values[0] if values else None


def edit(qtbot: Any, runner: OperationRunner, store_edit: Any, *args: Any, **kwargs: Any) -> Any:
    """Run the store edit through RUNNER as the app does, and wait for it: its value."""
    return run(qtbot, runner.edit(store_edit, *args, **kwargs))


def make_runner(qtbot: Any, lib: Any) -> OperationRunner:
    """A runner for a widget tested on its own (the main window makes its own)."""
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window, before_close_func=lambda _widget: runner.shutdown())
    runner = OperationRunner(lib, window)
    return runner
