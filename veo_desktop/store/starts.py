"""The dispatcher's moves on SQLite, each inside the caller's `BEGIN IMMEDIATE`: claiming a start (the slot
and rate gates, one start on the wire, the provider filter, a new fencing token), the about-to-send mark, the
ends of a start, and taking over the jobs of a holder that is gone or whose lease expired.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from typing import Any

from veo_desktop.core.jobs import Job
from veo_desktop.core.scheduling import RATE_WINDOW_MS, SlotConfig, start_gate
from veo_desktop.core.states import ACTIVE, IN_FLIGHT, JobStatus
from veo_desktop.store import moves
from veo_desktop.store.base import Holder

Q, S, R = JobStatus.QUEUED, JobStatus.SUBMITTING, JobStatus.RUNNING
UNKNOWN_START_MESSAGE = "The app stopped while starting this video; Google may or may not have started it."
NEVER_SENT_NOTE = "The app stopped before sending the start request; this video never left the queue."
NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_until_ms": None, "lease_host": None, "lease_pid": None}
NO_SEND: dict[str, Any] = {"sending_at_ms": None, "slot_hold_until_ms": None}
_IN_FLIGHT_SQL = ", ".join(f"'{s.value}'" for s in sorted(IN_FLIGHT))
_ACTIVE_SQL = ", ".join(f"'{s.value}'" for s in sorted(ACTIVE))
_FIFO = "ORDER BY queue_order, created_at_ms, id"
_SQL_HEAD = f"SELECT id, retry_at_ms FROM jobs WHERE status = 'queued' {_FIFO} LIMIT 1"  # noqa: S608
# Slots held: submitting, running, and unknown starts until their hold ends (Google may be running them).
_SQL_IN_FLIGHT = (
    f"SELECT COUNT(*) FROM jobs WHERE status IN ({_IN_FLIGHT_SQL}) "  # noqa: S608
    "OR (status = 'unknown_start' AND slot_hold_until_ms > ?)"
)
_SQL_ADOPTABLE = (
    f"SELECT id, status, lease_owner, provider, sending_at_ms FROM jobs WHERE status IN ({_ACTIVE_SQL}) "  # noqa: S608
    "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until_ms IS NULL OR lease_until_ms <= ? "
    "OR lease_owner IN (SELECT value FROM json_each(?))) "
    "ORDER BY queue_order, id"
)
_SQL_HOLDERS = (
    f"SELECT DISTINCT lease_host, lease_pid, lease_owner FROM jobs WHERE status IN ({_ACTIVE_SQL}) "  # noqa: S608
    "AND lease_owner IS NOT NULL ORDER BY lease_owner"
)
# A start holds the wire while its lease lasts (renewed while its POST is out): one whose process died or was
# cut off in the middle stops starts for one lease at most, keeping its slot until it is adopted.
_SQL_ON_WIRE = "SELECT 1 FROM jobs WHERE status = 'submitting' AND COALESCE(lease_until_ms, 0) > ? LIMIT 1"
_SQL_HEAD_FOR = (
    f"SELECT id, retry_at_ms FROM jobs WHERE status = 'queued' "  # noqa: S608
    f"AND provider IN (SELECT value FROM json_each(?)) {_FIFO} LIMIT 1"
)
# Held models (retired): their jobs keep their places but neither start nor block the queue.
_SQL_HEAD_SKIPPING = (
    f"SELECT id, retry_at_ms FROM jobs WHERE status = 'queued' "  # noqa: S608
    f"AND (? IS NULL OR provider IN (SELECT value FROM json_each(?))) "
    f"AND model_id NOT IN (SELECT value FROM json_each(?)) {_FIFO} LIMIT 1"
)


def claim_next(
    c: sqlite3.Connection,
    *,
    owner: Holder | str,
    now_ms: int,
    lease_ms: int,
    config: SlotConfig,
    one_on_wire: bool = False,
    providers: Collection[str] | None = None,
    skip_models: Collection[str] = (),
) -> Job | None:
    holder = Holder.of(owner)
    paused, cooldown = c.execute("SELECT paused, cooldown_until_ms FROM queue_state").fetchone()
    if paused or (one_on_wire and c.execute(_SQL_ON_WIRE, (now_ms,)).fetchone() is not None):
        return None
    in_flight = int(c.execute(_SQL_IN_FLIGHT, (now_ms,)).fetchone()[0])
    window = c.execute("SELECT at_ms FROM starts WHERE at_ms > ?", (now_ms - RATE_WINDOW_MS,))
    gate = start_gate(
        in_flight=in_flight,
        recent_start_ms=[r[0] for r in window],
        now_ms=now_ms,
        config=config,
        cooldown_until_ms=cooldown,
    )
    if gate is not None:
        return None
    if skip_models:
        names = None if providers is None else json.dumps(sorted(providers))
        head = c.execute(_SQL_HEAD_SKIPPING, (names, names, json.dumps(sorted(skip_models)))).fetchone()
    elif providers is None:
        head = c.execute(_SQL_HEAD).fetchone()
    else:
        head = c.execute(_SQL_HEAD_FOR, (json.dumps(sorted(providers)),)).fetchone()
    if head is None or (head[1] is not None and head[1] > now_ms):
        return None  # strict FIFO: a head waiting for Google's quota blocks the queue
    job = moves.move(
        c,
        head[0],
        (Q,),
        S,
        at_ms=now_ms,
        detail=f"Start claimed by {holder}.",
        started_at_ms=now_ms,
        retry_at_ms=None,
        note=None,
        fence=moves.next_fence(c),
        **NO_SEND,
        **lease(holder, now_ms + lease_ms),
    )
    moves.record_start(c, job, now_ms, holder.token)
    return moves.load_job(c, job.id)


def requeue(
    c: sqlite3.Connection,
    job_id: str,
    retry_at_ms: int | None,
    note: str,
    count_start_retry: bool,
    now_ms: int | None,
    fence: int | None,
) -> Job:
    before = moves.load_job(c, job_id)
    job = moves.move(
        c,
        job_id,
        (S,),
        Q,
        at_ms=now_ms if now_ms is not None else (before.started_at_ms or 0),
        detail=f"Back in the queue: {note}",
        expect_fence=fence,
        **NO_SEND,
        retry_at_ms=retry_at_ms,
        note=note,
        started_at_ms=None,
        start_retries=before.start_retries + int(count_start_retry),
        **NO_LEASE,
    )
    moves.close_start(c, job, "requeued")
    return moves.load_job(c, job_id)


def mark_unknown(
    c: sqlite3.Connection,
    job_id: str,
    message: str,
    now_ms: int,
    fence: int | None = None,
    hold_until_ms: int | None = None,
) -> None:
    unknown = JobStatus.UNKNOWN_START
    sets: dict[str, Any] = {"error_message": message, "note": None, **NO_LEASE}
    if hold_until_ms is not None:
        sets["slot_hold_until_ms"] = hold_until_ms
    job = moves.move(c, job_id, (S,), unknown, at_ms=now_ms, detail=message, expect_fence=fence, **sets)
    moves.close_start(c, job, "unknown")


def adopt_active(
    c: sqlite3.Connection,
    *,
    owner: Holder | str,
    now_ms: int,
    lease_ms: int,
    gone: Collection[str] = (),
    providers: Collection[str] | None = None,
) -> list[Job]:
    holder = Holder.of(owner)
    adopted: list[str] = []
    rows = c.execute(_SQL_ADOPTABLE, (holder.token, now_ms, json.dumps(sorted(gone)))).fetchall()
    for job_id, status, previous, provider, sending_at_ms in rows:
        if providers is not None and provider not in providers:
            continue  # left for a process that has this job's provider
        if status == S.value and sending_at_ms is None:  # provably never sent: back to its place
            requeue(c, job_id, None, NEVER_SENT_NOTE, False, now_ms, None)
            continue
        if status == S.value:  # never resent: the person decides
            mark_unknown(c, job_id, UNKNOWN_START_MESSAGE, now_ms)
            continue
        sets = lease(holder, now_ms + lease_ms)
        if previous != holder.token:  # a takeover: the previous holder's token stops working
            sets["fence"] = moves.next_fence(c)
        assignments = ", ".join(f"{column} = ?" for column in sets)
        c.execute(
            f"UPDATE jobs SET {assignments} WHERE id = ? AND status = ?",  # noqa: S608 (constant names)
            (*sets.values(), job_id, status),
        )
        if previous != holder.token:
            why = "its process is gone" if previous in gone else "its lease had expired"
            detail = f"Taken over by {holder} (from {previous or 'nobody'}: {why})."
            moves.add_event(c, job_id, now_ms, status, status, detail)
        adopted.append(job_id)
    return [moves.load_job(c, job_id) for job_id in adopted]


def lease_holders(c: sqlite3.Connection) -> list[Holder]:
    rows = c.execute(_SQL_HOLDERS).fetchall()
    return [Holder(host=host or "", pid=int(pid or 0), token=token) for host, pid, token in rows]


def lease(holder: Holder, until_ms: int) -> dict[str, Any]:
    return {"lease_owner": holder.token, "lease_until_ms": until_ms, "lease_host": holder.host, "lease_pid": holder.pid}
