"""The building blocks of every store transaction; each takes a connection inside `BEGIN IMMEDIATE`.

`move` is the only code that changes a job's status: it refuses a stale expectation (StaleTransition),
checks the transition table, runs a conditional UPDATE with a rowcount check and appends an event.
`charge`/`refund` are the only writers of the ledger, whose schema keeps them at most once per attempt.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from typing import Any

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import JobStatus, check_transition
from veo_desktop.store.base import JobNotFound, StaleTransition
from veo_desktop.store.rows import JOB_COLUMNS, job_from_row

# Columns a move may set: the UPDATE is built from these names only, never from input.
SETTABLE = frozenset(
    {
        "queue_order",
        "attempt",
        "cost_micros",
        "started_at_ms",
        "finished_at_ms",
        "operation_name",
        "error_kind",
        "error_message",
        "filter_reasons_json",
        "outputs_json",
        "retry_at_ms",
        "note",
        "start_retries",
        "lease_owner",
        "lease_until_ms",
        "lease_host",
        "lease_pid",
        "fence",
        "sending_at_ms",
        "slot_hold_until_ms",
    }
)
_SELECT_JOB = f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"  # noqa: S608 (constant column list)


def not_found(job_id: str) -> JobNotFound:
    return JobNotFound(f"Job {job_id} is not in the queue database; refresh the list.")


def load_job(c: sqlite3.Connection, job_id: str) -> Job:
    row = c.execute(_SELECT_JOB, (job_id,)).fetchone()
    if row is None:
        raise not_found(job_id)
    return job_from_row(row)


def add_event(
    c: sqlite3.Connection, job_id: str | None, at_ms: int, old: str | None, new: str | None, detail: str
) -> None:
    c.execute(
        "INSERT INTO events (job_id, at_ms, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?)",
        (job_id, at_ms, old, new, detail),
    )


def move(
    c: sqlite3.Connection,
    job_id: str,
    expected: Collection[JobStatus],
    target: JobStatus,
    *,
    at_ms: int,
    detail: str,
    expect_fence: int | None = None,
    **sets: Any,
) -> Job:
    """Move a job from one of `expected` to `target`, setting `sets`; returns the job as it was before.
    With `expect_fence`, the job's fencing token must still be that one (else another process took it over)."""
    job = load_job(c, job_id)
    if job.status not in expected:
        wanted = " or ".join(s.value for s in expected)
        raise StaleTransition(
            f"Job {job_id} is {job.status.value} now, not {wanted}: something else moved it first. "
            "Refresh and try again."
        )
    if expect_fence is not None and job.fence != expect_fence:
        raise fenced(job_id)
    check_transition(job.status, target)
    unknown = set(sets) - SETTABLE
    if unknown:
        raise ValueError(f"These job columns cannot be set by a move: {sorted(unknown)}.")
    assignments = "".join(f", {column} = ?" for column in sets)
    cur = c.execute(
        f"UPDATE jobs SET status = ?{assignments} WHERE id = ? AND status = ?",  # noqa: S608 (names from SETTABLE)
        (target.value, *sets.values(), job_id, job.status.value),
    )
    if cur.rowcount != 1:
        raise StaleTransition(f"Job {job_id} changed while it was being updated; refresh and try again.")
    add_event(c, job_id, at_ms, job.status.value, target.value, detail)
    return job


def fenced(job_id: str) -> StaleTransition:
    return StaleTransition(f"Job {job_id} was taken over by another process; this one leaves it alone.")


def next_fence(c: sqlite3.Connection) -> int:
    """A new fencing token, larger than every earlier one of this store."""
    row = c.execute("UPDATE queue_state SET fence_seq = fence_seq + 1 WHERE id = 1 RETURNING fence_seq").fetchone()
    return int(row[0])


def charge(c: sqlite3.Connection, job_id: str, attempt: int, amount_micros: int, at_ms: int) -> None:
    c.execute(
        "INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) VALUES (?, ?, 'charge', ?, ?)",
        (job_id, attempt, amount_micros, at_ms),
    )


