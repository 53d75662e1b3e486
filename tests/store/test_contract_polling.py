"""The Store contract of poll by anyone, download by the creator only (team-mode design §2.5), on SQLite in a
file, SQLite in memory and PostgreSQL: takeovers for polling, the hand-over to the creator, the verdicts a
poller may settle, fencing throughout."""

from __future__ import annotations

import pytest

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store.base import PollingJob, StaleTransition
from veo_desktop.store.sqlite import SqliteStore

from .helpers import COST, T0, drive, enqueue, ledger_net, output
from .test_contract import store

__all__ = ["store"]
JS = JobStatus
LEASE_END = T0 + 60_000  # `drive` claims with a 60 s lease
LATER = LEASE_END + 1


def _running(store: SqliteStore, seed: int = 7) -> str:
    return drive(store, JS.RUNNING, seed=seed).id


def _polled(store: SqliteStore, *, now_ms: int = LATER, owner: str = "B") -> PollingJob:
    (polled,) = store.adopt_for_polling(owner=owner, now_ms=now_ms, lease_ms=60_000)
    return polled


def test_only_running_jobs_whose_lease_expired_are_taken_for_polling(store: SqliteStore) -> None:
    job_id = _running(store)
    assert store.adopt_for_polling(owner="B", now_ms=LEASE_END - 1, lease_ms=60_000) == []
    before = store.get(job_id)
    polled = _polled(store)
    assert (polled.id, polled.provider, polled.model_id) == (job_id, "vertex", before.request.model_id)
    assert polled.operation_name == before.operation_name and polled.started_at_ms == T0
    assert polled.mine and polled.creator in ("", "ana")
    assert polled.fence > before.fence and store.get(job_id).fence == polled.fence
    assert store.get(job_id).status is JS.RUNNING
    assert "Taken over by B" in store.events(job_id)[-1].detail
    assert store.adopt_for_polling(owner="C", now_ms=LATER, lease_ms=60_000) == []  # B's lease holds now
    assert [p.id for p in store.adopt_for_polling(owner="C", now_ms=LATER + 60_000, lease_ms=1)] == [job_id]


def test_jobs_in_other_states_and_of_other_providers_are_left_alone(store: SqliteStore) -> None:
    drive(store, JS.SUBMITTING, seed=1)
    queued = enqueue(store, seed=2)[0]
    assert store.adopt_for_polling(owner="B", now_ms=LATER, lease_ms=1) == []
    assert store.adopt_for_polling(owner="B", now_ms=LATER, lease_ms=1, providers=["gemini"]) == []
    assert store.get(queued.id).status is JS.QUEUED


def test_the_holder_taken_over_is_fenced_out(store: SqliteStore) -> None:
    job_id = _running(store)
    old = store.get(job_id).fence
    _polled(store)
    with pytest.raises(StaleTransition, match="taken over"):
        store.begin_download(job_id, now_ms=LATER, fence=old)
    with pytest.raises(StaleTransition, match="taken over"):
        store.fail(job_id, expected=JS.RUNNING, kind=FailureKind.SERVER, message="x", now_ms=LATER, fence=old)
    assert store.get(job_id).status is JS.RUNNING


def test_a_hand_over_frees_the_slot_and_leaves_the_download_to_the_creator(store: SqliteStore) -> None:
    job_id = _running(store)
    polled = _polled(store)
    (waiting,) = enqueue(store, seed=3)
    one = SlotConfig(max_in_flight=1, max_starts_per_minute=0)
    assert store.claim_next(owner="C", now_ms=LATER, lease_ms=60_000, config=one) is None  # the slot is held
    with pytest.raises(StaleTransition):
        store.hand_over_download(job_id, fence=polled.fence - 1, now_ms=LATER)
    store.hand_over_download(job_id, fence=polled.fence, now_ms=LATER)
    job = store.get(job_id)
    assert job.status is JS.DOWNLOADING and "waiting for" in (job.note or "") and "download" in (job.note or "")
    assert store.lease_holders() == []  # nobody holds it: no bytes were kept by the poller
    claimed = store.claim_next(owner="C", now_ms=LATER, lease_ms=60_000, config=one)
    assert claimed is not None and claimed.id == waiting.id
    with pytest.raises(StaleTransition):
        store.hand_over_download(job_id, fence=polled.fence, now_ms=LATER)  # not running any more


