"""Kept task handles for async slots.

A slot starts its coroutine through `TaskKeeper.start(name, coro)`: the handle is kept (so it is not
garbage-collected mid-flight), a second start with the same name is ignored while the first runs (or
replaces it with `replace=True`), an unexpected error is reported instead of swallowed, and `cancel_all`
runs on close.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
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

    def busy(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def start(self, name: str, coro: Coroutine[Any, Any, Any], *, replace: bool = False) -> asyncio.Task[Any] | None:
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

    def cancel_all(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        self._tasks.clear()

    async def wait_idle(self) -> None:
        """For tests and shutdown: wait for every running task to finish."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
