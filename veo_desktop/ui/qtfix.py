"""A guard against a reference-counting bug in PySide6 6.12.0: `SignalInstance.emit()` returns `True`
without taking a reference, so every `.emit()` from Python drops one reference to the `True` singleton.
After a few hundred emits CPython aborts ("bool_dealloc: deallocating True or False"), often at exit.

`install()` probes for the bug (a few emits on a private signal, watching `sys.getrefcount(True)`) and, only
when it is present, wraps `SignalInstance.emit` to give the returned object its missing reference. With a
fixed PySide6 the probe finds nothing and nothing is changed. Call it once, before any signal is emitted.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBE_EMITS = 16
_installed = False


class _Probe(QObject):
    ping = Signal()


def emit_leaks_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    ctypes.pythonapi.Py_IncRef.argtypes = [ctypes.py_object]
    for _ in range(max(0, lost)):  # give back what the probe took
        ctypes.pythonapi.Py_IncRef(True)
    probe.deleteLater()
    return lost >= _PROBE_EMITS // 2


def install() -> bool:
    """Returns True when the workaround is active."""
    global _installed
    if _installed:
        return True
    if not emit_leaks_a_reference():
        return False
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]

    def emit(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        incref(result)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _installed = True
    return True
