"""Poll by anyone, download by the creator only (team-mode design §2.5), on SQLite.

A local store has one creator, so every job is the caller's (`PollingJob.mine`): these moves are the team
store's contract on one machine, fenced like every other in-flight move. `SqliteStore` mixes them in; each
runs inside its `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any

from veo_desktop.core.jobs import Job
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store import moves, starts
from veo_desktop.store.base import POLLER_SETTLES, Holder, PollingJob
from veo_desktop.store.rows import strings_to_json

R, D = JobStatus.RUNNING, JobStatus.DOWNLOADING
HANDED_OVER_NOTE = "Done at Google; waiting for a desktop of its creator to download it."
_SQL_POLLABLE = (
    "SELECT id, lease_owner, provider, fence FROM jobs WHERE status = 'running' "
    "AND (lease_owner IS NULL OR lease_until_ms IS NULL OR lease_until_ms <= ?) ORDER BY queue_order, id"
)
_SQL_DOWNLOADABLE = (
    "SELECT id, lease_owner, provider FROM jobs WHERE status = 'downloading' "
    "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until_ms IS NULL OR lease_until_ms <= ?) "
    "ORDER BY queue_order, id"
)


def not_settled_by_poller(kind: FailureKind) -> ValueError:
    return ValueError(f"A poller may not settle a job as {kind.value}; its creator's desktop decides that.")


class SqlitePolling:
    """The `Store` moves of §2.5 for `SqliteStore`, which provides `_write` (one write transaction)."""

    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def adopt_for_polling(
        self, *, owner: Holder | str, now_ms: int, lease_ms: int, providers: Collection[str] | None = None
    ) -> list[PollingJob]:
        holder = Holder.of(owner)
        taken: list[str] = []
        with self._write() as c:
            for job_id, previous, provider, _ in c.execute(_SQL_POLLABLE, (now_ms,)).fetchall():
                if providers is not None and provider not in providers:
                    continue
                detail = f"Taken over by {holder} for polling (from {previous or 'nobody'}: its lease had expired)."
                _take(c, job_id, R, holder, now_ms + lease_ms, detail, now_ms)
                taken.append(job_id)
            return [_polling_view(moves.load_job(c, job_id)) for job_id in taken]

    def hand_over_download(self, job_id: str, *, fence: int, now_ms: int) -> None:
        with self._write() as c:
            moves.move(
                c,
                job_id,
                (R,),
                D,
                at_ms=now_ms,
                detail=HANDED_OVER_NOTE,
                expect_fence=fence,
                note=HANDED_OVER_NOTE,
                **starts.NO_LEASE,
            )

    def fail_polled(
        self,
        job_id: str,
        *,
        fence: int,
        kind: FailureKind,
        message: str,
        now_ms: int,
        filter_reasons: Sequence[str] = (),
    ) -> None:
        if kind not in POLLER_SETTLES:
            raise not_settled_by_poller(kind)
        with self._write() as c:
            job = moves.move(
                c,
                job_id,
                (R,),
                JobStatus.FAILED,
                expect_fence=fence,
                at_ms=now_ms,
                detail=f"Failed ({kind.value}): {message}",
                error_kind=kind.value,
                error_message=message,
                filter_reasons_json=strings_to_json(list(filter_reasons)),
                finished_at_ms=now_ms,
                retry_at_ms=None,
                note=None,
                slot_hold_until_ms=None,
                **starts.NO_LEASE,
            )
            moves.close_start(c, job, "failed")
            moves.refund(c, job_id, job.attempt, now_ms)

    def release_polled(self, job_id: str, *, fence: int) -> None:
        with self._write() as c:
            cur = c.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_until_ms = NULL, lease_host = NULL, lease_pid = NULL "
                "WHERE id = ? AND status = 'running' AND fence = ?",
                (job_id, fence),
            )
            if cur.rowcount != 1:
                moves.load_job(c, job_id)  # JobNotFound when it does not exist
                raise moves.fenced(job_id)

    def settle_silent_starts(self, *, owner: Holder | str, now_ms: int) -> int:
        return 0  # one creator: `adopt_active` settles its own starts

    def adopt_downloads(
        self, *, owner: Holder | str, now_ms: int, lease_ms: int, providers: Collection[str] | None = None
    ) -> list[Job]:
        holder = Holder.of(owner)
        taken: list[str] = []
        with self._write() as c:
            for job_id, previous, provider in c.execute(_SQL_DOWNLOADABLE, (holder.token, now_ms)).fetchall():
                if providers is not None and provider not in providers:
                    continue
                if previous == holder.token:
                    sets = starts.lease(holder, now_ms + lease_ms)
                    c.execute(
                        "UPDATE jobs SET lease_until_ms = ? WHERE id = ? AND status = 'downloading'",
                        (sets["lease_until_ms"], job_id),
                    )
                else:
                    detail = f"Taken over by {holder} to download it (from {previous or 'nobody'})."
                    _take(c, job_id, D, holder, now_ms + lease_ms, detail, now_ms, note=None)
                taken.append(job_id)
            return [moves.load_job(c, job_id) for job_id in taken]


def _take(
    c: sqlite3.Connection,
    job_id: str,
    status: JobStatus,
    holder: Holder,
    until_ms: int,
    detail: str,
    now_ms: int,
    **extra: Any,
) -> None:
    """A new lease and a new fencing token (the previous holder's token stops working), and the event."""
    sets = {**starts.lease(holder, until_ms), "fence": moves.next_fence(c), **extra}
    assignments = ", ".join(f"{column} = ?" for column in sets)
    c.execute(
        f"UPDATE jobs SET {assignments} WHERE id = ? AND status = ?",  # noqa: S608 (constant names)
        (*sets.values(), job_id, status.value),
    )
    moves.add_event(c, job_id, now_ms, status.value, status.value, detail)


def _polling_view(job: Job) -> PollingJob:
    assert job.operation_name is not None  # a running job has one (the schema's CHECK)
    return PollingJob(
        id=job.id,
        creator="",
        mine=True,
        provider=job.provider,
        model_id=job.request.model_id,
        operation_name=job.operation_name,
        fence=job.fence,
        started_at_ms=job.started_at_ms,
    )
