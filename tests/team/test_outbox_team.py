"""The outbox replayed against a real PostgreSQL: a desktop killed after Google's answer was journaled resumes
the job as running (one start, never unknown), and a replay is fenced: a job another desktop took over, or
retried and claimed again, is never overwritten by the first desktop's old entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.store import pg
from tests.store.helpers import COST, DAY, T0, request
from veo_desktop import faults
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.outbox import OutboxEntry, StartState
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.replay import Replayer
from veo_desktop.store.async_store import AsyncStore
from veo_desktop.store.base import Holder, NewJob
from veo_desktop.store.outbox import AsyncOutbox
from veo_desktop.store.postgres.store import PostgresStore
from veo_desktop.testing.fixtures import RigFactory, make_rig
from veo_desktop.testing.rig import request as rig_request

__all__ = ["make_rig"]
DESK_A = Holder(host="desk-a", pid=11, token="a-1")
DESK_B = Holder(host="desk-b", pid=22, token="b-1")
LEASE = 60_000


class Killed(BaseException):
    """The process died at a fault point."""


def _kill() -> None:
    raise Killed


@pytest.fixture(autouse=True)
def _disarmed() -> Iterator[None]:
    faults.disarm()
    yield
    faults.disarm()


def _admin(cluster: pg.Cluster, db: str, sql: str) -> None:
    raw = pg.Raw(cluster.admin_url(db))
    try:
        raw(sql)
    finally:
        raw.close()


async def test_a_desktop_killed_after_the_answer_was_journaled_resumes_the_job_running(
    pg_cluster: pg.Cluster, pg_db: str, make_rig: RigFactory
) -> None:
    url = pg_cluster.creator_url(pg_db, "ana")
    _admin(pg_cluster, pg_db, "UPDATE veo.pool SET presence_ms = 10000000000, max_starts_per_minute = 0")

    def factory() -> PostgresStore:
        store = PostgresStore(url, desktop_id="ana-desk")
        store._fetch("SELECT veo_api.heartbeat(%s, %s::bigint)", ("ana-desk", 1_767_225_600_000))
        return store

    rig = await make_rig(store_factory=factory, pid=4242)
    faults.arm("late_answer", 1, _kill)
    [job] = await rig.engine.submit(rig_request("team journaled answer"))

    async def killed() -> bool:
        return faults.hits().get("late_answer", 0) >= 1

    await rig.settle(killed)
    faults.disarm()
    await rig.restart("relaunched", pid=5151, alive=lambda pid: pid != 4242)

    async def completed() -> bool:
        return (await rig.engine.get(job.id)).status is JobStatus.COMPLETED

    await rig.settle(completed, max_real_s=60)
    assert rig.provider.start_log == ["team journaled answer"]
    assert rig.dispatcher.replayer.figures.late_answers == 1
    events = await rig.store.run(lambda s: s.events(job.id))
    moves = [e.to_status for e in events if e.from_status != e.to_status]  # (a takeover is running → running)
    assert moves == ["queued", "submitting", "running", "downloading", "completed"]  # never unknown
    assert await rig.store.run(lambda s: s.integrity_check()) == "ok"


def _entry(job_id: str, fence: int, state: StartState, op: str | None = None) -> OutboxEntry:
    return OutboxEntry(job_id, fence, state, T0, DESK_A.host, DESK_A.pid, DESK_A.token, operation_name=op)


def _claim(store: PostgresStore, owner: Holder, now_ms: int) -> Any:
    job = store.claim_next(owner=owner, now_ms=now_ms, lease_ms=LEASE, config=pg.SlotConfig())
    assert job is not None
    return store.mark_sending(job.id, fence=job.fence, now_ms=now_ms, hold_until_ms=now_ms + 600_000)


async def test_a_replay_never_overwrites_a_job_another_desktop_took_over(
    pg_cluster: pg.Cluster, pg_db: str, tmp_path: Path
) -> None:
    _admin(
        pg_cluster,
        pg_db,
        "UPDATE veo.pool SET max_in_flight = 5, max_starts_per_minute = 0, "
        "one_start_on_wire = false, presence_ms = 10000000000",
    )
    _admin(pg_cluster, pg_db, "INSERT INTO veo.slots SELECT generate_series(3, 5) ON CONFLICT DO NOTHING")
    url = pg_cluster.creator_url(pg_db, "ana")
    a = PostgresStore(url, desktop_id="desk-a")
    b = PostgresStore(url, desktop_id="desk-b")  # ana's second desktop
    ids = [f"jteam{i}" for i in range(4)]
    a.enqueue([NewJob(i, request(f"team {i}"), COST, "vertex") for i in ids], now_ms=T0, day_start_ms=DAY)
    answered, taken, retried, unsent = (_claim(a, DESK_A, T0) for _ in ids)
    b.mark_running(taken.id, operation_name="operations/taken", now_ms=T0 + 1)  # (a test shortcut for A's own)
    later = T0 + LEASE + 1  # desk A froze past its leases: desk B takes over what it can
    adopted = b.adopt_active(owner=DESK_B, now_ms=later, lease_ms=LEASE)
    assert {j.id for j in adopted} == {taken.id}  # running: taken over with a new fence
    assert {b.get(i).status for i in (answered.id, retried.id, unsent.id)} == {JobStatus.UNKNOWN_START}
    b.retry(retried.id, now_ms=later + 1)  # ana retried one unknown start on desk B...
    again = b.claim_next(owner=DESK_B, now_ms=later + 2, lease_ms=LEASE, config=pg.SlotConfig())
    assert again is not None and again.id == retried.id  # ...and desk B is starting it again

    outbox = AsyncOutbox(tmp_path / "outbox.sqlite3")
    store = AsyncStore(lambda: a)
    try:
        for entry in (
            _entry(answered.id, answered.fence, StartState.ANSWERED, "operations/answered"),
            _entry(taken.id, taken.fence, StartState.ANSWERED, "operations/stale"),
            _entry(retried.id, retried.fence, StartState.ANSWERED, "operations/orphan"),
            _entry(unsent.id, unsent.fence, StartState.NOT_SENT),
        ):
            await outbox.record(entry)
        before = {i: b.get(i) for i in (taken.id, retried.id)}
        clock = ManualClock(wall_start_ms=later + 3)
        replayer = Replayer(journal=outbox, store=store, clock=clock, holder=DESK_A, alive=lambda pid: True)
        assert await replayer.replay() == 1
        figures = replayer.figures
        assert (figures.late_answers, figures.released, figures.stale) == (1, 1, 2)
        assert await outbox.entries() == []
        assert {i: b.get(i) for i in before} == before  # desk B's jobs: untouched
        done = b.get(answered.id)
        assert (done.status, done.operation_name) == (JobStatus.RUNNING, "operations/answered")
        assert b.get(unsent.id).status is JobStatus.QUEUED
        assert b.integrity_check() == "ok"
    finally:
        await outbox.aclose()
        await store.aclose()
        b.close()
