"""An unknown start holds its slot until its hold ends (Google may still be generating it) or the user
decides; a database from the previous schema version migrates with its rows intact."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus as JS
from veo_desktop.store import schema
from veo_desktop.store.base import Holder
from veo_desktop.store.sqlite import SqliteStore

from . import pg
from .helpers import DAY, T0, enqueue

ONE = SlotConfig(1, 0)
A = Holder(host="h", pid=1, token="a")
HOLD = T0 + 600_000


@pytest.fixture(params=["file", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    s = pg.open_store(request.param, request, tmp_path)
    yield s
    s.close()


def _unknown(store: SqliteStore) -> str:
    job = store.claim_next(owner=A, now_ms=T0, lease_ms=60_000, config=ONE)
    assert job is not None
    store.mark_sending(job.id, fence=job.fence, now_ms=T0, hold_until_ms=HOLD)
    store.mark_unknown(job.id, message="no answer", now_ms=T0 + 60_000, fence=job.fence)
    return job.id


def test_an_unknown_start_holds_its_slot_until_the_hold_ends(store: SqliteStore) -> None:
    enqueue(store, 2)
    unknown = _unknown(store)
    assert store.get(unknown).slot_hold_until_ms == HOLD
    assert store.claim_next(owner=A, now_ms=HOLD - 1, lease_ms=1, config=ONE) is None
    nxt = store.claim_next(owner=A, now_ms=HOLD, lease_ms=1, config=ONE)
    assert nxt is not None and nxt.id != unknown


@pytest.mark.parametrize("decision", ["give_up", "retry"])
def test_the_users_decision_frees_the_slot(store: SqliteStore, decision: str) -> None:
    enqueue(store, 2)
    unknown = _unknown(store)
    if decision == "give_up":
        assert store.give_up(unknown, now_ms=T0 + 70_000).slot_hold_until_ms is None
    else:
        retried = store.retry(unknown, now_ms=T0 + 70_000, day_start_ms=DAY)
        assert (retried.status, retried.slot_hold_until_ms, retried.sending_at_ms) == (JS.QUEUED, None, None)
    assert store.claim_next(owner=A, now_ms=T0 + 70_001, lease_ms=1, config=ONE) is not None


def test_mark_unknown_may_set_the_hold_itself(store: SqliteStore) -> None:
    enqueue(store, 2)
    job = store.claim_next(owner=A, now_ms=T0, lease_ms=1, config=ONE)
    assert job is not None
    store.mark_unknown(job.id, message="?", now_ms=T0, hold_until_ms=T0 + 5_000)
    assert store.claim_next(owner=A, now_ms=T0 + 4_999, lease_ms=1, config=ONE) is None
    assert store.claim_next(owner=A, now_ms=T0 + 5_000, lease_ms=1, config=ONE) is not None


def test_running_and_failed_jobs_keep_no_hold(store: SqliteStore) -> None:
    enqueue(store)
    job = store.claim_next(owner=A, now_ms=T0, lease_ms=1, config=ONE)
    assert job is not None
    store.mark_sending(job.id, fence=job.fence, now_ms=T0, hold_until_ms=HOLD)
    assert store.mark_running(job.id, operation_name="op", now_ms=T0, fence=job.fence).slot_hold_until_ms is None


def test_a_version_1_database_migrates_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    for statement in schema.MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.execute(
        "INSERT INTO jobs (id, status, request_json, model_id, provider, queue_order, attempt, cost_micros, "
        "created_at_ms, started_at_ms, lease_owner, lease_until_ms) VALUES ('j1', 'submitting', "
        '\'{"model_id": "veo-3.1-generate-preview", "prompt": "old"}\', '
        "'veo-3.1-generate-preview', 'vertex', 1, 1, 1000, 1, 2, 'old-owner', 3)"
    )
    raw.close()
    with SqliteStore(path) as store:
        job = store.get("j1")
        assert (job.status, job.fence, job.sending_at_ms, job.slot_hold_until_ms) == (JS.SUBMITTING, 0, 2, 600_002)
        assert store.lease_holders() == [Holder(host="", pid=0, token="old-owner")]
        store.adopt_active(owner=A, now_ms=10, lease_ms=1)  # an older claim may have been sent: never resent
        assert store.get("j1").status is JS.UNKNOWN_START
