"""A dropped connection or a database restart: the store says "unavailable" (never a half-done or repeated
write), then reconnects by itself at the next call; what the database committed is all that happened."""

from __future__ import annotations

import pytest

from tests.store import pg
from tests.store.helpers import OPEN, T0, enqueue
from veo_desktop.core.errors import StoreUnavailable
from veo_desktop.core.states import JobStatus
from veo_desktop.store.postgres.store import PostgresStore


def _drop_connections(cluster: pg.Cluster, db: str, creator: str) -> None:
    raw = pg.Raw(cluster.admin_url(db))
    try:
        raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", (creator,))
    finally:
        raw.close()


def test_a_dropped_connection_fails_one_call_then_reconnects(pg_cluster: pg.Cluster, pg_db: str) -> None:
    with PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-desk") as store:
        (job,) = enqueue(store)
        claimed = store.claim_next(owner="A", now_ms=T0, lease_ms=60_000, config=OPEN)
        assert claimed is not None
        _drop_connections(pg_cluster, pg_db, "ana")
        with pytest.raises(StoreUnavailable, match=r"cannot be reached.*nothing was lost"):
            store.mark_running(job.id, operation_name="operations/1", now_ms=T0, fence=claimed.fence)
        after = store.get(job.id)  # a new connection: the refused write did not happen
        assert (after.status, after.operation_name) == (JobStatus.SUBMITTING, None)
        assert store.mark_running(job.id, operation_name="operations/1", now_ms=T0, fence=claimed.fence).status is (
            JobStatus.RUNNING
        )


def test_a_database_restart_is_survived(pg_cluster: pg.Cluster, pg_db: str) -> None:
    if pg_cluster.directory is None:
        pytest.skip("VEO_TEST_PG_URL points at a server these tests do not manage")
    with PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-desk") as store:
        jobs = enqueue(store, 2)
        pg_cluster.server("restart", "-m", "fast")
        with pytest.raises(StoreUnavailable):
            store.waiting_jobs()
        assert [j.id for j in store.waiting_jobs()] == [j.id for j in jobs]
        assert store.integrity_check() == "ok"
