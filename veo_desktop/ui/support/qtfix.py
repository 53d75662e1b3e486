"""A guard against a reference-counting bug in PySide6 6.12.0 on Python < 3.12.

The 6.12.0 bindings return `None`, `True` and `False` without taking a reference (harmless on Python 3.12+,
where these objects are immortal). On Python 3.11 every call to a void method (`setObjectName`, `killTimer`,
`processEvents`, ...), every `Signal.emit()` and every `disconnect()` from Python drops one reference to a
singleton; qasync alone calls `killTimer` for each `asyncio.sleep`. After a while CPython aborts with
"none_dealloc: deallocating None" or "bool_dealloc" — at exit, or mid-run in a long session.

`install()` probes for the leak and, only when it is present on a Python without immortal objects, gives
`None`, `True` and `False` a huge reference count (2**60) so the lost references can never bring them to
zero: at a million lost references a second that takes tens of thousands of years. Nothing else changes.
With a fixed PySide6, or on Python 3.12+, it does nothing. Call it once at start (app.main, the UI tests).
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_PROBE_CALLS = 32
_PIN = 1 << 60
_pinned = False


class _Probe(QObject):
    ping = Signal()


def leaks_singletons() -> bool:
    """True when void calls or emits lose references to None/True (the PySide6 6.12.0 bug)."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
        probe.ping.emit()
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    probe.deleteLater()
    return lost_none >= _PROBE_CALLS // 2 or lost_true >= _PROBE_CALLS // 2


def _pin(obj: object) -> None:
    # CPython < 3.12: ob_refcnt is the first field of every object (a Py_ssize_t).
    ctypes.c_ssize_t.from_address(id(obj)).value += _PIN


def install() -> bool:
    """Returns True when the singletons are pinned (now or by an earlier call)."""
    global _pinned
    if _pinned:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # immortal objects: the lost references are harmless
    if not leaks_singletons():
        return False
    for obj in (None, True, False):
        _pin(obj)
    _pinned = True
    return True
