"""The store for async code: one worker thread owns the connection; the event loop never touches sqlite.

    store = AsyncStore(lambda: SqliteStore(path))
    job = await store.run(lambda s: s.get(job_id))  # StoreCorrupted etc. if it could not be opened
    await store.aclose()

Calls run one at a time, in submission order, on that thread (sqlite's same-thread check holds, and a
store method is a short transaction, so queuing them is cheaper than a connection pool).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from veo_desktop.core.errors import StoreUnavailable
from veo_desktop.store.base import Store, StoreError

T = TypeVar("T")


class AsyncStore:
    def __init__(self, factory: Callable[[], Store]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veo-store")
        # Opened on the worker thread (the connection belongs to it) without blocking the caller; a failure
        # to open (StoreCorrupted, StoreLocked) is raised by every call, starting with the first.
        self._opened: Future[Store] = self._executor.submit(factory)
        self._closed = False
        self._unreachable: StoreUnavailable | None = None
        self._last: Future[Any] | None = None  # the latest call submitted (the worker runs them in order)

    @property
    def busy(self) -> bool:
        """A call is queued or running on the worker thread (the test rig lets it finish before it moves
        virtual time)."""
        last = self._last
        return last is not None and not last.done()

    @property
    def unreachable(self) -> StoreUnavailable | None:
        """The error of the latest call when the (team) database could not be reached, else None."""
        return self._unreachable

    def _call(self, fn: Callable[[Store], T]) -> T:
        return fn(self._opened.result())  # the single worker ran the factory first: no wait here

    async def run(self, fn: Callable[[Store], T]) -> T:
        """Run `fn(store)` on the store's thread and return its result (or raise its exception)."""
        if self._closed:
            raise StoreError("The queue database is closed; restart the app to use it again.")
        future = self._executor.submit(self._call, fn)
        self._last = future
        try:
            result = await asyncio.wrap_future(future)
        except StoreUnavailable as exc:
            self._unreachable = exc
            raise
        except Exception:
            self._unreachable = None  # any other answer came from the database
            raise
        self._unreachable = None
        return result

    def _close_store(self) -> None:
        if self._opened.exception() is None:
            self._opened.result().close()

    async def aclose(self) -> None:
        """Close the store after the calls already submitted; later calls raise StoreError."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._close_store)
        finally:
            self._executor.shutdown(wait=True)  # the worker is idle by now: this does not block

    def close(self) -> None:
        """Synchronous close, for shutdown paths without a running loop."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.submit(self._close_store).result()
        finally:
            self._executor.shutdown(wait=True)
