"""A guard against a reference-counting bug in PySide6 6.12.0: `SignalInstance.emit()` and
`SignalInstance.disconnect()` return `True`/`False` without taking a reference, so every call from Python
drops one reference to a bool singleton. After a few hundred calls CPython aborts ("bool_dealloc:
deallocating True or False"), often at exit, sometimes mid-run.

`install()` probes each method (a few calls on a private signal, watching `sys.getrefcount`) and wraps only
a method that leaks, giving its result the missing reference. With a fixed PySide6 the probes find nothing
and nothing is changed. Call it once at start, before signals are used (app.main and the UI tests do).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBE_CALLS = 16
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_patched: set[str] = set()


class _Probe(QObject):
    ping = Signal()


def _slot() -> None:
    pass


def _lost_references(call: Callable[[_Probe], object], result: object) -> int:
    probe = _Probe()
    before = sys.getrefcount(result)
    for _ in range(_PROBE_CALLS):
        call(probe)
    lost = before - sys.getrefcount(result)
    for _ in range(max(0, lost)):  # give back what the probe took
        _incref(result)
    probe.deleteLater()
    return lost


def _emit_probe(probe: _Probe) -> object:
    return probe.ping.emit()


def _disconnect_probe(probe: _Probe) -> object:
    probe.ping.connect(_slot)
    return probe.ping.disconnect(_slot)


def _wrap(name: str) -> None:
    original = getattr(SignalInstance, name)

    def fixed(self: SignalInstance, *args: Any) -> Any:
        result = original(self, *args)
        _incref(result)
        return result

    fixed.__name__ = name
    fixed.__doc__ = original.__doc__
    setattr(SignalInstance, name, fixed)
    _patched.add(name)


def install() -> frozenset[str]:
    """Wrap the leaking methods; returns the names of the wrapped ones (empty with a fixed PySide6)."""
    for name, probe in (("emit", _emit_probe), ("disconnect", _disconnect_probe)):
        if name not in _patched and _lost_references(probe, True) >= _PROBE_CALLS // 2:
            _wrap(name)
    return frozenset(_patched)
