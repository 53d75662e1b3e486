"""A session with the team database: one connection (reconnected after a loss), SERIALIZABLE write
transactions retried on serialisation failures, reads, and the team's own calls (pool, presence, places).

`PostgresStore` (store.py) builds the Store contract on it. A write whose connection broke is never run
again (StoreUnavailable): the caller re-reads what happened.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg

from veo_desktop.core.errors import JobNotFound, StoreError, StoreLocked, StoreUnavailable
from veo_desktop.core.jobs import Job
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.base import Desktop, QueuePlaces, StoreInfo
from veo_desktop.store.places import team_places
from veo_desktop.store.postgres import conn as pgconn
from veo_desktop.store.postgres.schema import SUPPORTED_VERSIONS
from veo_desktop.store.rows import JOB_COLUMNS, job_from_row

T = TypeVar("T")
Conn = psycopg.Connection[tuple[Any, ...]]
TRIES = 5
SELECT_JOB = f"SELECT {JOB_COLUMNS} FROM veo.jobs WHERE id = %s"  # noqa: S608 (constant column list)


class Session:
    """`Session(url, desktop_id=...)`; use it from one thread."""

    def __init__(
        self,
        url: str,
        *,
        desktop_id: str,
        password: str | None = None,
        wall_ms: Callable[[], int] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        pgconn.check_url(url)
        self._url = url
        self._password = password
        self.desktop_id = desktop_id
        self.creator = pgconn.user_of(url)
        self._wall_ms = wall_ms or (lambda: int(time.time() * 1000))
        self._rng = rng or random.Random()
        self._conn: Conn | None = None
        self.retries = 0  # serialisation failures retried (for the benchmarks and the race test)
        self.busy_claims = 0  # claims given up as "nothing now" after the retries (see claim_next)
        try:
            self._check_schema(self._connection())
        except BaseException:
            self.close()  # a refused database keeps no connection open
            raise

    # --- connection and transactions ---------------------------------------------------------------
    def _connection(self) -> Conn:
        if self._conn is None or self._conn.closed or self._conn.broken:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._conn = pgconn.connect(self._url, password=self._password, application_name=f"veo-{self.desktop_id}")
        return self._conn

    def _check_schema(self, c: Conn) -> None:
        try:
            row = c.execute("SELECT max(version) FROM veo.schema_version").fetchone()
        except psycopg.errors.UndefinedTable as exc:
            raise StoreError(
                f"{pgconn.describe(self._url)} holds no Veo team schema; ask the admin to run "
                "`veo-desktop-cli team init ADMIN_URL`."
            ) from exc
        except psycopg.Error as exc:
            raise pgconn.translate(exc, self._url) from exc
        version = int(row[0] or 0) if row else 0
        if version not in SUPPORTED_VERSIONS:
            newer = version > max(SUPPORTED_VERSIONS)
            raise StoreError(
                f"The team database has schema {version}; "
                + ("update the app to use it." if newer else "ask the admin to run `veo-desktop-cli team init`.")
            )

    def _error(self, exc: psycopg.Error) -> StoreError | Exception:
        if self._conn is not None and (self._conn.broken or self._conn.closed):
            self._conn = None
        return pgconn.translate(exc, self._url)

    def _write(self, fn: Callable[[Conn], T]) -> T:
        """Run `fn` in one SERIALIZABLE transaction, again on a serialisation failure."""
        for attempt in range(TRIES):
            c = self._connection()
            try:
                c.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
                result = fn(c)
                c.execute("COMMIT")
                return result
            except psycopg.Error as exc:
                self._rollback(c)
                if exc.sqlstate in pgconn.RETRY_SQLSTATES and attempt < TRIES - 1:
                    self.retries += 1
                    time.sleep(self._rng.uniform(0, 0.005 * 2**attempt))
                    continue
                raise self._error(exc) from exc
            except BaseException:
                self._rollback(c)
                raise
        raise StoreLocked("unreachable")  # pragma: no cover

    @staticmethod
    def _rollback(c: Conn) -> None:
        if not c.broken and not c.closed:
            try:
                c.execute("ROLLBACK")
            except psycopg.Error:
                c.close()

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._connection().execute(sql, params).fetchall()
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def read_view(self, fn: Callable[[Conn], T]) -> T:
        """Several reads in one consistent snapshot (REPEATABLE READ READ ONLY)."""
        c = self._connection()
        try:
            c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            result = fn(c)
            c.execute("COMMIT")
            return result
        except psycopg.Error as exc:
            self._rollback(c)
            raise self._error(exc) from exc

    @staticmethod
    def _call(c: Conn, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = c.execute(sql, params)  # constant SQL
        return cur.fetchall() if cur.description else []

    @staticmethod
    def _job(c: Conn, job_id: str) -> Job:
        row = c.execute(SELECT_JOB, (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"Job {job_id} is not in the queue database; refresh the list.")
        return job_from_row(row)

    def _move(self, job_id: str, sql: str, params: Sequence[Any]) -> Job:
        def run(c: Conn) -> Job:
            self._call(c, sql, params)
            return self._job(c, job_id)

        return self._write(run)

    # --- team mode only ------------------------------------------------------------------------------
    def set_pool_config(
        self,
        *,
        max_in_flight: int | None = None,
        max_starts_per_minute: int | None = None,
        one_start_on_wire: bool | None = None,
        paused: bool | None = None,
        pause_reason: str | None = None,
    ) -> None:
        """The team's cap and start rate (admins only)."""
        sql = "SELECT veo_api.set_pool(%s::int, %s::int, %s, %s, %s)"
        params = (max_in_flight, max_starts_per_minute, one_start_on_wire, paused, pause_reason)
        self._write(lambda c: self._call(c, sql, params))

    def set_creator_budget(self, creator: str, budget_micros: int | None) -> None:
        sql = "SELECT veo_api.set_creator_budget(%s, %s::bigint)"
        self._write(lambda c: self._call(c, sql, (creator, budget_micros)))

    def pool_config(self) -> SlotConfig:
        rows = self._fetch("SELECT max_in_flight, max_starts_per_minute FROM veo.pool WHERE id = 1")
        return SlotConfig(max_in_flight=int(rows[0][0]), max_starts_per_minute=int(rows[0][1]))

    def heartbeat(self) -> int:
        """Mark this desktop present; returns the database time (ms)."""
        rows = self._fetch("SELECT veo_api.heartbeat(%s, NULL)", (self.desktop_id,))
        return int(rows[0][0])

    def server_now_ms(self) -> int:
        return int(self._fetch("SELECT veo_api.server_now_ms()")[0][0])

    def team_queue(self) -> list[tuple[str, str, str, str, int | None]]:
        """Everyone's places: (job id, creator, model, status, position); never a prompt."""
        rows = self._fetch(
            "SELECT id, creator, model_id, status, position FROM veo_api.queue ORDER BY position NULLS FIRST, id"
        )
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]

    def queue_places(self) -> QueuePlaces:
        """Everyone's places in one snapshot, with the team's cap (`Store.queue_places`)."""

        def read(c: Conn) -> QueuePlaces:
            rows = self._call(
                c, "SELECT id, creator, model_id, status, position, slot_hold_until_ms FROM veo_api.queue"
            )
            (pool,) = self._call(c, "SELECT max_in_flight, max_starts_per_minute FROM veo.pool WHERE id = 1")
            slots = SlotConfig(max_in_flight=int(pool[0]), max_starts_per_minute=int(pool[1]))
            return QueuePlaces(places=team_places(rows, me=self.creator), slots=slots)

        return self.read_view(read)

    def store_info(self) -> StoreInfo:
        name = pgconn.describe(self._url)
        try:
            rows = self.desktops()
        except StoreUnavailable as exc:
            return StoreInfo(kind="team", name=name, problem=str(exc))
        return StoreInfo(kind="team", name=name, desktops=tuple(Desktop(*row) for row in rows))

    def desktops(self) -> list[tuple[str, str, int, bool]]:
        rows = self._fetch("SELECT desktop_id, creator, seen_at_ms, present FROM veo_api.desktops ORDER BY creator")
        return [(str(r[0]), str(r[1]), int(r[2]), bool(r[3])) for r in rows]

    def spending(self) -> list[tuple[str, int | None, int]]:
        """(creator, daily budget, balance) for every creator, and so the studio's total."""
        rows = self._fetch("SELECT creator, daily_budget_micros, balance_micros FROM veo_api.spending ORDER BY creator")
        return [(str(r[0]), r[1], int(r[2])) for r in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
