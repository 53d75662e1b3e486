"""The outbox's two moves on every backend (SQLite file, SQLite memory, PostgreSQL): `late_answer` records a
start's operation name that never reached the store, `release_unsent` puts a start that never left back at its
place; both keep the slot accounting and the ledger right and are refused once the fence moved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from veo_desktop.core.jobs import Job
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus as JS
from veo_desktop.store.base import StaleTransition
from veo_desktop.store.sqlite import SqliteStore

from . import pg
from .helpers import COST, T0, enqueue

ONE = SlotConfig(1, 0)
HOLD = T0 + 600_000


@pytest.fixture(params=["file", "memory", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    s = pg.open_store(request.param, request, tmp_path)
    yield s
    assert s.integrity_check() == "ok"
    s.close()


def _claim(store: SqliteStore, now_ms: int = T0, owner: str = "A") -> Job:
    job = store.claim_next(owner=owner, now_ms=now_ms, lease_ms=60_000, config=ONE)
    assert job is not None
    return job


def _sent(store: SqliteStore, now_ms: int = T0) -> Job:
    job = _claim(store, now_ms)
    return store.mark_sending(job.id, fence=job.fence, now_ms=now_ms, hold_until_ms=now_ms + 600_000)


def _unknown(store: SqliteStore) -> Job:
    job = _sent(store)
    return store.mark_unknown(job.id, message="no answer", now_ms=T0 + 1, fence=job.fence)


def _snapshot(store: SqliteStore, job_id: str) -> tuple[Any, ...]:
    return store.get(job_id), store.ledger(job_id), store.events(job_id)


def _charges(store: SqliteStore, job_id: str) -> list[tuple[int, str, int]]:
    return [(e.attempt, e.kind, e.amount_micros) for e in store.ledger(job_id)]


@pytest.mark.parametrize("before", ["submitting", "unknown_start"])
def test_a_late_answer_makes_the_start_running_and_it_keeps_its_slot(store: SqliteStore, before: str) -> None:
    enqueue(store, 2)
    job = _sent(store) if before == "submitting" else _unknown(store)
    running = store.late_answer(job.id, fence=job.fence, operation_name="operations/late-1", now_ms=T0 + 5)
    assert (running.status, running.operation_name, running.fence) == (JS.RUNNING, "operations/late-1", job.fence)
    assert (running.slot_hold_until_ms, running.error_message, running.attempt) == (None, None, 1)
    assert store.lease_holders() == []  # no lease: the replaying desktop's next adopt takes it at once
    assert _charges(store, job.id) == [(1, "charge", COST)]  # charged at enqueue, nothing more
    last = store.events(job.id)[-1]
    assert (last.from_status, last.to_status, last.at_ms) == (before, "running", T0 + 5)
    assert "operations/late-1" in last.detail and "outbox" in last.detail
    assert store.claim_next(owner="A", now_ms=HOLD + 1, lease_ms=1, config=ONE) is None  # it holds the one slot
    adopted = store.adopt_active(owner="B", now_ms=T0 + 6, lease_ms=60_000)
    assert [j.id for j in adopted] == [job.id]


def test_a_late_answer_after_the_hold_ended_counts_its_slot_again(store: SqliteStore) -> None:
    """The hold ran out and another job took the slot; Google runs both, so both count: no third claim."""
    enqueue(store, 3)
    unknown = _unknown(store)
    other = _claim(store, now_ms=HOLD)  # the hold ended: the slot went to the next job
    store.mark_running(other.id, operation_name="operations/other", now_ms=HOLD, fence=other.fence)
    late = store.late_answer(unknown.id, fence=unknown.fence, operation_name="operations/late", now_ms=HOLD + 1)
    assert late.status is JS.RUNNING
    two = SlotConfig(2, 0)
    assert store.claim_next(owner="A", now_ms=HOLD + 2, lease_ms=1, config=two) is None  # 2 run at Google
    store.begin_download(late.id, now_ms=HOLD + 3)
    assert store.claim_next(owner="A", now_ms=HOLD + 4, lease_ms=1, config=two) is not None  # one freed


@pytest.mark.parametrize("before", ["submitting", "unknown_start"])
def test_release_unsent_puts_the_start_back_at_its_place_and_frees_the_slot(store: SqliteStore, before: str) -> None:
    first, second = (j.id for j in enqueue(store, 2))
    job = _sent(store) if before == "submitting" else _unknown(store)
    assert job.id == first
    back = store.release_unsent(job.id, fence=job.fence, now_ms=T0 + 5, note="the lease ran short; not sent")
    assert (back.status, back.note, back.attempt, back.queue_order) == (JS.QUEUED, back.note, 1, job.queue_order)
    assert (back.sending_at_ms, back.slot_hold_until_ms, back.started_at_ms, back.error_message) == (None,) * 4
    assert [j.id for j in store.waiting_jobs()] == [first, second]  # its old place, first again
    assert _charges(store, job.id) == [(1, "charge", COST)]  # stays charged, as a waiting job
    assert store.lease_holders() == []
    assert store.events(job.id)[-1].detail == "Back in the queue: the lease ran short; not sent"
    again = store.claim_next(owner="A", now_ms=T0 + 6, lease_ms=1, config=ONE)  # the slot is free, before HOLD
    assert again is not None and again.id == first and again.fence > job.fence


@pytest.mark.parametrize("move", ["late_answer", "release_unsent"])
def test_a_moved_fence_refuses_both_moves_and_changes_nothing(store: SqliteStore, move: str) -> None:
    enqueue(store, 1)
    old = _unknown(store)
    store.retry(old.id, now_ms=T0 + 2)  # the person retried: a new attempt...
    new = _sent(store, now_ms=T0 + 3)  # ...claimed again with a new fence
    assert new.id == old.id and new.fence != old.fence
    before = _snapshot(store, old.id)
    with pytest.raises(StaleTransition, match="taken over"):
        if move == "late_answer":
            store.late_answer(old.id, fence=old.fence, operation_name="operations/orphan", now_ms=T0 + 4)
        else:
            store.release_unsent(old.id, fence=old.fence, now_ms=T0 + 4, note="not sent")
    assert _snapshot(store, old.id) == before


@pytest.mark.parametrize("move", ["late_answer", "release_unsent"])
def test_both_moves_refuse_a_job_that_moved_on(store: SqliteStore, move: str) -> None:
    enqueue(store, 1)
    job = _sent(store)
    store.mark_running(job.id, operation_name="operations/1", now_ms=T0 + 1, fence=job.fence)
    before = _snapshot(store, job.id)
    with pytest.raises(StaleTransition, match="is running now"):
        if move == "late_answer":
            store.late_answer(job.id, fence=job.fence, operation_name="operations/1", now_ms=T0 + 2)
        else:
            store.release_unsent(job.id, fence=job.fence, now_ms=T0 + 2, note="not sent")
    assert _snapshot(store, job.id) == before
