"""One worker thread per owner for blocking image work, with results delivered on the GUI thread.

Two rules keep Qt objects dying on the GUI thread, where they live:
- The worker runs plain functions of plain arguments (never the owner's bound methods) and holds no reference
  to its owner, so the last reference to an owner (and to the QPixmaps it caches) is never dropped on the
  worker thread.
- Results go through a small relay object, a child of the owner: `submit(key, fn, *args)` runs `fn(*args)`
  on the worker thread and emits `relay.done(key, result)`, connected (queued) to the owner's own signal.
  The emit happens under a lock that the owner's `destroyed` also takes, so nothing is emitted on an
  object being destroyed; pending work is dropped then.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, SignalInstance


class _Relay(QObject):
    done = Signal(str, object)


class GuardedWorker:
    def __init__(self, owner: QObject, signal: SignalInstance, *, name: str) -> None:
        self._relay = _Relay(owner)  # owned by the owner in C++: its wrapper never deletes it
        self._relay.done.connect(signal)  # signal to signal: no Python reference to the owner is kept
        self._lock = threading.Lock()
        self._open = True
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        owner.destroyed.connect(self._on_destroyed)

    def submit(self, key: str, fn: Callable[..., object], *args: Any) -> None:
        """Run `fn(*args)` on the worker thread; the owner's signal gets `(key, result)` on the GUI thread."""
        with self._lock:
            if self._open:
                self._pool.submit(self._run, key, fn, args)

    def _run(self, key: str, fn: Callable[..., object], args: tuple[Any, ...]) -> None:  # worker thread
        result = fn(*args)
        with self._lock:
            if self._open and shiboken6.isValid(self._relay):
                self._relay.done.emit(key, result)

    def shutdown(self, *, wait: bool) -> None:
        """Stop taking work and drop what is queued; with `wait`, also let the running call finish."""
        with self._lock:
            self._open = False
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _on_destroyed(self, *_args: object) -> None:
        self.shutdown(wait=False)
