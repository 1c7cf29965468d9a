"""Guard against a Qt binding that corrupts Python's reference counts (PySide6 6.12.0 on 3.11)."""

import sys

import pytest
from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    plain = Signal()
    with_value = Signal(int)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal on Python 3.12+: its reference count "
                    "never changes, so a binding that drops references to it cannot be seen here (nor harm)")
def test_emitting_signals_keeps_reference_counts(qapp):
    emitter = Emitter()
    emitter.plain.connect(lambda: None)
    emitter.with_value.connect(lambda value: None)
    before = sys.getrefcount(True)
    for number in range(200):
        emitter.plain.emit()
        emitter.with_value.emit(number)
    # A leak here means the process dies after a few thousand emits (Fatal Python error: bool_dealloc).
    assert sys.getrefcount(True) >= before - 5
