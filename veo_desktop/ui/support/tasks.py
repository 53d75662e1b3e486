"""Kept task handles for async slots.

A slot starts its coroutine through `TaskKeeper.start(name, coro)`: the handle is kept (so it is not
garbage-collected mid-flight), a second start with the same name is ignored while the first runs (or
replaces it with `replace=True`), an unexpected error is reported instead of swallowed. On close, `close()`
cancels every task, refuses new ones and returns the cancelled tasks, so the closing window can await them
(a close that cancels *and* awaits: nothing of the window still runs once it is gone). `aclose()` does both.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

log = logging.getLogger(__name__)


class TaskKeeper:
    def __init__(
        self,
        on_error: Callable[[str, BaseException], None] | None = None,
        *,
        expected: tuple[type[BaseException], ...] = (),
    ) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error
        self._expected = expected  # refusals the person is told about: no traceback in the log
        self._closed = False

    def busy(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def start(self, name: str, coro: Coroutine[Any, Any, Any], *, replace: bool = False) -> asyncio.Task[Any] | None:
        if self._closed:
            coro.close()  # the owner is closing: nothing new starts
            return None
        current = self._tasks.get(name)
        if current is not None and not current.done():
            if not replace:
                coro.close()
                return None
            current.cancel()
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks[name] = task
        task.add_done_callback(functools.partial(self._done, name))
        return task

    def task(self, name: str) -> asyncio.Task[Any] | None:
        return self._tasks.get(name)

    def _done(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            if isinstance(exc, self._expected):
                log.info("task %s: %s", name, exc)
            else:
                log.error("task %s failed", name, exc_info=exc)
            if self._on_error is not None:
                self._on_error(name, exc)

    def cancel_all(self) -> list[asyncio.Task[Any]]:
        """Cancel the running tasks (new ones may still start); returns them, to be awaited."""
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        self._tasks.clear()
        return tasks

    def close(self) -> list[asyncio.Task[Any]]:
        """Cancel every task and refuse new ones; returns the cancelled tasks, to be awaited."""
        self._closed = True
        return self.cancel_all()

    async def aclose(self) -> None:
        """Close, and wait until every cancelled task has finished."""
        await wait_finished(self.close())

    async def wait_idle(self) -> None:
        """For tests and shutdown: wait for every running task to finish."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)


async def wait_finished(tasks: Sequence[asyncio.Task[Any]]) -> None:
    """Wait until these (cancelled) tasks have run their `finally` blocks; their errors were reported."""
    if tasks:
        await asyncio.wait(tasks)
