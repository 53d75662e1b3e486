"""LISTEN/NOTIFY as a wake-up, and the desktop's heartbeat, on a second connection of its own.

A notification only says "look again": the dispatcher's next claim asks the database, which decides.
Notifications are lost while the connection is down, so the dispatcher's idle poll stays; the listener
reconnects by itself with a growing pause. It never holds a transaction open (autocommit), which would block
the server's notification queue. At connect it LISTENs and NOTIFYs itself: a transaction-mode pooler (PgBouncer
in transaction or statement mode, Supabase's port 6543) delivers no echo, and team mode refuses it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg

from veo_desktop.core.errors import StoreError
from veo_desktop.store.postgres import conn as pgconn

log = logging.getLogger(__name__)

CHANNEL = "veo_queue"
ECHO_TIMEOUT_S = 2.0
HEARTBEAT_S = 5.0
POOLER_MESSAGE = (
    "The team URL goes through a transaction-mode pooler (PgBouncer in transaction mode, or Supabase's port "
    "6543), which breaks LISTEN, session settings and prepared statements: use the direct connection or the "
    "session pooler (port 5432)."
)


def check_echo(conn: psycopg.Connection[Any], timeout_s: float = ECHO_TIMEOUT_S) -> None:
    """LISTEN on a private channel, NOTIFY it, and wait for the echo (StoreError when none comes)."""
    channel = f"veo_echo_{uuid.uuid4().hex[:12]}"
    conn.execute(f"LISTEN {channel}")  # a name of our own making: hex digits only
    conn.execute("SELECT pg_notify(%s, 'echo')", (channel,))
    got = any(n.channel == channel for n in conn.notifies(timeout=timeout_s, stop_after=1))
    conn.execute(f"UNLISTEN {channel}")
    if not got:
        raise StoreError(POOLER_MESSAGE)


class Listener:
    """`Listener(url, password=..., desktop_id=..., on_wake=callback).start()`; `stop()` joins the thread.
    `on_wake` runs on the listener's thread: pass something thread-safe (`loop.call_soon_threadsafe(...)`)."""

    def __init__(
        self,
        url: str,
        *,
        password: str | None,
        desktop_id: str,
        on_wake: Callable[[], None],
        heartbeat_s: float = HEARTBEAT_S,
        now_ms: Callable[[], int] | None = None,
    ) -> None:
        self._url, self._password, self._desktop = url, password, desktop_id
        self._on_wake = on_wake
        self._heartbeat_s = heartbeat_s
        self._now_ms = now_ms  # the caller's clock: counts only where the owner pinned the clock for tests
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.wakes = 0
        self.connected = threading.Event()

    def _connect(self) -> psycopg.Connection[Any]:
        conn = pgconn.connect(self._url, password=self._password, application_name=f"veo-{self._desktop}-listen")
        try:
            check_echo(conn)
            conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            conn.close()
            raise
        return conn

    def start(self) -> None:
        """Connect and check the echo now (raises StoreError for a transaction pooler), then listen."""
        first = self._connect()
        self._thread = threading.Thread(target=self._run, args=(first,), name="veo-team-listener", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self, conn: psycopg.Connection[Any] | None) -> None:
        pause_s = 0.5
        while not self._stop.is_set():
            try:
                if conn is None or conn.closed or conn.broken:
                    conn = self._connect()
                    self._on_wake()  # notifications were lost while it was down: look again
                self.connected.set()
                self._listen(conn)
                pause_s = 0.5
            except (psycopg.Error, StoreError) as exc:
                self.connected.clear()
                log.warning("team listener: %s; reconnecting in %.1f s", type(exc).__name__, pause_s)
                if conn is not None:
                    conn.close()
                conn = None
                self._stop.wait(pause_s)
                pause_s = min(pause_s * 2, 15.0)
        if conn is not None:
            conn.close()

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        beat_at = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= beat_at:
                now = self._now_ms() if self._now_ms is not None else None
                conn.execute("SELECT veo_api.heartbeat(%s, %s::bigint)", (self._desktop, now))
                beat_at = time.monotonic() + self._heartbeat_s
            for _ in conn.notifies(timeout=1.0):  # each one wakes at once; the dispatcher coalesces
                self.wakes += 1
                self._on_wake()
