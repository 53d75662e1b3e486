"""I10 with poll by anyone: bia's desktop takes ana's running job over for polling and learns only what a poll
needs (never ana's prompt or frames); it may hand the job to ana, settle Google's verdict or let it go, and
nothing else: it still cannot read, move, cancel, complete or download ana's job, and its rights end with its
takeover (a guessed fence never works)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.store import pg
from tests.store.helpers import T0, output, request
from veo_desktop.core.errors import JobNotFound, StaleTransition
from veo_desktop.core.request import FrameRef
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store.base import NewJob
from veo_desktop.store.postgres.store import PostgresStore

SECRET_PROMPT = "ana's secret storyboard: a lighthouse at dawn"
FRAME = FrameRef(sha256="f" * 64, mime_type="image/png", width=640, height=360, size_bytes=999)
LATER = T0 + 60_001  # ana's lease (60 s from T0) has expired


@pytest.fixture
def stores(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    ana = PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-desk")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-desk")
    yield ana, bia
    ana.close()
    bia.close()


@pytest.fixture
def bia_sql(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    with psycopg.connect(pg_cluster.creator_url(pg_db, "bia"), autocommit=True) as conn:
        yield conn


def _ana_running(ana: PostgresStore) -> str:
    ana.set_pool_config(one_start_on_wire=False, max_starts_per_minute=0)
    (job,) = ana.enqueue(
        [NewJob("jana0001", request(SECRET_PROMPT, start_frame=FRAME), 3_200_000, "vertex")], now_ms=T0, day_start_ms=0
    )
    claimed = ana.claim_next(owner="ana-1", now_ms=T0, lease_ms=60_000, config=pg.SlotConfig())
    assert claimed is not None and claimed.id == job.id
    ana.mark_running(
        job.id, operation_name="projects/1/locations/global/operations/op1", now_ms=T0, fence=claimed.fence
    )
    return job.id


def test_bia_polls_anas_job_without_seeing_its_request(stores: tuple[PostgresStore, PostgresStore]) -> None:
    ana, bia = stores
    job_id = _ana_running(ana)
    assert bia.adopt_for_polling(owner="bia-1", now_ms=T0 + 59_000, lease_ms=60_000) == []  # ana's lease holds
    (polled,) = bia.adopt_for_polling(owner="bia-1", now_ms=LATER, lease_ms=60_000)
    assert (polled.id, polled.creator, polled.mine) == (job_id, "ana", False)
    assert polled.operation_name == "projects/1/locations/global/operations/op1"
    assert SECRET_PROMPT not in repr(polled) and "f" * 64 not in repr(polled)
    with pytest.raises(JobNotFound):
        bia.get(job_id)  # still not readable
    assert bia.list_jobs() == [] and bia.events() == [] and bia.ledger() == []
    taken = ana.events(job_id)[-1].detail
    assert "bia's desktop" in taken and "for polling" in taken  # ana sees who took it over
    assert ana.get(job_id).fence == polled.fence


def test_a_poller_can_do_nothing_else_to_anas_job(stores: tuple[PostgresStore, PostgresStore], bia_sql: Any) -> None:
    ana, bia = stores
    job_id = _ana_running(ana)
    (polled,) = bia.adopt_for_polling(owner="bia-1", now_ms=LATER, lease_ms=60_000)
    before = ana.get(job_id), ana.ledger()
    f = polled.fence
    for sql in (
        "SELECT veo_api.begin_download(%s, NULL, %s)",
        "SELECT veo_api.fail(%s, 'running', 'filtered', 'x', '[]', true, NULL, %s)",
        "SELECT veo_api.complete_v2(%s, '[]', 'x', 'x', 1, NULL, %s)",
        "SELECT veo_api.mark_unknown(%s, 'x', NULL, %s, NULL, NULL)",
        "SELECT veo_api.set_note(%s, 'x' || %s::text)",
        "SELECT veo_api.cancel(%s, %s)",
        "SELECT veo_api.retry(%s, NULL, %s, NULL)",
    ):
        with pytest.raises(psycopg.Error) as err:
            bia_sql.execute(sql, (job_id, f))
        assert err.value.sqlstate in ("VE001", "VE002"), (sql, err.value)
    with pytest.raises(psycopg.Error, match="creator's desktop decides") as refused:
        bia_sql.execute("SELECT veo_api.fail_polled(%s, %s, 'expired', 'x', '[]', NULL)", (job_id, f))
    assert refused.value.sqlstate == "VE005"
    with pytest.raises(ValueError, match="creator's desktop decides"):
        bia.fail_polled(job_id, fence=f, kind=FailureKind.EXPIRED, message="x", now_ms=LATER)
    assert bia.adopt_downloads(owner="bia-1", now_ms=LATER, lease_ms=60_000) == []
    assert bia.adopt_active(owner="bia-1", now_ms=LATER, lease_ms=60_000) == []
    assert (ana.get(job_id), ana.ledger()) == before


def test_bias_rights_end_with_her_takeover(stores: tuple[PostgresStore, PostgresStore]) -> None:
    ana, bia = stores
    job_id = _ana_running(ana)
    (polled,) = bia.adopt_for_polling(owner="bia-1", now_ms=LATER, lease_ms=60_000)
    (back,) = ana.adopt_active(owner="ana-2", now_ms=LATER + 60_000, lease_ms=60_000)  # bia's lease ran out
    assert back.id == job_id and back.fence > polled.fence
    for guess in range(polled.fence - 5, back.fence + 5):  # a guessed token never works
        with pytest.raises((StaleTransition, JobNotFound)):
            bia.hand_over_download(job_id, fence=guess, now_ms=LATER)
        with pytest.raises((StaleTransition, JobNotFound)):
            bia.release_polled(job_id, fence=guess)
    bia.renew_leases(owner="bia-1", now_ms=LATER + 60_000, lease_ms=10**9)
    bia.release_leases(owner="ana-2")  # a forged holder token: ana's lease stays
    job = ana.get(job_id)
    assert job.status is JobStatus.RUNNING and job.fence == back.fence
    assert ana.lease_holders()[0].token == "ana-2"


def test_the_hand_over_reaches_ana_and_her_ledger(stores: tuple[PostgresStore, PostgresStore]) -> None:
    ana, bia = stores
    job_id = _ana_running(ana)
    (polled,) = bia.adopt_for_polling(owner="bia-1", now_ms=LATER, lease_ms=60_000)
    bia.hand_over_download(job_id, fence=polled.fence, now_ms=LATER)
    job = ana.get(job_id)
    assert (
        job.status is JobStatus.DOWNLOADING and job.note == "Done at Google; waiting for ana's desktop to download it."
    )
    with pytest.raises((StaleTransition, JobNotFound)):
        bia.release_polled(job_id, fence=polled.fence)
    (taken,) = ana.adopt_downloads(owner="ana-2", now_ms=LATER, lease_ms=60_000)
    ana.complete(job_id, outputs=[output()], now_ms=LATER, fence=taken.fence)
    assert ana.get(job_id).status is JobStatus.COMPLETED
    assert [(e.kind, e.amount_micros) for e in ana.ledger(job_id)] == [("charge", 3_200_000)]


def test_a_verdict_bia_settles_refunds_ana(stores: tuple[PostgresStore, PostgresStore]) -> None:
    ana, bia = stores
    job_id = _ana_running(ana)
    (polled,) = bia.adopt_for_polling(owner="bia-1", now_ms=LATER, lease_ms=60_000)
    bia.fail_polled(job_id, fence=polled.fence, kind=FailureKind.FILTERED, message="blocked", now_ms=LATER)
    assert ana.get(job_id).status is JobStatus.FAILED
    assert sorted(e.kind for e in ana.ledger(job_id)) == ["charge", "refund"]
    assert bia.ledger() == [] and bia.ledger_summary(day_start_ms=0, month_start_ms=0).balance_micros == 0
