"""The Store on PostgreSQL: a studio's desktops share one queue, one cap and one clock.

Every write is one call of a `veo_api` function in a SERIALIZABLE transaction, retried on 40001/40P01
(5 tries, then StoreLocked): safe, since no store method has an effect outside the database. The database
decides: its clock dates leases, presence, events and the rate window (the `now_ms` a caller passes counts
only where the owner pinned the clock for tests); the cap and start rate are the team's pool row (the
caller's SlotConfig is ignored). Reads go straight to the tables, where row-level security shows the
caller only their own jobs, ledger and events. A lost connection is reconnected at the next call; a write
whose connection broke is never run again (StoreUnavailable): the caller re-reads what happened.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from veo_desktop.core.errors import JobNotFound, StaleTransition, StoreLocked, StoreUnavailable
from veo_desktop.core.jobs import Job, LedgerSummary, QueueState, VideoOutput
from veo_desktop.core.request import GenerationRequest
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus, check_transition
from veo_desktop.store.base import Event, Holder, LedgerEntry, NewJob
from veo_desktop.store.postgres.polling import PostgresPolling
from veo_desktop.store.postgres.session import SELECT_JOB, Conn
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

GAVE_UP_MESSAGE = "You gave up on this start; its charge was refunded."
_FIFO = "ORDER BY queue_order, created_at_ms, id"
_SQL_WAITING = f"SELECT {JOB_COLUMNS} FROM veo.jobs WHERE status = 'queued' {_FIFO}"  # noqa: S608


def _needs_desktop(request: GenerationRequest) -> bool:
    """A job with frames starts only on the desktop that holds them."""
    return bool(request.start_frame or request.end_frame or request.reference_images)


class PostgresStore(PostgresPolling):
    """`PostgresStore(url, desktop_id=...)`; use it from one thread (AsyncStore's worker)."""

    # --- queue a batch -------------------------------------------------------------------------------
    def enqueue(self, jobs: Sequence[NewJob], *, now_ms: int, day_start_ms: int) -> list[Job]:
        if not jobs:
            return []
        batch = json.dumps(
            [
                {
                    "id": j.id,
                    "request_json": request_to_json(j.request),
                    "model_id": j.request.model_id,
                    "provider": j.provider,
                    "cost_micros": j.cost_micros,
                    "needs_desktop": _needs_desktop(j.request),
                }
                for j in jobs
            ],
            ensure_ascii=False,
        )

        def run(c: Conn) -> list[Job]:
            self._call(
                c,
                "SELECT veo_api.enqueue(%s::jsonb, %s, %s::bigint, %s::bigint)",
                (batch, self.desktop_id, now_ms, day_start_ms),
            )
            ids = [j.id for j in jobs]
            rows = c.execute(f"SELECT {JOB_COLUMNS} FROM veo.jobs WHERE id = ANY(%s)", (ids,)).fetchall()  # noqa: S608
            by_id = {row[0]: job_from_row(row) for row in rows}
            return [by_id[i] for i in ids]

        return self._write(run)

    # --- reads ---------------------------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        rows = self._fetch(SELECT_JOB, (job_id,))
        if not rows:
            raise JobNotFound(f"Job {job_id} is not in the queue database; refresh the list.")
        return job_from_row(rows[0])

    def list_jobs(self, statuses: Sequence[JobStatus] | None = None, *, limit: int | None = None) -> list[Job]:
        where, params = "", list[Any]()
        if statuses is not None:
            if not statuses:
                return []
            where = "WHERE status = ANY(%s)"
            params.append([JobStatus(s).value for s in statuses])
        tail = "ORDER BY created_at_ms DESC, id DESC"
        if limit is not None:
            tail += " LIMIT %s"
            params.append(limit)
        sql = f"SELECT {JOB_COLUMNS} FROM veo.jobs {where} {tail}"  # noqa: S608
        return [job_from_row(r) for r in self._fetch(sql, params)]

    def waiting_jobs(self) -> list[Job]:
        return [job_from_row(r) for r in self._fetch(_SQL_WAITING)]

    def recent_durations_s(self, model_id: str, *, limit: int = 20) -> list[float]:
        rows = self._fetch(
            "SELECT (finished_at_ms - started_at_ms) / 1000.0 FROM veo.jobs WHERE status = 'completed' "
            "AND model_id = %s AND started_at_ms IS NOT NULL AND finished_at_ms IS NOT NULL "
            "ORDER BY finished_at_ms DESC LIMIT %s",
            (model_id, limit),
        )
        return [float(r[0]) for r in rows]

    def recent_start_times_ms(self, *, since_ms: int) -> list[int]:
        rows = self._fetch("SELECT at_ms FROM veo.starts WHERE at_ms >= %s ORDER BY at_ms", (since_ms,))
        return [int(r[0]) for r in rows]

    def events(self, job_id: str | None = None, *, limit: int = 200) -> list[Event]:
        where, params = ("WHERE job_id = %s ", [job_id]) if job_id is not None else ("", [])
        sql = f"SELECT {EVENT_COLUMNS} FROM veo.events {where}ORDER BY id DESC LIMIT %s"  # noqa: S608
        return [event_from_row(r) for r in reversed(self._fetch(sql, [*params, limit]))]

    def ledger(self, job_id: str | None = None) -> list[LedgerEntry]:
        where, params = ("WHERE job_id = %s ", [job_id]) if job_id is not None else ("", [])
        sql = f"SELECT {LEDGER_COLUMNS} FROM veo.ledger {where}ORDER BY id"  # noqa: S608
        return [ledger_from_row(r) for r in self._fetch(sql, params)]

    def ledger_summary(self, *, day_start_ms: int, month_start_ms: int) -> LedgerSummary:
        """The caller's own spending (row-level security shows only their ledger)."""
        net = "SUM(CASE kind WHEN 'charge' THEN amount_micros ELSE -amount_micros END)"
        rows = self._fetch(
            f"SELECT {net}, {net} FILTER (WHERE at_ms >= %s), {net} FILTER (WHERE at_ms >= %s), "  # noqa: S608
            "(SELECT daily_budget_micros FROM veo.creators WHERE name = session_user) FROM veo.ledger",
            (day_start_ms, month_start_ms),
        )
        balance, today, month, budget = rows[0]
        return LedgerSummary(
            balance_micros=int(balance or 0),
            spent_today_micros=int(today or 0),
            spent_month_micros=int(month or 0),
            daily_budget_micros=budget,
        )

    def queue_state(self) -> QueueState:
        rows = self._fetch(
            "SELECT p.paused, p.pause_reason, p.cooldown_until_ms, c.paused, c.pause_reason "
            "FROM veo.pool p LEFT JOIN veo.creators c ON c.name = session_user WHERE p.id = 1"
        )
        team_paused, team_reason, cooldown, mine_paused, mine_reason = rows[0]
        if mine_paused:
            return QueueState(paused=True, pause_reason=mine_reason, cooldown_until_ms=cooldown)
        return QueueState(paused=bool(team_paused), pause_reason=team_reason, cooldown_until_ms=cooldown)

    def data_version(self) -> int:
        # A sequence bumped once per committed write (and by refused ones: it only grows, as it must).
        return int(self._fetch("SELECT last_value + is_called::int FROM veo.change_seq")[0][0])

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
        """The team's pool row decides the cap and the rate; `config` is ignored in team mode. A claim that
        loses the race for the pool row five times claims nothing (None), rather than raising StoreLocked.
        Held models are passed over in everyone's jobs (a retired model is retired for the whole team)."""
        holder, wanted, held = Holder.of(owner), None if providers is None else sorted(providers), sorted(skip_models)
        hint = self._fetch(
            "SELECT veo_api.may_claim_v3(%s, %s::bigint, %s, %s::text[], %s::text[])",
            (self.desktop_id, now_ms, one_on_wire, wanted, held),
        )
        if not hint[0][0]:
            return None  # a lock-free look first: the head is someone else's, or a gate is closed
        params = (self.desktop_id, holder.token, holder.host, holder.pid, str(holder), now_ms, lease_ms, one_on_wire)

        def run(c: Conn) -> Job | None:
            (row,) = self._call(
                c,
                "SELECT veo_api.claim_next_v3("
                "%s, %s, %s, %s::int, %s, %s::bigint, %s::bigint, %s, %s::text[], %s::text[])",
                (*params, wanted, held),
            )
            return None if row[0] is None else self._job(c, row[0])

        try:
            return self._write(run)
        except StoreLocked:
            # Other desktops kept winning the pool row: nothing was claimed, which is always safe; their
            # commits notify this desktop, and the next look tries again.
            self.busy_claims += 1
            return None

    def mark_sending(self, job_id: str, *, fence: int | None, now_ms: int, hold_until_ms: int) -> Job:
        sql = "SELECT veo_api.mark_sending(%s, %s::bigint, %s::bigint, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, fence, now_ms, hold_until_ms, now_ms))

    def mark_running(self, job_id: str, *, operation_name: str, now_ms: int, fence: int | None = None) -> Job:
        sql = "SELECT veo_api.mark_running(%s, %s, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, operation_name, now_ms, fence))

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
        caller_now = now_ms if now_ms is not None else self._wall_ms()
        sql = "SELECT veo_api.requeue(%s, %s::bigint, %s::bigint, %s, %s, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, retry_at_ms, caller_now, note, count_start_retry, now_ms, fence))

    def mark_unknown(
        self, job_id: str, *, message: str, now_ms: int, fence: int | None = None, hold_until_ms: int | None = None
    ) -> Job:
        sql = "SELECT veo_api.mark_unknown(%s, %s, %s::bigint, %s::bigint, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, message, now_ms, fence, hold_until_ms, now_ms))

    def late_answer(self, job_id: str, *, fence: int | None, operation_name: str, now_ms: int) -> Job:
        sql = "SELECT veo_api.late_answer(%s, %s, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, operation_name, now_ms, fence))

    def release_unsent(self, job_id: str, *, fence: int | None, now_ms: int, note: str) -> Job:
        sql = "SELECT veo_api.release_unsent(%s, %s, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, note, now_ms, fence))

    def begin_download(self, job_id: str, *, now_ms: int, fence: int | None = None) -> Job:
        sql = "SELECT veo_api.begin_download(%s, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, now_ms, fence))

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
        """The partial refund is booked in the same transaction, capped at the attempt's charge."""
        detail = "Saved " + ", ".join(Path(o.path).name for o in outputs) + "."
        sql = "SELECT veo_api.complete_v2(%s, %s, %s, %s, %s::bigint, %s::bigint, %s::bigint)"
        params = (job_id, outputs_to_json(list(outputs)), detail, note, refund_micros, now_ms, fence)
        return self._move(job_id, sql, params)

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
        check_transition(expected, JobStatus.FAILED)
        reasons = strings_to_json(list(filter_reasons))
        sql = "SELECT veo_api.fail(%s, %s, %s, %s, %s, %s, %s::bigint, %s::bigint)"
        params = (job_id, expected.value, kind.value, message, reasons, refund, now_ms, fence)
        return self._move(job_id, sql, params)

    def set_note(self, job_id: str, note: str | None) -> None:
        self._write(lambda c: self._call(c, "SELECT veo_api.set_note(%s, %s)", (job_id, note)))

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
        """Your own creator's jobs only (another creator's prompt never reaches this desktop)."""
        holder, wanted = Holder.of(owner), None if providers is None else sorted(providers)
        params = (holder.token, holder.host, holder.pid, str(holder), now_ms, lease_ms, sorted(gone), wanted)

        def run(c: Conn) -> list[Job]:
            rows = self._call(
                c,
                "SELECT * FROM veo_api.adopt_active("
                "%s, %s, %s::int, %s, %s::bigint, %s::bigint, %s::text[], %s::text[])",
                params,
            )
            return [self._job(c, r[0]) for r in rows]

        return self._write(run)

    def lease_holders(self) -> list[Holder]:
        rows = self._fetch(
            "SELECT DISTINCT lease_host, lease_pid, lease_owner FROM veo.jobs "
            "WHERE status IN ('submitting', 'running', 'downloading') AND lease_owner IS NOT NULL ORDER BY lease_owner"
        )
        return [Holder(host=host or "", pid=int(pid or 0), token=token) for host, pid, token in rows]

    def renew_leases(self, *, owner: Holder | str, now_ms: int, lease_ms: int) -> None:
        """The caller's own jobs, and the polling leases it holds on other creators' jobs."""
        sql, token = "SELECT veo_api.renew_leases(%s, %s, %s::bigint, %s::bigint)", Holder.of(owner).token

        def run(c: Conn) -> None:
            self._call(c, sql, (self.desktop_id, token, now_ms, lease_ms))
            self._renew_polling(c, token, now_ms, lease_ms)

        self._write(run)

    def release_leases(self, *, owner: Holder | str) -> None:
        token = Holder.of(owner).token

        def run(c: Conn) -> None:
            self._call(c, "SELECT veo_api.release_leases(%s)", (token,))
            self._release_polling(c, token)

        self._write(run)

    # --- the user's moves ---------------------------------------------------------------------------
    def cancel(self, job_id: str, *, now_ms: int) -> Job:
        return self._move(job_id, "SELECT veo_api.cancel(%s, %s::bigint)", (job_id, now_ms))

    def cancel_all_waiting(self, *, now_ms: int) -> list[Job]:
        def run(c: Conn) -> list[Job]:
            rows = self._call(c, "SELECT * FROM veo_api.cancel_all_waiting(%s::bigint)", (now_ms,))
            return [self._job(c, r[0]) for r in rows]

        return self._write(run)

    def retry(
        self, job_id: str, *, now_ms: int, cost_micros: int | None = None, day_start_ms: int | None = None
    ) -> Job:
        sql = "SELECT veo_api.retry(%s, %s::bigint, %s::bigint, %s::bigint)"
        return self._move(job_id, sql, (job_id, now_ms, cost_micros, day_start_ms))

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
        sql = "SELECT veo_api.edit_v2(%s, %s, %s, %s, %s::bigint, %s::bigint, %s::bigint)"
        params = (job_id, request_to_json(request), request.model_id, provider, cost_micros, now_ms, day_start_ms)
        return self._move(job_id, sql, params)

    def _own_waiting(self, c: Conn) -> list[str]:
        rows = c.execute(f"SELECT id FROM veo.jobs WHERE status = 'queued' {_FIFO}").fetchall()  # noqa: S608
        return [str(r[0]) for r in rows]

    def _permute(self, c: Conn, order: list[str]) -> None:
        self._call(c, "SELECT veo_api.permute(%s::text[])", (order,))

    def move_to_top(self, job_id: str) -> Job:
        def run(c: Conn) -> Job:
            job = self._job(c, job_id)
            if job.status is not JobStatus.QUEUED:
                raise StaleTransition(f"Job {job_id} is {job.status.value} now and no longer waiting.")
            mine = self._own_waiting(c)
            if mine[0] != job_id:
                self._permute(c, [job_id, *(i for i in mine if i != job_id)])
            return self._job(c, job_id)

        return self._write(run)

    def reorder(self, job_ids: Sequence[str]) -> None:
        """Your waiting jobs take these places in this order (others' places never move)."""
        wanted = list(dict.fromkeys(job_ids))
        if not wanted:
            return

        def run(c: Conn) -> None:
            mine = self._own_waiting(c)
            for job_id in wanted:
                if job_id not in mine:
                    self._job(c, job_id)  # JobNotFound when it does not exist (for this creator)
                    raise StaleTransition(f"Job {job_id} is no longer waiting; refresh the queue and try again.")
            chosen = set(wanted)
            first = next(i for i, job_id in enumerate(mine) if job_id in chosen)
            rest = [i for i in mine if i not in chosen]
            order = rest[:first] + wanted + rest[first:]
            if order != mine:
                self._permute(c, order)

        self._write(run)

    def set_paused(self, paused: bool, *, reason: str | None = None) -> QueueState:
        self._write(lambda c: self._call(c, "SELECT veo_api.set_paused(%s, %s)", (paused, reason)))
        return self.queue_state()

    def set_cooldown(self, until_ms: int | None) -> QueueState:
        sql = "SELECT veo_api.set_cooldown(%s::bigint, %s::bigint)"
        self._write(lambda c: self._call(c, sql, (until_ms, self._wall_ms())))
        return self.queue_state()

    def set_daily_budget(self, budget_micros: int | None) -> None:
        """Your own daily budget; only an admin may set it (`team budget` sets anyone's)."""
        self._write(lambda c: self._call(c, "SELECT veo_api.set_daily_budget(%s::bigint)", (budget_micros,)))

    # --- upkeep --------------------------------------------------------------------------------------
    def integrity_check(self) -> str:
        return str(self._fetch("SELECT veo_api.integrity_check()")[0][0])

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["PostgresStore", "StoreUnavailable"]
