"""The two moves a desktop's outbox replays on SQLite, each inside the caller's `BEGIN IMMEDIATE`.

- `late_answer`: Google's 200 was journaled but never reached the store (a kill, or `mark_running` failing):
  submitting or unknown_start → running with the operation name, the start claim closed as accepted.
- `release_unsent`: the start provably never left: back to its old place, slot and hold freed.

Both check the fence (a takeover or a retry since refuses them: StaleTransition) and leave the ledger alone:
the job was charged at enqueue, and a running or waiting job stays charged. The lease is cleared, so the
replaying dispatcher's next adopt (or any other's) takes the running job at once.
"""

from __future__ import annotations

import sqlite3

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import JobStatus
from veo_desktop.store import moves
from veo_desktop.store.starts import NO_LEASE, NO_SEND

S, U = JobStatus.SUBMITTING, JobStatus.UNKNOWN_START
RECOVERED = "the answer was kept in this desktop's outbox"


def late_answer(c: sqlite3.Connection, job_id: str, fence: int | None, operation_name: str, now_ms: int) -> Job:
    job = moves.move(
        c,
        job_id,
        (S, U),
        JobStatus.RUNNING,
        at_ms=now_ms,
        detail=f"Started at Google as {operation_name} ({RECOVERED}).",
        expect_fence=fence,
        operation_name=operation_name,
        slot_hold_until_ms=None,
        error_message=None,
        note=None,
        **NO_LEASE,
    )
    moves.close_start(c, job, "accepted", reopen_unknown=True)
    return moves.load_job(c, job_id)


def release_unsent(c: sqlite3.Connection, job_id: str, fence: int | None, now_ms: int, note: str) -> Job:
    job = moves.move(
        c,
        job_id,
        (S, U),
        JobStatus.QUEUED,
        at_ms=now_ms,
        detail=f"Back in the queue: {note}",
        expect_fence=fence,
        retry_at_ms=None,
        note=note,
        started_at_ms=None,
        error_message=None,
        **NO_SEND,
        **NO_LEASE,
    )
    moves.close_start(c, job, "requeued", reopen_unknown=True)
    return moves.load_job(c, job_id)
