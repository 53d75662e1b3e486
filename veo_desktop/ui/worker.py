"""One worker thread per owner for blocking image work, with results delivered safely to the GUI thread.

A worker must never emit on a QObject that is being destroyed (a segfault when the window closes while a
decode is in flight). Results go through `deliver()`, which emits the owner's queued signal only while the
owner is alive; the owner's `destroyed` closes the gate under the same lock and drops pending work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, SignalInstance


class GuardedWorker:
    def __init__(self, owner: QObject, signal: SignalInstance, *, name: str) -> None:
        self._owner = owner
        self._signal = signal
        self._lock = threading.Lock()
        self._open = True
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        owner.destroyed.connect(self._on_destroyed)

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        with self._lock:
            if self._open:
                self._pool.submit(fn, *args)

    def deliver(self, *args: Any) -> None:
        """Called on the worker thread: emit the owner's signal (queued to the GUI thread) if it still lives."""
        with self._lock:
            if self._open and shiboken6.isValid(self._owner):
                self._signal.emit(*args)

    def shutdown(self, *, wait: bool) -> None:
        with self._lock:
            self._open = False
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _on_destroyed(self, *_args: object) -> None:
        self.shutdown(wait=False)