def test_the_creator_takes_its_handed_over_download_with_a_new_fence(store: SqliteStore) -> None:
    job_id = _running(store)
    polled = _polled(store)
    store.hand_over_download(job_id, fence=polled.fence, now_ms=LATER)
    (taken,) = store.adopt_downloads(owner="A2", now_ms=LATER, lease_ms=60_000)
    assert taken.id == job_id and taken.status is JS.DOWNLOADING and taken.fence > polled.fence
    assert taken.note is None and taken.operation_name == polled.operation_name
    assert "Taken over by A2 to download it" in store.events(job_id)[-1].detail
    assert [j.id for j in store.adopt_downloads(owner="A2", now_ms=LATER, lease_ms=60_000)] == [job_id]  # ours
    assert store.get(job_id).fence == taken.fence
    assert store.adopt_downloads(owner="A3", now_ms=LATER, lease_ms=60_000) == []  # A2's lease holds
    with pytest.raises(StaleTransition):
        store.complete(job_id, outputs=[output()], now_ms=LATER, fence=polled.fence)
    done = store.complete(job_id, outputs=[output()], now_ms=LATER, fence=taken.fence)
    assert done.status is JS.COMPLETED and ledger_net(store, [job_id]) == COST


def test_a_download_whose_lease_expired_is_taken_again(store: SqliteStore) -> None:
    job_id = drive(store, JS.DOWNLOADING).id  # leased by "A" until LEASE_END
    assert store.adopt_downloads(owner="A2", now_ms=LEASE_END - 1, lease_ms=60_000) == []
    assert [j.id for j in store.adopt_downloads(owner="A2", now_ms=LATER, lease_ms=60_000)] == [job_id]
    assert store.adopt_downloads(owner="A2", now_ms=LATER, lease_ms=60_000, providers=["gemini"]) == []


@pytest.mark.parametrize("kind", [FailureKind.FILTERED, FailureKind.OPERATION_ERROR, FailureKind.NO_VIDEO])
def test_a_poller_settles_googles_verdict_with_the_refund(store: SqliteStore, kind: FailureKind) -> None:
    job_id = _running(store)
    polled = _polled(store)
    store.fail_polled(job_id, fence=polled.fence, kind=kind, message="blocked", now_ms=LATER, filter_reasons=["x"])
    job = store.get(job_id)
    assert (job.status, job.error_kind, job.filter_reasons) == (JS.FAILED, kind, ("x",))
    assert ledger_net(store, [job_id]) == 0 and job.refunded_micros == COST
    assert store.lease_holders() == []


@pytest.mark.parametrize("kind", [FailureKind.EXPIRED, FailureKind.NOT_FOUND, FailureKind.LOCAL, FailureKind.SERVER])
def test_a_poller_may_not_settle_what_may_be_its_own_problem(store: SqliteStore, kind: FailureKind) -> None:
    job_id = _running(store)
    polled = _polled(store)
    with pytest.raises(ValueError, match="creator's desktop decides"):
        store.fail_polled(job_id, fence=polled.fence, kind=kind, message="x", now_ms=LATER)
    assert store.get(job_id).status is JS.RUNNING and ledger_net(store, [job_id]) == COST


def test_a_stale_poller_cannot_settle(store: SqliteStore) -> None:
    job_id = _running(store)
    first = _polled(store, owner="B")
    second = _polled(store, now_ms=LATER + 60_000, owner="C")
    with pytest.raises(StaleTransition):
        store.fail_polled(job_id, fence=first.fence, kind=FailureKind.FILTERED, message="x", now_ms=LATER)
    with pytest.raises(StaleTransition):
        store.release_polled(job_id, fence=first.fence)
    store.release_polled(job_id, fence=second.fence)  # let go: anyone may take it at once
    assert store.lease_holders() == [] and store.get(job_id).status is JS.RUNNING
    assert [p.id for p in store.adopt_for_polling(owner="D", now_ms=LATER + 60_000, lease_ms=1)] == [job_id]


def test_renewing_keeps_a_polling_lease_and_releasing_lets_it_go(store: SqliteStore) -> None:
    job_id = _running(store)
    _polled(store, owner="B")  # until LATER + 60 s
    store.renew_leases(owner="B", now_ms=LATER + 50_000, lease_ms=60_000)
    assert store.adopt_for_polling(owner="C", now_ms=LATER + 70_000, lease_ms=1) == []
    store.release_leases(owner="B")
    assert [p.id for p in store.adopt_for_polling(owner="C", now_ms=LATER + 70_000, lease_ms=1)] == [job_id]