def refund(c: sqlite3.Connection, job_id: str, attempt: int, at_ms: int) -> bool:
    """Refund this attempt's charge, at most once: a replay, or an attempt never charged, inserts nothing."""
    cur = c.execute(
        "INSERT OR IGNORE INTO ledger (job_id, attempt, kind, amount_micros, at_ms) "
        "SELECT job_id, attempt, 'refund', amount_micros, ? FROM ledger "
        "WHERE job_id = ? AND attempt = ? AND kind = 'charge'",
        (at_ms, job_id, attempt),
    )
    return cur.rowcount == 1


def refund_part(c: sqlite3.Connection, job_id: str, attempt: int, amount_micros: int, at_ms: int) -> None:
    """Refund part of this attempt's charge (capped at it): the attempt's one refund, so a completed job that
    got one can never get another (the ledger's UNIQUE key refuses it)."""
    c.execute(
        "INSERT INTO ledger (job_id, attempt, kind, amount_micros, at_ms) "
        "SELECT job_id, attempt, 'refund', MIN(amount_micros, ?), ? FROM ledger "
        "WHERE job_id = ? AND attempt = ? AND kind = 'charge'",
        (amount_micros, at_ms, job_id, attempt),
    )


def close_start(c: sqlite3.Connection, job: Job, outcome: str, *, reopen_unknown: bool = False) -> None:
    """Record how the pending start claim of the job's current attempt ended. With `reopen_unknown` (the
    outbox's replay), the attempt's latest claim is closed even when an adopt had already closed it as unknown."""
    if not reopen_unknown:
        c.execute(
            "UPDATE starts SET outcome = ? WHERE job_id = ? AND attempt = ? AND outcome = 'pending'",
            (outcome, job.id, job.attempt),
        )
        return
    c.execute(
        "UPDATE starts SET outcome = ? WHERE job_id = ? AND attempt = ? AND outcome IN ('pending', 'unknown') "
        "AND claim_no = (SELECT MAX(claim_no) FROM starts WHERE job_id = ? AND attempt = ?)",
        (outcome, job.id, job.attempt, job.id, job.attempt),
    )


def record_start(c: sqlite3.Connection, job: Job, at_ms: int, owner: str) -> None:
    c.execute(
        "INSERT INTO starts (job_id, attempt, claim_no, at_ms, owner) VALUES (?, ?, "
        "(SELECT COALESCE(MAX(claim_no), 0) + 1 FROM starts WHERE job_id = ? AND attempt = ?), ?, ?)",
        (job.id, job.attempt, job.id, job.attempt, at_ms, owner),
    )


def end_order(c: sqlite3.Connection) -> float:
    """A queue place after every job ever queued."""
    return float(c.execute("SELECT COALESCE(MAX(queue_order), 0) + 1 FROM jobs").fetchone()[0])


def waiting_order(c: sqlite3.Connection) -> list[tuple[str, float]]:
    return [
        (str(r[0]), float(r[1]))
        for r in c.execute(
            "SELECT id, queue_order FROM jobs WHERE status = 'queued' ORDER BY queue_order, created_at_ms, id"
        )
    ]


def net_since(c: sqlite3.Connection, since_ms: int | None) -> int:
    """Σ charges − Σ refunds booked at or after `since_ms` (all time for None)."""
    row = c.execute(
        "SELECT COALESCE(SUM(CASE kind WHEN 'charge' THEN amount_micros ELSE -amount_micros END), 0) "
        "FROM ledger WHERE ? IS NULL OR at_ms >= ?",
        (since_ms, since_ms),
    ).fetchone()
    return int(row[0])


def reordered(waiting: list[tuple[str, float]], wanted: list[str]) -> list[tuple[float, str]]:
    """New (queue_order, id) pairs giving `wanted` consecutive places where the first of them stood.
    The others keep their places; the block takes values between its start and the next other job."""
    order = dict(waiting)
    chosen = set(wanted)
    ids = [job_id for job_id, _ in waiting]
    first = next(i for i, job_id in enumerate(ids) if job_id in chosen)
    after = [job_id for job_id in ids[first:] if job_id not in chosen]
    start = order[ids[first]]
    step = ((order[after[0]] if after else start + len(wanted)) - start) / len(wanted)
    if step > 1e-6:
        return [(start + i * step, job_id) for i, job_id in enumerate(wanted)]
    # Places worn down by many moves: renumber the whole queue.
    new_ids = [job_id for job_id in ids[:first] if job_id not in chosen] + wanted + after
    base = min(order.values())
    return [(base + i, job_id) for i, job_id in enumerate(new_ids)]
