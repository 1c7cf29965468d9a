"""Every change the UI makes goes through StoreEdits: one store operation, one QUndoCommand.

The undo history itself lives in the library (annotator.store.operations); a command only holds
the operation id. Its first redo() does nothing (the operation already ran); later undo()/redo()
replay that operation in the store, and the views refresh from the returned Changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from annotator.errors import AnnotatorError
from annotator.store import operations
from annotator.store.library import Library, database_problem
from annotator.store.operations import Changes
from annotator.store.read_connection import DatabaseError
from annotator.ui.plain_text import warn

T = TypeVar("T")
# A store edit returns its Changes, or (Changes, a value such as the new row's id).
Edit = Callable[..., Changes | tuple[Changes, T]]


class StoreCommand(QUndoCommand):
    """One store operation on the QUndoStack."""

    def __init__(self, edits: StoreEdits, changes: Changes):
        super().__init__(changes.label)
        self.op_id = changes.op_id
        self._edits = edits
        self._applied = True  # the operation already ran when the command was pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._edits.replay(operations.redo, self.op_id)

    def undo(self) -> None:
        self._edits.replay(operations.undo, self.op_id)


class StoreEdits(QObject):
    """Runs edits as undoable operations and announces what changed.

    `changed(Changes)` is emitted after every edit, undo and redo; `message(str)` carries a
    status-bar line.
    """

    changed = Signal(object)
    message = Signal(str)

    def __init__(self, lib: Library, window: QWidget):
        super().__init__(window)
        self.lib = lib
        self.window = window
        self.stack = QUndoStack(self)

    def apply(self, edit: Edit[T], *args: Any, **kwargs: Any) -> Changes | T | None:
        """Run EDIT(lib, *args, **kwargs): its Changes (or its value, when it returns one); None after a mistake.

        A user mistake, or a library that cannot be written, shows a message.
        """
        try:
            result, changes = self._run(edit, *args, **kwargs)
        except AnnotatorError as exc:
            warn(self.window, "annotator", str(exc))
            return None
        except DatabaseError as exc:  # locked, read-only, disk full: the user can act on it
            warn(self.window, "annotator", f"{self.lib.path}: {database_problem(exc, self.lib.path)}")
            return None
        self.record(changes)
        return result

    def apply_all(self, label: str, edit: Edit[T], calls: list[dict[str, Any]]) -> list[Changes | T]:
        """Run EDIT once per keyword set in CALLS, as one entry in the Edit menu; stops at a mistake."""
        results: list[Changes | T] = []
        steps: list[Changes] = []
        try:
            for kwargs in calls:
                result, changes = self._run(edit, **kwargs)
                results.append(result)
                steps.append(changes)
        except AnnotatorError as exc:
            warn(self.window, "annotator", str(exc))
        if steps:
            self.record_many(label, steps)
        return results

    def _run(self, edit: Edit[T], *args: Any, **kwargs: Any) -> tuple[Changes | T, Changes]:
        """(what `apply` returns, the Changes) of EDIT."""
        result = edit(self.lib, *args, **kwargs)
        if isinstance(result, Changes):
            return result, result
        changes, value = result
        return value, changes

    def record(self, changes: Changes | None) -> None:
        """Push an operation that already ran onto the undo stack and announce it."""
        if changes is None:
            return
        if changes.op_id is not None:
            self.stack.push(StoreCommand(self, changes))
        self.changed.emit(changes)

    def record_many(self, label: str, steps: list[Changes]) -> None:
        """Several operations that belong together: one entry in the Edit menu."""
        if len(steps) == 1:
            self.record(steps[0])
            return
        self.stack.beginMacro(label)
        for changes in steps:
            self.record(changes)
        self.stack.endMacro()

    def replay(self, step: Callable[[Library, int | None], Changes | None], op_id: int | None) -> None:
        """Undo or redo OP_ID in the store; if the library moved on elsewhere, drop the history."""
        try:
            changes = step(self.lib, op_id)
            if changes is None:
                raise AnnotatorError("nothing to undo or redo: the library changed since")
        except AnnotatorError as exc:
            self.message.emit(f"{exc}; the undo history was cleared")
            QTimer.singleShot(0, self.stack.clear)  # not from inside the stack's own undo()
            return
        verb = "Undid" if step is operations.undo else "Redid"
        self.message.emit(f"{verb}: {changes.label}")
        self.changed.emit(changes)
