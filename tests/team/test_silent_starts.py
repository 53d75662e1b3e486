"""A start whose desktop went quiet for good (killed or cut off mid-start, never coming back) never holds a team
slot forever: past its lease, any desktop settles another creator's start that never left (back to its place)
or whose hold ended (an unknown start without a slot, its fence kept for its desktop's outbox). Its creator sees
the events; the other creator learns nothing but a count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.store import pg
from tests.store.helpers import COST, DAY, OPEN, T0, request
from veo_desktop.core.states import JobStatus
from veo_desktop.store.base import NewJob, StaleTransition
from veo_desktop.store.postgres.store import PostgresStore

LEASE_MS = 60_000
HOLD_UNTIL = T0 + 480_000


@pytest.fixture
def team(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    ana = PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-desk")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-desk")
    ana.set_pool_config(max_in_flight=1, max_starts_per_minute=0, one_start_on_wire=True)
    yield ana, bia
    ana.close()
    bia.close()


def _queue(store: PostgresStore, job_id: str, prompt: str, now_ms: int = T0) -> None:
    store.enqueue([NewJob(job_id, request(prompt), COST, "vertex")], now_ms=now_ms, day_start_ms=DAY)


def _claim(store: PostgresStore, owner: str, now_ms: int) -> str | None:
    job = store.claim_next(owner=owner, now_ms=now_ms, lease_ms=LEASE_MS, config=OPEN, one_on_wire=True)
    return None if job is None else job.id


def test_a_sent_start_of_a_desktop_gone_for_good_frees_its_slot_when_its_hold_ends(
    team: tuple[PostgresStore, PostgresStore],
) -> None:
    ana, bia = team
    _queue(ana, "a1", "ana's secret lighthouse")
    _queue(bia, "b1", "bia's harbour", now_ms=T0 + 1)
    assert _claim(ana, "ana-1", T0) == "a1"
    fence = ana.get("a1").fence
    ana.mark_sending("a1", fence=fence, now_ms=T0, hold_until_ms=HOLD_UNTIL)  # then ana's desktop is gone
    later = T0 + LEASE_MS + 1
    assert bia.settle_silent_starts(owner="bia-1", now_ms=later) == 0  # Google may still be making it
    assert _claim(bia, "bia-1", later) is None  # the wire is free, the slot is not
    assert bia.settle_silent_starts(owner="bia-1", now_ms=HOLD_UNTIL + 1) == 1
    assert _claim(bia, "bia-1", HOLD_UNTIL + 2) == "b1"  # the team starts again
    settled = ana.get("a1")
    assert settled.status is JobStatus.UNKNOWN_START and settled.fence == fence
    assert "went quiet" in (settled.error_message or "")
    assert any("seen by" in e.detail for e in ana.events("a1"))  # ana's history says what happened
    assert not any(e.job_id == "a1" for e in bia.events())  # bia sees none of it
    assert bia.settle_silent_starts(owner="bia-1", now_ms=HOLD_UNTIL + 3) == 0  # once
    back = ana.late_answer("a1", fence=fence, operation_name="op/late", now_ms=HOLD_UNTIL + 4)
    assert back.status is JobStatus.RUNNING  # ana's outbox still reports Google's answer when she is back


def test_a_start_that_never_left_goes_back_to_its_place_and_its_desktop_is_fenced_out(
    team: tuple[PostgresStore, PostgresStore],
) -> None:
    ana, bia = team
    _queue(ana, "a1", "ana's secret lighthouse")
    assert _claim(ana, "ana-1", T0) == "a1"
    old = ana.get("a1").fence
    assert bia.settle_silent_starts(owner="bia-1", now_ms=T0 + LEASE_MS - 1) == 0  # within its lease
    assert bia.settle_silent_starts(owner="bia-1", now_ms=T0 + LEASE_MS + 1) == 1
    job = ana.get("a1")
    assert job.status is JobStatus.QUEUED and job.fence != old and job.charged_micros == COST
    with pytest.raises(StaleTransition):
        ana.mark_sending("a1", fence=old, now_ms=T0 + LEASE_MS + 2, hold_until_ms=HOLD_UNTIL)
    assert _claim(ana, "ana-1", T0 + LEASE_MS + 3) == "a1"  # its place: first, claimed again by its desktop


def test_a_creators_own_quiet_starts_are_left_to_adopt_active(team: tuple[PostgresStore, PostgresStore]) -> None:
    ana, _bia = team
    _queue(ana, "a1", "ana's secret lighthouse")
    assert _claim(ana, "ana-1", T0) == "a1"
    assert ana.settle_silent_starts(owner="ana-2", now_ms=T0 + LEASE_MS + 1) == 0
    assert ana.get("a1").status is JobStatus.SUBMITTING
