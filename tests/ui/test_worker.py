"""GuardedWorker: plain functions run on the worker thread, results reach the GUI thread keyed, only while the
owner lives; the worker keeps no reference to its owner."""

from __future__ import annotations

import gc
import threading
import weakref

import shiboken6
from PySide6.QtCore import QObject, Signal

from tests.ui.helpers import settle, until
from veo_desktop.ui.support.worker import GuardedWorker


class _Owner(QObject):
    got = Signal(str, object)


def _where(value: int) -> tuple[int, str]:
    return value * 2, threading.current_thread().name


async def test_results_come_back_on_the_gui_thread_by_key() -> None:
    owner = _Owner()
    seen: list[tuple[str, object, bool]] = []
    owner.got.connect(
        lambda key, result: seen.append((key, result, threading.current_thread() is threading.main_thread()))
    )
    worker = GuardedWorker(owner, owner.got, name="test-worker")
    worker.submit("answer", _where, 21)
    await until(lambda: seen)
    assert seen == [("answer", (42, "test-worker_0"), True)]
    worker.shutdown(wait=True)
    shiboken6.delete(owner)


async def test_nothing_is_delivered_once_the_owner_is_gone() -> None:
    owner = _Owner()
    seen: list[object] = []
    owner.got.connect(lambda _key, result: seen.append(result))
    worker = GuardedWorker(owner, owner.got, name="test-worker")
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "too late"

    worker.submit("slow", slow)
    assert started.wait(5)
    worker.submit("queued", _where, 1)  # dropped with the owner
    shiboken6.delete(owner)  # the window closed while a decode was running
    release.set()
    worker.shutdown(wait=True)
    await settle()
    assert seen == []


def test_the_worker_holds_no_reference_to_its_owner(qapp) -> None:  # type: ignore[no-untyped-def]
    owner = _Owner()
    worker = GuardedWorker(owner, owner.got, name="test-worker")
    gone = weakref.ref(owner)
    del owner
    gc.collect()
    assert gone() is None  # freed here, on the GUI thread, not by the worker thread later
    ran: list[int] = []
    worker.submit("after", ran.append, 1)  # the owner's destruction closed the worker
    worker.shutdown(wait=True)
    assert ran == []
