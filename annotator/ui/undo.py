"""The app's Edit ▸ Undo/Redo: one QUndoCommand per store operation, replayed through the runner.

The undo history itself lives in the library (annotator.store.operations); a command only holds
the operation id. Its first redo() does nothing (the operation already ran); later undo()/redo()
queue that operation's replay in the store (operation_runner), and the views refresh from the
Changes it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack

from annotator.errors import AnnotatorError
from annotator.store import operations
from annotator.store.library import Library
from annotator.store.operations import Changes
from annotator.ui.plain_text import menu_text, tooltip

if TYPE_CHECKING:
    from annotator.ui.operation_runner import OperationRunner, Task

Step = Callable[[Library, int | None], Changes | None]


def name_step(action: QAction, verb: str, label: str, otherwise: str) -> None:
    """Name on Edit ▸ Undo/Redo ACTION (and on its toolbar button's tooltip) the step it takes back or again:
    VERB and the operation's LABEL, or OTHERWISE when there is none. A label holds library text, where an "&"
    would underline the next letter and vanish, and a tooltip would guess HTML."""
    action.setText(f"&{verb} {menu_text(label)}".rstrip())
    action.setToolTip(tooltip(f"{verb} {label or otherwise}"))


@dataclass
class Steps:
    """Several operations that belong together (one Edit-menu entry), and the error that stopped them, if any."""

    label: str
    changes: list[Changes] = field(default_factory=list)
    error: Exception | None = None


class StoreCommand(QUndoCommand):
    """One store operation on the QUndoStack."""

    def __init__(self, history: UndoHistory, changes: Changes):
        super().__init__(changes.label)
        self.op_id = changes.op_id
        self._history = history
        self._applied = True  # the operation already ran when the command was pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._history.replay(operations.redo, self.op_id)

    def undo(self) -> None:
        self._history.replay(operations.undo, self.op_id)


class UndoHistory(QObject):
    """The window's undo stack: operations that ran are pushed, undo and redo are run as operations."""

    def __init__(self, runner: OperationRunner):
        super().__init__(runner)
        self._runner = runner
        self.stack = QUndoStack(self)

    def push(self, changes: Changes | Steps | None) -> None:
        """Push an operation that ran (or several, as one entry) onto the undo stack; `changed` is the runner's."""
        if isinstance(changes, Steps):
            steps = [step for step in changes.changes if step.op_id is not None]
            if len(steps) > 1:
                self.stack.beginMacro(changes.label)
            for step in steps:
                self.stack.push(StoreCommand(self, step))
            if len(steps) > 1:
                self.stack.endMacro()
        elif changes is not None and changes.op_id is not None:
            self.stack.push(StoreCommand(self, changes))

    def undo(self) -> None:
        """Edit ▸ Undo, once every operation asked for before it is on the stack."""
        self._runner.then(self.stack.undo)

    def redo(self) -> None:
        self._runner.then(self.stack.redo)

    def replay(self, step: Step, op_id: int | None) -> None:
        """Undo or redo OP_ID in the store; if the library moved on elsewhere, drop the history."""

        def op(lib: Library, _task: Task) -> tuple[None, Changes | None]:
            return None, step(lib, op_id)

        def done(changes: Changes | None) -> None:
            if changes is None:
                cleared(AnnotatorError("nothing to undo or redo: the library changed since"))
                return
            verb = "Undid" if step is operations.undo else "Redid"
            self._runner.message.emit(f"{verb}: {changes.label}")
            self._runner.changed.emit(changes)

        def cleared(exc: Exception) -> None:
            if not isinstance(exc, AnnotatorError):
                self._runner.report(exc)
                return
            self._runner.message.emit(f"{exc}; the undo history was cleared")
            QTimer.singleShot(0, self.stack.clear)  # not from inside the stack's own undo()

        self._runner.collection_op(self._runner.window, op).success(done).failure(cleared).run_in_background()
