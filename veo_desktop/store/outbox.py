"""The desktop's outbox of starts: a small SQLite journal in the app home, beside (never inside) the queue
store, so it works the same whatever store the desktop uses (a local file or a team's PostgreSQL).

Every write is its own transaction with `synchronous=FULL` in WAL mode: when `record` returns, the entry is
on disk (the WAL is fsynced at commit), so a kill right after it still finds it. Several processes of one
desktop (the window and the CLI) may share the file: entries name their writer, and each replay takes only
its own and those of writers that are gone. `AsyncOutbox` runs the journal on one worker thread of its own,
so the event loop (the GUI thread) never waits for an fsync.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from veo_desktop.core.outbox import OutboxEntry, StartState
from veo_desktop.store import connection
from veo_desktop.store.base import StoreError

T = TypeVar("T")
log = logging.getLogger(__name__)
_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS starts (
    job_id TEXT NOT NULL,
    fence INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'answered', 'not_sent')),
    operation_name TEXT,
    at_ms INTEGER NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    token TEXT NOT NULL,
    CHECK ((state = 'answered') = (operation_name IS NOT NULL)),
    PRIMARY KEY (job_id, fence)
) STRICT
"""
_COLUMNS = "job_id, fence, state, at_ms, host, pid, token, operation_name"
_UPSERT = f"INSERT OR REPLACE INTO starts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


class SqliteOutbox:
    """The journal itself, for one thread. `SqliteOutbox(path)`; the folder must exist."""

    def __init__(self, path: str | Path) -> None:
        self._name = str(path)
        try:
            self._conn = sqlite3.connect(self._name, isolation_level=None, timeout=connection.BUSY_TIMEOUT_MS / 1000)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute(f"PRAGMA busy_timeout = {connection.BUSY_TIMEOUT_MS}")
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version > _VERSION:
                raise StoreError(f"The outbox {self._name} was made by a newer version of the app; update the app.")
            self._conn.execute(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {_VERSION}")
        except sqlite3.Error as exc:
            raise connection.translate(exc, self._name) from exc

    def record(self, entry: OutboxEntry) -> None:
        """Write (or replace) the entry of its (job, fence); on disk when this returns."""
        params = (entry.job_id, entry.fence, entry.state.value, entry.at_ms, entry.host, entry.pid, entry.token)
        self._run(_UPSERT, (*params, entry.operation_name))

    def forget(self, job_id: str, fence: int) -> None:
        """Drop an entry, without waiting for the disk: one a power loss brings back is harmless (its replay
        meets the outcome the store recorded, a StaleTransition, and drops it)."""
        self._run("PRAGMA synchronous = NORMAL", ())
        try:
            self._run("DELETE FROM starts WHERE job_id = ? AND fence = ?", (job_id, fence))
        finally:
            self._run("PRAGMA synchronous = FULL", ())

    def entries(self) -> list[OutboxEntry]:
        rows = self._run(f"SELECT {_COLUMNS} FROM starts ORDER BY at_ms, job_id, fence", ())  # noqa: S608
        return [
            OutboxEntry(
                job_id=r[0],
                fence=int(r[1]),
                state=StartState(r[2]),
                at_ms=int(r[3]),
                host=r[4],
                pid=int(r[5]),
                token=r[6],
                operation_name=r[7],
            )
            for r in rows
        ]

    def _run(self, sql: str, params: tuple[object, ...]) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise connection.translate(exc, self._name) from exc

    def close(self) -> None:
        self._conn.close()


def _log_failure(done: Future[None]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("could not clear an outbox entry", exc_info=done.exception())


class AsyncOutbox:
    """The journal for async code (the engine's `StartJournal`): calls run in order on one worker thread. The
    file is opened at the first call (a process that never starts anything never creates it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="veo-outbox")
        self._opened: Future[SqliteOutbox] | None = None
        self._closed = False
        self._last: Future[Any] | None = None  # the latest call submitted (the worker runs them in order)

    @property
    def busy(self) -> bool:
        """A call is queued or running on the worker thread (see `AsyncStore.busy`)."""
        last = self._last
        return last is not None and not last.done()

    async def _call(self, fn: Callable[[SqliteOutbox], T]) -> T:
        if self._closed:
            raise StoreError("The outbox is closed; restart the app to use it again.")
        if self._opened is None:
            self._opened = self._executor.submit(SqliteOutbox, self.path)  # runs before every later call
        opened = self._opened
        future = self._executor.submit(lambda: fn(opened.result()))
        self._last = future
        return await asyncio.wrap_future(future)

    async def record(self, entry: OutboxEntry) -> None:
        await self._call(lambda j: j.record(entry))

    async def forget(self, job_id: str, fence: int) -> None:
        await self._call(lambda j: j.forget(job_id, fence))

    def forget_soon(self, job_id: str, fence: int) -> None:
        """Queue the removal behind the earlier calls without waiting for it; a failure is logged (the entry
        then stays, and the next replay drops it). After `aclose` it does nothing."""
        if self._closed:
            return
        if self._opened is None:
            self._opened = self._executor.submit(SqliteOutbox, self.path)
        opened = self._opened
        done = self._executor.submit(lambda: opened.result().forget(job_id, fence))
        done.add_done_callback(_log_failure)
        self._last = done

    async def entries(self) -> list[OutboxEntry]:
        return await self._call(lambda j: j.entries())

    def _close(self) -> None:
        if self._opened is not None and self._opened.exception() is None:
            self._opened.result().close()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._close)
        finally:
            self._executor.shutdown(wait=True)

    def close(self) -> None:
        """Synchronous close, for shutdown paths without a running loop."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.submit(self._close).result()
        finally:
            self._executor.shutdown(wait=True)
