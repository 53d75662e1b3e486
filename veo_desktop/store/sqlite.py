"""The Store on SQLite: every method is one short transaction, safe with several processes on one file.

Status changes go through `moves.move` (expectation, transition table, conditional UPDATE, event) inside one
`BEGIN IMMEDIATE`; charges and refunds through `moves.charge`/`moves.refund`. Per-job ledger sums are kept
by a trigger, so reading thousands of jobs never aggregates the ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from veo_desktop.core.jobs import Job, LedgerSummary, QueueState, VideoOutput
from veo_desktop.core.money import format_usd
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import ACTIVE, IN_FLIGHT, FailureKind, JobStatus
from veo_desktop.store import connection, moves, starts
from veo_desktop.store.base import (
    BudgetExceeded,
    Event,
    Holder,
    LedgerEntry,
    NewJob,
    QueuePlaces,
    StaleTransition,
    StoreInfo,
)
from veo_desktop.store.places import SLOT_HOLDERS, local_places
from veo_desktop.store.polling import SqlitePolling
from veo_desktop.store.rows import (
    EVENT_COLUMNS,
    JOB_COLUMNS,
    LEDGER_COLUMNS,
    event_from_row,
    job_from_row,
    ledger_from_row,
    outputs_to_json,
    request_to_json,
    strings_to_json,
)
from veo_desktop.store.starts import NEVER_SENT_NOTE as NEVER_SENT_NOTE
from veo_desktop.store.starts import UNKNOWN_START_MESSAGE as UNKNOWN_START_MESSAGE

Q, S, R, D = JobStatus.QUEUED, JobStatus.SUBMITTING, JobStatus.RUNNING, JobStatus.DOWNLOADING
GAVE_UP_MESSAGE = "You gave up on this start; its charge was refunded."
_NO_LEASE, _NO_SEND = starts.NO_LEASE, starts.NO_SEND
_NEW_ATTEMPT: dict[str, Any] = {
    **_NO_LEASE,
    **_NO_SEND,
    "started_at_ms": None,
    "finished_at_ms": None,
    "operation_name": None,
    "error_kind": None,
    "error_message": None,
    "filter_reasons_json": "[]",
    "outputs_json": "[]",
    "retry_at_ms": None,
    "note": None,
    "start_retries": 0,
}
_IN_FLIGHT_SQL = ", ".join(f"'{s.value}'" for s in sorted(IN_FLIGHT))
_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in sorted(ACTIVE))
_FIFO = "ORDER BY queue_order, created_at_ms, id"
# Fixed SQL assembled from constants only.
_SQL_WAITING = f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'queued' {_FIFO}"  # noqa: S608
_SQL_HEAD = f"SELECT id, retry_at_ms FROM jobs WHERE status = 'queued' {_FIFO} LIMIT 1"  # noqa: S608
_SQL_BY_IDS = f"SELECT rev, {JOB_COLUMNS} FROM jobs WHERE id IN ({{}})"  # noqa: S608
_CHUNK = 500
_CACHE_ROWS = 50_000  # parsed jobs kept between reads
_NO_ENTRY: tuple[int | None, None] = (None, None)
_SQL_RENEW = f"UPDATE jobs SET lease_until_ms = ? WHERE lease_owner = ? AND status IN ({_ACTIVE_SQL})"  # noqa: S608


class SqliteStore(SqlitePolling):
    """`SqliteStore(path)`; ":memory:" gives a private in-memory database. Use it from one thread."""

    def __init__(self, path: str | Path) -> None:
        self._name = str(path)
        self._conn = connection.open_database(path)
        self._writes = 0
        self._cache: dict[str, tuple[int, Job]] = {}  # id -> (rev, parsed row)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with connection.write(self._conn, self._name) as c:
            yield c
        self._writes += 1

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise connection.translate(exc, self._name) from exc

    # --- queue a batch -------------------------------------------------------------------------------
    def enqueue(self, jobs: Sequence[NewJob], *, now_ms: int, day_start_ms: int) -> list[Job]:
        if not jobs:
            return []
        with self._write() as c:
            _check_budget(c, day_start_ms, sum(j.cost_micros for j in jobs))
            order = moves.end_order(c)
            for i, new in enumerate(jobs):
                c.execute(
                    "INSERT INTO jobs (id, status, request_json, model_id, provider, queue_order, attempt, "
                    "cost_micros, created_at_ms) VALUES (?, 'queued', ?, ?, ?, ?, 1, ?, ?)",
                    (
                        new.id,
                        request_to_json(new.request),
                        new.request.model_id,
                        new.provider,
                        order + i,
                        new.cost_micros,
                        now_ms,
                    ),
                )
                moves.charge(c, new.id, 1, new.cost_micros, now_ms)
                detail = f"Queued; charged {format_usd(new.cost_micros)}."
                moves.add_event(c, new.id, now_ms, None, Q.value, detail)
            return [moves.load_job(c, new.id) for new in jobs]

    # --- reads ---------------------------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        try:
            return moves.load_job(self._conn, job_id)
        except sqlite3.Error as exc:
            raise connection.translate(exc, self._name) from exc

    def list_jobs(self, statuses: Sequence[JobStatus] | None = None, *, limit: int | None = None) -> list[Job]:
        where, params = "", list[Any]()
        if statuses is not None:
            if not statuses:
                return []
            where = f"WHERE status IN ({', '.join('?' * len(statuses))})"
            params = [JobStatus(s).value for s in statuses]
        tail = "ORDER BY created_at_ms DESC, id DESC"
        if limit is not None:
            tail += " LIMIT ?"
            params.append(limit)
        return self._jobs(f"{where} {tail}", params)

    def waiting_jobs(self) -> list[Job]:
        return self._jobs(f"WHERE status = 'queued' {_FIFO}", [])

    def _jobs(self, clauses: str, params: Sequence[Any]) -> list[Job]:
        """Rows by (id, rev) first, then parse only the rows that changed since this store last read them:
        a list of 10,000 jobs that barely changed costs one narrow query."""
        with connection.read(self._conn, self._name) as c:
            keys = c.execute(f"SELECT id, rev FROM jobs {clauses}", params).fetchall()  # noqa: S608
            cache = self._cache
            missing = [job_id for job_id, rev in keys if cache.get(job_id, _NO_ENTRY)[0] != rev]
            for i in range(0, len(missing), _CHUNK):
                chunk = missing[i : i + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                for row in c.execute(_SQL_BY_IDS.format(marks), chunk):
                    cache[row[1]] = (row[0], job_from_row(row[1:]))
        # Forget rows nobody reads any more, but not because one narrow query (say, the 2 jobs in flight)
        # came between two full reads: that would re-parse every row of the next snapshot.
        if len(cache) > max(2 * len(keys), _CACHE_ROWS):
            self._cache = {job_id: cache[job_id] for job_id, _ in keys}
        return [cache[job_id][1] for job_id, _ in keys]

    def recent_durations_s(self, model_id: str, *, limit: int = 20) -> list[float]:
        rows = self._fetch(
            "SELECT (finished_at_ms - started_at_ms) / 1000.0 FROM jobs WHERE status = 'completed' "
            "AND model_id = ? AND started_at_ms IS NOT NULL AND finished_at_ms IS NOT NULL "
            "ORDER BY finished_at_ms DESC LIMIT ?",
            (model_id, limit),
        )
        return [float(r[0]) for r in rows]

    def recent_start_times_ms(self, *, since_ms: int) -> list[int]:
        rows = self._fetch("SELECT at_ms FROM starts WHERE at_ms >= ? ORDER BY at_ms", (since_ms,))
        return [int(r[0]) for r in rows]

    def events(self, job_id: str | None = None, *, limit: int = 200) -> list[Event]:
        where, params = ("WHERE job_id = ? ", [job_id]) if job_id is not None else ("", [])
        sql = f"SELECT {EVENT_COLUMNS} FROM events {where}ORDER BY id DESC LIMIT ?"  # noqa: S608
        return [event_from_row(r) for r in reversed(self._fetch(sql, [*params, limit]))]

    def ledger(self, job_id: str | None = None) -> list[LedgerEntry]:
        where, params = ("WHERE job_id = ? ", [job_id]) if job_id is not None else ("", [])
        sql = f"SELECT {LEDGER_COLUMNS} FROM ledger {where}ORDER BY id"  # noqa: S608
        return [ledger_from_row(r) for r in self._fetch(sql, params)]

    def ledger_summary(self, *, day_start_ms: int, month_start_ms: int) -> LedgerSummary:
        with connection.read(self._conn, self._name) as c:
            budget = c.execute("SELECT daily_budget_micros FROM queue_state WHERE id = 1").fetchone()[0]
            return LedgerSummary(
                balance_micros=moves.net_since(c, None),
                spent_today_micros=moves.net_since(c, day_start_ms),
                spent_month_micros=moves.net_since(c, month_start_ms),
                daily_budget_micros=budget,
            )

    def queue_state(self) -> QueueState:
        (row,) = self._fetch("SELECT paused, pause_reason, cooldown_until_ms FROM queue_state WHERE id = 1")
        return QueueState(paused=bool(row[0]), pause_reason=row[1], cooldown_until_ms=row[2])

    def data_version(self) -> int:
        # PRAGMA data_version moves on other connections' commits, the counter on ours: both only grow.
        return int(self._fetch("PRAGMA data_version")[0][0]) + self._writes

    # --- the dispatcher's moves ---------------------------------------------------------------------
    def claim_next(
        self,
        *,
        owner: Holder | str,
        now_ms: int,
        lease_ms: int,
        config: SlotConfig,
        one_on_wire: bool = False,
        providers: Collection[str] | None = None,
        skip_models: Collection[str] = (),
    ) -> Job | None:
        with self._write() as c:
            return starts.claim_next(
                c,
                owner=owner,
                now_ms=now_ms,
                lease_ms=lease_ms,
                config=config,
                one_on_wire=one_on_wire,
                providers=providers,
                skip_models=skip_models,
            )

    def mark_sending(self, job_id: str, *, fence: int | None, now_ms: int, hold_until_ms: int) -> Job:
        with self._write() as c:
            job = moves.load_job(c, job_id)
            if job.status is not S:
                raise StaleTransition(f"Job {job_id} is {job.status.value} now, not submitting; it is not sent.")
            if fence is not None and job.fence != fence:
                raise moves.fenced(job_id)
            c.execute(
                "UPDATE jobs SET sending_at_ms = ?, slot_hold_until_ms = ? WHERE id = ? AND status = 'submitting'",
                (now_ms, hold_until_ms, job_id),
            )
            return moves.load_job(c, job_id)

    def mark_running(self, job_id: str, *, operation_name: str, now_ms: int, fence: int | None = None) -> Job:
        with self._write() as c:
            detail = f"Started at Google as {operation_name}."
            job = moves.move(
                c,
                job_id,
                (S,),
                R,
                at_ms=now_ms,
                detail=detail,
                expect_fence=fence,
                operation_name=operation_name,
                slot_hold_until_ms=None,
            )
            moves.close_start(c, job, "accepted")
            return moves.load_job(c, job_id)

    def requeue(
        self,
        job_id: str,
        *,
        retry_at_ms: int | None,
        note: str,
        count_start_retry: bool = False,
        now_ms: int | None = None,
        fence: int | None = None,
    ) -> Job:
        with self._write() as c:
            return starts.requeue(c, job_id, retry_at_ms, note, count_start_retry, now_ms, fence)

    def mark_unknown(
        self, job_id: str, *, message: str, now_ms: int, fence: int | None = None, hold_until_ms: int | None = None
    ) -> Job:
        with self._write() as c:
            starts.mark_unknown(c, job_id, message, now_ms, fence, hold_until_ms)
            return moves.load_job(c, job_id)

    def begin_download(self, job_id: str, *, now_ms: int, fence: int | None = None) -> Job:
        with self._write() as c:
            moves.move(c, job_id, (R,), D, at_ms=now_ms, detail="Downloading the video.", expect_fence=fence)
            return moves.load_job(c, job_id)

    def complete(
        self,
        job_id: str,
        *,
        outputs: Sequence[VideoOutput],
        now_ms: int,
        fence: int | None = None,
        refund_micros: int = 0,
        note: str | None = None,
    ) -> Job:
        saved = "Saved " + ", ".join(Path(o.path).name for o in outputs) + "."
        with self._write() as c:
            job = moves.move(
                c,
                job_id,
                (D,),
                JobStatus.COMPLETED,
                expect_fence=fence,
                at_ms=now_ms,
                detail=f"{saved} {note}" if note else saved,
                outputs_json=outputs_to_json(list(outputs)),
                finished_at_ms=now_ms,
                note=note,
                **_NO_LEASE,
            )
            if refund_micros > 0:
                moves.refund_part(c, job_id, job.attempt, refund_micros, now_ms)
            return moves.load_job(c, job_id)

    def fail(
        self,
        job_id: str,
        *,
        expected: JobStatus,
        kind: FailureKind,
        message: str,
        now_ms: int,
        filter_reasons: Sequence[str] = (),
        refund: bool = True,
        fence: int | None = None,
    ) -> Job:
        with self._write() as c:
            job = moves.move(
                c,
                job_id,
                (expected,),
                JobStatus.FAILED,
                expect_fence=fence,
                slot_hold_until_ms=None,
                at_ms=now_ms,
                detail=f"Failed ({kind.value}): {message}",
                error_kind=kind.value,
                error_message=message,
                filter_reasons_json=strings_to_json(list(filter_reasons)),
                finished_at_ms=now_ms,
                retry_at_ms=None,
                note=None,
                **_NO_LEASE,
            )
            moves.close_start(c, job, "failed")
            if refund:
                moves.refund(c, job_id, job.attempt, now_ms)
            return moves.load_job(c, job_id)

    def set_note(self, job_id: str, note: str | None) -> None:
        with self._write() as c:
            if c.execute("UPDATE jobs SET note = ? WHERE id = ?", (note, job_id)).rowcount != 1:
                raise moves.not_found(job_id)

    # --- leases --------------------------------------------------------------------------------------
    def adopt_active(
        self,
        *,
        owner: Holder | str,
        now_ms: int,
        lease_ms: int,
        gone: Collection[str] = (),
        providers: Collection[str] | None = None,
    ) -> list[Job]:
        with self._write() as c:
            return starts.adopt_active(c, owner=owner, now_ms=now_ms, lease_ms=lease_ms, gone=gone, providers=providers)

    def lease_holders(self) -> list[Holder]:
        try:
            return starts.lease_holders(self._conn)
        except sqlite3.Error as exc:
            raise connection.translate(exc, self._name) from exc

    def renew_leases(self, *, owner: Holder | str, now_ms: int, lease_ms: int) -> None:
        with self._write() as c:
            c.execute(_SQL_RENEW, (now_ms + lease_ms, Holder.of(owner).token))

    def release_leases(self, *, owner: Holder | str) -> None:
        with self._write() as c:
            c.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL "
                "WHERE lease_owner = ?",
                (Holder.of(owner).token,),
            )

    # --- the user's moves ---------------------------------------------------------------------------
    def cancel(self, job_id: str, *, now_ms: int) -> Job:
        with self._write() as c:
            return self._cancel(c, job_id, now_ms)

    @staticmethod
    def _cancel(c: sqlite3.Connection, job_id: str, now_ms: int) -> Job:
        sets = {"finished_at_ms": now_ms, "retry_at_ms": None, "note": None}
        detail = "Cancelled; charge refunded."
        job = moves.move(c, job_id, (Q,), JobStatus.CANCELLED, at_ms=now_ms, detail=detail, **sets)
        moves.refund(c, job_id, job.attempt, now_ms)
        return moves.load_job(c, job_id)

    def cancel_all_waiting(self, *, now_ms: int) -> list[Job]:
        with self._write() as c:
            return [self._cancel(c, job_id, now_ms) for job_id, _ in moves.waiting_order(c)]

    def retry(
        self, job_id: str, *, now_ms: int, cost_micros: int | None = None, day_start_ms: int | None = None
    ) -> Job:
        with self._write() as c:
            before = moves.load_job(c, job_id)
            cost = before.cost_micros if cost_micros is None else cost_micros
            if day_start_ms is not None and before.status in (JobStatus.FAILED, JobStatus.UNKNOWN_START):
                _check_budget(c, day_start_ms, cost)
            attempt = before.attempt + 1
            moves.move(
                c,
                job_id,
                (JobStatus.FAILED, JobStatus.UNKNOWN_START),
                Q,
                at_ms=now_ms,
                detail=f"Retried as attempt {attempt}; charged {format_usd(cost)}.",
                **_NEW_ATTEMPT,
                attempt=attempt,
                cost_micros=cost,
                queue_order=moves.end_order(c),
            )
            moves.charge(c, job_id, attempt, cost, now_ms)
            return moves.load_job(c, job_id)

    def give_up(self, job_id: str, *, now_ms: int) -> Job:
        unknown, gave_up = JobStatus.UNKNOWN_START, FailureKind.GAVE_UP
        return self.fail(job_id, expected=unknown, kind=gave_up, message=GAVE_UP_MESSAGE, now_ms=now_ms)

    def edit(
        self,
        job_id: str,
        *,
        request: GenerationRequest,
        cost_micros: int,
        now_ms: int,
        day_start_ms: int | None = None,
        provider: str | None = None,
    ) -> Job:
        with self._write() as c:
            job = moves.load_job(c, job_id)
            if job.status is not Q:
                raise StaleTransition(f"Job {job_id} is {job.status.value} now and can no longer be edited.")
            if day_start_ms is not None and cost_micros > job.cost_micros:
                _check_budget(c, day_start_ms, cost_micros - job.cost_micros)
            attempt = job.attempt + 1
            cur = c.execute(
                "UPDATE jobs SET request_json = ?, model_id = ?, cost_micros = ?, attempt = ?, provider = ?, "
                "start_retries = 0, note = NULL WHERE id = ? AND status = 'queued' AND attempt = ?",
                (
                    request_to_json(request),
                    request.model_id,
                    cost_micros,
                    attempt,
                    provider or job.provider,
                    job_id,
                    job.attempt,
                ),
            )
            if cur.rowcount != 1:
                raise StaleTransition(f"Job {job_id} changed while it was being edited; refresh and try again.")
            moves.refund(c, job_id, job.attempt, now_ms)
            moves.charge(c, job_id, attempt, cost_micros, now_ms)
            detail = f"Edited (attempt {attempt}); old charge refunded, {format_usd(cost_micros)} charged."
            moves.add_event(c, job_id, now_ms, Q.value, Q.value, detail)
            return moves.load_job(c, job_id)

    def move_to_top(self, job_id: str) -> Job:
        with self._write() as c:
            job = moves.load_job(c, job_id)
            if job.status is not Q:
                raise StaleTransition(f"Job {job_id} is {job.status.value} now and no longer waiting.")
            first_id, first_order = moves.waiting_order(c)[0]
            if first_id != job_id:
                c.execute("UPDATE jobs SET queue_order = ? WHERE id = ?", (first_order - 1, job_id))
            return moves.load_job(c, job_id)

    def reorder(self, job_ids: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(job_ids))
        if not wanted:
            return
        with self._write() as c:
            waiting = moves.waiting_order(c)
            places = dict(waiting)
            for job_id in wanted:
                if job_id not in places:
                    moves.load_job(c, job_id)  # JobNotFound when it does not exist at all
                    raise StaleTransition(f"Job {job_id} is no longer waiting; refresh the queue and try again.")
            updates = moves.reordered(waiting, wanted)
            c.executemany("UPDATE jobs SET queue_order = ? WHERE id = ? AND status = 'queued'", updates)

    def set_paused(self, paused: bool, *, reason: str | None = None) -> QueueState:
        with self._write() as c:
            c.execute(
                "UPDATE queue_state SET paused = ?, pause_reason = ? WHERE id = 1",
                (int(paused), reason if paused else None),
            )
        return self.queue_state()

    def set_cooldown(self, until_ms: int | None) -> QueueState:
        with self._write() as c:
            c.execute("UPDATE queue_state SET cooldown_until_ms = ? WHERE id = 1", (until_ms,))
        return self.queue_state()

    def set_daily_budget(self, budget_micros: int | None) -> None:
        with self._write() as c:
            c.execute("UPDATE queue_state SET daily_budget_micros = ? WHERE id = 1", (budget_micros,))

    # --- upkeep --------------------------------------------------------------------------------------
    def store_info(self) -> StoreInfo:
        return StoreInfo(kind="local", name=self._name)

    def queue_places(self) -> QueuePlaces:
        return local_places(self.waiting_jobs(), self.list_jobs(SLOT_HOLDERS))

    def integrity_check(self) -> str:
        return "\n".join(str(r[0]) for r in self._fetch("PRAGMA integrity_check"))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_budget(c: sqlite3.Connection, day_start_ms: int, more_micros: int) -> None:
    """Refuse new charges that would take today's net spend past the daily budget."""
    budget = c.execute("SELECT daily_budget_micros FROM queue_state WHERE id = 1").fetchone()[0]
    if budget is None:
        return
    spent = moves.net_since(c, day_start_ms)
    if spent + more_micros > budget:
        raise BudgetExceeded(
            f"Today's budget of {format_usd(budget)} would be exceeded "
            f"({format_usd(spent)} spent, {format_usd(more_micros)} more requested); "
            "raise the budget in Settings or wait until tomorrow."
        )
