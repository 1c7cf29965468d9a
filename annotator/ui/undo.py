"""Every change the UI makes goes through StoreEdits: one store operation, one QUndoCommand.

The undo history itself lives in the library (annotator.store.operations); a command only holds
the operation id. Its first redo() does nothing (the operation already ran); later undo()/redo()
replay that operation in the store, and the views refresh from the returned Changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from annotator.errors import AnnotatorError
from annotator.store import operations
from annotator.store.library import Library, database_problem
from annotator.store.operations import Changes
from annotator.ui.plain_text import warn

T = TypeVar("T")


def newest_operation_id(lib: Library) -> int:
    """The id of the newest operation that undo would undo (0 when there is none).

    Undone operations are left out: a new operation drops them and may reuse the top id.
    """
    row = lib.conn.execute("SELECT coalesce(max(id), 0) FROM operations WHERE state = 'done'").fetchone()
    return int(row[0])


def operation_changes(lib: Library, op_id: int) -> Changes | None:
    """The change summary of operation OP_ID as recorded in the library."""
    row = lib.conn.execute("SELECT id, label, changes FROM operations WHERE id = ?", (op_id,)).fetchone()
    return Changes.from_json(row["label"], row["changes"], row["id"]) if row else None


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

    def apply(self, edit: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Run EDIT(lib, *args, **kwargs); a user mistake shows a message and returns None."""
        try:
            result, changes = self._run(edit, *args, **kwargs)
        except AnnotatorError as exc:
            warn(self.window, "annotator", str(exc))
            return None
        except sqlite3.DatabaseError as exc:  # locked, read-only, disk full: the user can act on it
            warn(self.window, "annotator", f"{self.lib.path}: {database_problem(exc, self.lib.path)}")
            return None
        self.record(changes)
        return result

    def apply_all(self, label: str, edit: Callable[..., T], calls: list[dict[str, Any]]) -> list[T]:
        """Run EDIT once per keyword set in CALLS, as one entry in the Edit menu; stops at a mistake."""
        results: list[T] = []
        steps: list[Changes] = []
        try:
            for kwargs in calls:
                result, changes = self._run(edit, **kwargs)
                results.append(result)
                if changes is not None:
                    steps.append(changes)
        except AnnotatorError as exc:
            warn(self.window, "annotator", str(exc))
        if steps:
            self.record_many(label, steps)
        return results

    def _run(self, edit: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, Changes | None]:
        before = newest_operation_id(self.lib)
        result = edit(self.lib, *args, **kwargs)
        changes = result if isinstance(result, Changes) else None
        if changes is None or changes.op_id is None:
            after = newest_operation_id(self.lib)
            changes = operation_changes(self.lib, after) if after > before else changes
        return result, changes

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
