"""`Store.queue_places` and `Store.store_info` on every backend (the contract's two team-aware reads): the
waiting jobs in start order, then the ones holding a slot; which store it is, never with a password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.store import pg
from tests.store.helpers import MODEL, OPEN, T0, claim, enqueue
from veo_desktop.core.states import JobStatus


@pytest.fixture(params=["file", "memory", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    s = pg.open_store(request.param, request, tmp_path)
    yield s
    s.close()


def test_places_are_the_waiting_jobs_in_order_then_the_slot_holders(store: Any) -> None:
    jobs = enqueue(store, 4)
    store.claim_next(owner="A", now_ms=T0, lease_ms=60_000, config=OPEN)
    store.move_to_top(jobs[3].id)
    places = store.queue_places().places
    waiting = [p for p in places if p.position is not None]
    assert [(p.job_id, p.position) for p in waiting] == [(j.id, i) for i, j in enumerate(store.waiting_jobs(), 1)]
    assert [p.job_id for p in waiting] == [jobs[3].id, jobs[1].id, jobs[2].id]
    (held,) = [p for p in places if p.position is None]
    assert (held.job_id, held.status, held.model_id) == (jobs[0].id, JobStatus.SUBMITTING, MODEL)
    assert all(p.mine for p in places)


def test_store_info_names_the_store(store: Any, tmp_path: Path) -> None:
    info = store.store_info()
    if info.kind == "team":
        assert info.name.startswith("postgresql://ana@127.0.0.1:") and info.problem is None
        assert store.queue_places().slots is not None  # the team's cap decides
    else:
        assert info.kind == "local" and info.desktops == ()
        assert info.name in (str(tmp_path / "queue.sqlite3"), ":memory:")
        assert store.queue_places().slots is None  # the caller's setting decides


def test_a_finished_job_has_no_place(store: Any) -> None:
    (job,) = enqueue(store, 1)
    claimed = claim(store)
    store.mark_running(job.id, operation_name="operations/1", now_ms=T0, fence=claimed.fence)
    store.begin_download(job.id, now_ms=T0, fence=claimed.fence)
    assert store.queue_places().places == ()
