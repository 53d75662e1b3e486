"""The real dispatcher on a real PostgreSQL whose backends are terminated mid-run (pg_terminate_backend on
the store's connection): it reconnects by itself, keeps going, and every job is started once and completes."""

from __future__ import annotations

from typing import Any

from tests.store import pg
from veo_desktop.core.errors import StoreUnavailable
from veo_desktop.core.states import JobStatus
from veo_desktop.store.postgres.store import PostgresStore
from veo_desktop.testing.fixtures import make_rig
from veo_desktop.testing.rig import Rig, request

__all__ = ["make_rig"]
DESKTOP = "ana-desk"


def _admin(cluster: pg.Cluster, db: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    raw = pg.Raw(cluster.admin_url(db))
    try:
        return raw(sql, params)
    finally:
        raw.close()


def _terminate(cluster: pg.Cluster, db: str) -> int:
    rows = _admin(
        cluster,
        db,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
        (f"veo-{DESKTOP}",),
    )
    return sum(1 for r in rows if r[0])


async def _read(rig: Rig, fn: Any) -> Any:
    """A read of the test's own: the first call after a drop meets the broken connection, the next reconnects."""
    try:
        return await rig.store.run(fn)
    except StoreUnavailable:
        return await rig.store.run(fn)


async def _all_done(rig: Rig, count: int) -> bool:
    jobs = await _read(rig, lambda s: s.list_jobs())
    return len(jobs) == count and all(j.status is JobStatus.COMPLETED for j in jobs)


async def test_terminated_connections_mid_run_end_with_every_job_done_once(
    pg_cluster: pg.Cluster, pg_db: str, make_rig
) -> None:  # the database first, so the rig (and its connection) closes before the database is dropped
    url = pg_cluster.creator_url(pg_db, "ana")
    # Presence counts on the pinned test clock: the desktop stays present for the whole virtual run.
    _admin(pg_cluster, pg_db, "UPDATE veo.pool SET presence_ms = 10000000000, max_starts_per_minute = 0")

    def factory() -> PostgresStore:
        store = PostgresStore(url, desktop_id=DESKTOP)
        store._fetch("SELECT veo_api.heartbeat(%s, %s::bigint)", (DESKTOP, 1_767_225_600_000))
        return store

    rig = await make_rig(store_factory=factory)
    prompts = [f"team outage {i}" for i in range(5)]
    for prompt in prompts:
        await rig.engine.submit(request(prompt))
    killed = 0
    for starts in (1, 2, 3):
        await rig.drive(lambda n=starts: len(rig.provider.start_log) >= n)
        killed += _terminate(pg_cluster, pg_db)
    await rig.settle(lambda: _all_done(rig, len(prompts)), max_real_s=120)
    killed += _terminate(pg_cluster, pg_db)  # and once more while idle: the next read reconnects
    assert await _read(rig, lambda s: s.integrity_check()) == "ok"

    assert killed >= 3
    assert rig.dispatcher.store.outages >= 1  # the dispatcher met the drops and rode them out
    assert sorted(rig.provider.start_log) == sorted(prompts)  # each started once
    assert rig.provider.peak_in_flight <= 2
    ledger = await _read(rig, lambda s: s.ledger())
    assert sorted(e.kind for e in ledger) == ["charge"] * len(prompts)
    for job in await _read(rig, lambda s: s.list_jobs()):
        events = await _read(rig, lambda s, job_id=job.id: s.events(job_id))
        assert [e.to_status for e in events].count(JobStatus.RUNNING.value) == 1
