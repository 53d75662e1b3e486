"""Leases name their holder, every claim and takeover issues a fencing token, a dead holder is taken over at
once, a start that never left goes back to its place, and one start is on the wire per store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus as JS
from veo_desktop.store.base import Holder, NewJob, StaleTransition
from veo_desktop.store.sqlite import NEVER_SENT_NOTE, SqliteStore

from . import pg
from .helpers import DAY, OPEN, T0, enqueue, new_jobs, output

A = Holder(host="studio-1", pid=101, token="tok-a")
B = Holder(host="studio-1", pid=202, token="tok-b")
HOLD = T0 + 600_000


@pytest.fixture(params=["file", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    s = pg.open_store(request.param, request, tmp_path)
    yield s
    s.close()


def claim(store: SqliteStore, holder: Holder = A, **options: object):  # type: ignore[no-untyped-def]
    job = store.claim_next(owner=holder, now_ms=T0, lease_ms=60_000, config=OPEN, **options)  # type: ignore[arg-type]
    assert job is not None
    return job


def test_a_lease_names_its_holder(store: SqliteStore) -> None:
    enqueue(store, 2)
    claim(store, A)
    claim(store, B)
    assert store.lease_holders() == [A, B]
    assert "tok-a (pid 101 on studio-1)" in store.events(limit=10)[-2].detail
    store.release_leases(owner=A)
    assert store.lease_holders() == [B]


def test_every_claim_and_takeover_draws_a_larger_fence(store: SqliteStore) -> None:
    enqueue(store, 2)
    first, second = claim(store), claim(store)
    assert 0 < first.fence < second.fence
    running = store.mark_running(first.id, operation_name="op/1", now_ms=T0, fence=first.fence)
    (adopted,) = store.adopt_active(owner=B, now_ms=T0 + 1, lease_ms=60_000, gone={A.token})[:1]
    assert adopted.id == running.id and adopted.fence > second.fence


def test_a_stale_fence_is_refused_and_changes_nothing(store: SqliteStore) -> None:
    enqueue(store)
    job = claim(store)
    store.mark_sending(job.id, fence=job.fence, now_ms=T0, hold_until_ms=HOLD)
    job = store.mark_running(job.id, operation_name="op/1", now_ms=T0, fence=job.fence)
    (taken,) = store.adopt_active(owner=B, now_ms=T0 + 5, lease_ms=60_000, gone={A.token})
    with pytest.raises(StaleTransition, match="taken over by another process"):
        store.begin_download(job.id, now_ms=T0 + 6, fence=job.fence)  # A comes back from a freeze
    assert store.get(job.id).status is JS.RUNNING
    store.begin_download(job.id, now_ms=T0 + 7, fence=taken.fence)
    with pytest.raises(StaleTransition):
        store.complete(job.id, outputs=[output()], now_ms=T0 + 8, fence=job.fence)
    assert store.complete(job.id, outputs=[output()], now_ms=T0 + 9, fence=taken.fence).status is JS.COMPLETED


def test_a_gone_holder_is_taken_over_at_once_a_live_one_is_not(store: SqliteStore) -> None:
    enqueue(store)
    job = claim(store)
    store.mark_sending(job.id, fence=job.fence, now_ms=T0, hold_until_ms=HOLD)
    store.mark_running(job.id, operation_name="op/1", now_ms=T0, fence=job.fence)
    assert store.adopt_active(owner=B, now_ms=T0 + 1, lease_ms=60_000) == []  # the lease runs a minute
    (taken,) = store.adopt_active(owner=B, now_ms=T0 + 1, lease_ms=60_000, gone={A.token})
    assert taken.id == job.id
    assert "its process is gone" in store.events(job.id)[-1].detail
    assert store.lease_holders() == [B]


def test_a_start_that_never_left_goes_back_to_its_place(store: SqliteStore) -> None:
    first, second = enqueue(store, 2)
    claimed = claim(store)
    assert claimed.id == first.id
    store.adopt_active(owner=B, now_ms=T0 + 1, lease_ms=60_000, gone={A.token})
    back = store.get(first.id)
    assert (back.status, back.note, back.attempt) == (JS.QUEUED, NEVER_SENT_NOTE, 1)
    assert [j.id for j in store.waiting_jobs()] == [first.id, second.id]  # its old place, first
    assert store.ledger(first.id)[-1].kind == "charge"  # no refund, no second charge
    again = claim(store, B)
    assert again.id == first.id and again.fence > claimed.fence


def test_a_start_about_to_be_sent_becomes_unknown_on_takeover(store: SqliteStore) -> None:
    enqueue(store)
    job = claim(store)
    store.mark_sending(job.id, fence=job.fence, now_ms=T0 + 3, hold_until_ms=HOLD)
    assert store.adopt_active(owner=B, now_ms=T0 + 4, lease_ms=60_000, gone={A.token}) == []
    unknown = store.get(job.id)
    assert (unknown.status, unknown.sending_at_ms, unknown.slot_hold_until_ms) == (JS.UNKNOWN_START, T0 + 3, HOLD)


def test_mark_sending_needs_the_claim(store: SqliteStore) -> None:
    enqueue(store, 2)
    job = claim(store)
    with pytest.raises(StaleTransition):
        store.mark_sending(job.id, fence=job.fence + 1, now_ms=T0, hold_until_ms=HOLD)
    store.mark_running(job.id, operation_name="op/1", now_ms=T0)
    with pytest.raises(StaleTransition, match="not submitting"):
        store.mark_sending(job.id, fence=job.fence, now_ms=T0, hold_until_ms=HOLD)


def test_one_start_on_the_wire_per_store(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    with SqliteStore(path) as a, SqliteStore(path) as b:
        enqueue(a, 3)
        first = a.claim_next(owner=A, now_ms=T0, lease_ms=1000, config=OPEN, one_on_wire=True)
        assert first is not None
        assert b.claim_next(owner=B, now_ms=T0, lease_ms=1000, config=OPEN, one_on_wire=True) is None
        assert b.claim_next(owner=B, now_ms=T0, lease_ms=1000, config=OPEN) is not None  # without the gate
        a.mark_running(first.id, operation_name="op/1", now_ms=T0)
        assert a.claim_next(owner=A, now_ms=T0, lease_ms=1000, config=OPEN, one_on_wire=True) is None  # b's is out


def test_jobs_wait_for_their_provider(store: SqliteStore) -> None:
    (gemini_job,) = store.enqueue([NewJob("jg", new_jobs(1)[0].request, 1000, "gemini")], now_ms=T0, day_start_ms=DAY)
    (vertex_job,) = enqueue(store, seed=3)
    vertex_only = claim(store, providers={"vertex"})
    assert vertex_only.id == vertex_job.id
    assert store.get(gemini_job.id).status is JS.QUEUED  # kept its place for a process that has gemini
    assert store.claim_next(owner=A, now_ms=T0, lease_ms=1, config=OPEN, providers={"vertex"}) is None
    store.mark_running(vertex_only.id, operation_name="op/v", now_ms=T0)
    assert store.adopt_active(owner=B, now_ms=T0 + 1, lease_ms=1, gone={A.token}, providers={"gemini"}) == []
    assert claim(store, B, providers={"gemini", "vertex"}).id == gemini_job.id


def test_slot_limit_counts_only_holding_jobs(store: SqliteStore) -> None:
    enqueue(store, 3)
    two = SlotConfig(2, 0)
    a = store.claim_next(owner=A, now_ms=T0, lease_ms=1000, config=two)
    b = store.claim_next(owner=A, now_ms=T0, lease_ms=1000, config=two)
    assert a and b and store.claim_next(owner=A, now_ms=T0, lease_ms=1000, config=two) is None
    store.requeue(a.id, retry_at_ms=None, note="not sent", now_ms=T0, fence=a.fence)
    assert store.claim_next(owner=A, now_ms=T0, lease_ms=1000, config=two) is not None


def test_adopting_ones_own_jobs_keeps_their_fence(store: SqliteStore) -> None:
    enqueue(store)
    job = claim(store)
    store.mark_sending(job.id, fence=job.fence, now_ms=T0, hold_until_ms=HOLD)
    store.mark_running(job.id, operation_name="op/1", now_ms=T0, fence=job.fence)
    (again,) = store.adopt_active(owner=A, now_ms=T0 + 1, lease_ms=60_000)  # the periodic adopt of its holder
    assert again.fence == job.fence
    store.begin_download(job.id, now_ms=T0 + 2, fence=job.fence)  # its tracking goes on undisturbed
