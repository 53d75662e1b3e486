"""AsyncStore: one worker thread owns the connection; the event loop only awaits."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from veo_desktop.core.states import JobStatus
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import JobNotFound, Store, StoreCorrupted, StoreError
from veo_desktop.store.sqlite import SqliteStore

from .helpers import DAY, T0, new_jobs


async def test_calls_run_on_one_worker_thread_in_order(tmp_path: Path) -> None:
    store = AsyncStore(lambda: SqliteStore(tmp_path / "queue.sqlite3"))
    try:
        loop_thread = threading.get_ident()
        jobs = await store.run(lambda s: s.enqueue(new_jobs(3), now_ms=T0, day_start_ms=DAY))
        threads: list[int] = []

        def note(i: int) -> Callable[[Store], int]:
            def call(s: Store) -> int:
                threads.append(threading.get_ident())
                s.set_note(jobs[0].id, f"note {i}")
                return i

            return call

        results = await asyncio.gather(*(store.run(note(i)) for i in range(30)))
        assert results == list(range(30))
        assert len(set(threads)) == 1 and threads[0] != loop_thread
        assert (await store.run(lambda s: s.get(jobs[0].id))).note == "note 29"  # submission order
        assert [j.status for j in await store.run(lambda s: s.waiting_jobs())] == [JobStatus.QUEUED] * 3
    finally:
        await store.aclose()


async def test_errors_come_back_to_the_caller() -> None:
    store = AsyncStore(lambda: SqliteStore(":memory:"))
    try:
        with pytest.raises(JobNotFound):
            await store.run(lambda s: s.get("jnope"))
        assert await store.run(lambda s: s.integrity_check()) == "ok"  # still usable
    finally:
        await store.aclose()


async def test_a_store_that_cannot_open_fails_every_call(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    store = AsyncStore(lambda: SqliteStore(path))  # does not block or raise here
    with pytest.raises(StoreCorrupted):
        await store.run(lambda s: s.queue_state())
    with pytest.raises(StoreCorrupted):
        await store.run(lambda s: s.queue_state())
    await store.aclose()


async def test_aclose_closes_the_connection_and_refuses_later_calls() -> None:
    closed: list[int] = []

    class Recording(SqliteStore):
        def close(self) -> None:
            closed.append(threading.get_ident())
            super().close()

    store = AsyncStore(lambda: Recording(":memory:"))
    worker = await store.run(lambda s: threading.get_ident())
    await store.aclose()
    await store.aclose()  # idempotent
    assert closed == [worker]
    with pytest.raises(StoreError, match="closed"):
        await store.run(lambda s: s.queue_state())


def test_sync_close_without_a_loop() -> None:
    store = AsyncStore(lambda: SqliteStore(":memory:"))
    store.close()
    store.close()
