"""GuardedWorker: results from the worker thread reach the GUI thread only while their owner lives."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QObject, Signal

from veo_desktop.ui.worker import GuardedWorker


class _Owner(QObject):
    got = Signal(object)


def test_results_arrive_while_the_owner_lives_and_are_dropped_after(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = _Owner()
    seen: list[object] = []
    owner.got.connect(seen.append)
    worker = GuardedWorker(owner, owner.got, name="test-worker")
    done = threading.Event()
    worker.submit(lambda: (worker.deliver("from the worker"), done.set()))
    assert done.wait(5)
    qtbot.waitUntil(lambda: seen == ["from the worker"], timeout=2000)

    shiboken6.delete(owner)  # the window closed while work was queued
    worker.deliver("too late")  # must neither crash nor emit on the deleted object
    ran: list[int] = []
    worker.submit(lambda: ran.append(1))
    worker.shutdown(wait=True)
    assert seen == ["from the worker"] and ran == []
