import sys

from PySide6.QtCore import QObject, Signal

from veo_desktop.ui import qtfix


class _Source(QObject):
    changed = Signal(object)


def _slot(_value: object) -> None:
    pass


def test_emit_and_disconnect_keep_bool_references(qapp):
    qtfix.install()
    source = _Source()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(5_000):
        source.changed.connect(_slot)
        source.changed.emit(i)
        source.changed.disconnect(_slot)
    assert abs(sys.getrefcount(True) - before[0]) < 10
    assert abs(sys.getrefcount(False) - before[1]) < 10
