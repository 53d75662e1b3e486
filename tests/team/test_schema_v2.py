"""Schema version 2 in a team: a held (retired) model blocks no creator, partial refunds stay inside the ledger's
rules, and migrating a version 1 database leaves every version 1 function as it was (older desktops)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.store import pg
from tests.store.helpers import COST, DAY, T0, output, request
from veo_desktop.core.errors import StoreError
from veo_desktop.store.base import Holder, NewJob
from veo_desktop.store.postgres import admin
from veo_desktop.store.postgres.schema import SCHEMA_VERSION
from veo_desktop.store.postgres.store import PostgresStore

OLD, NEW = "veo-3.0-generate-001", "veo-3.1-fast-generate-001"


@pytest.fixture
def team(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[tuple[PostgresStore, PostgresStore, pg.Raw]]:
    raw = pg.Raw(pg_cluster.admin_url(pg_db))
    ana = PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-desk")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-desk")
    ana.set_pool_config(max_in_flight=2, max_starts_per_minute=0, one_start_on_wire=False)
    yield ana, bia, raw
    ana.close()
    bia.close()
    raw.close()


def test_another_creators_job_on_a_held_model_does_not_block_the_team(
    team: tuple[PostgresStore, PostgresStore, pg.Raw],
) -> None:
    ana, bia, _ = team
    bia.enqueue([NewJob("jbia0001", request("bia", model_id=OLD), COST, "vertex")], now_ms=T0, day_start_ms=DAY)
    ana.enqueue([NewJob("jana0001", request("ana", model_id=NEW), COST, "vertex")], now_ms=T0, day_start_ms=DAY)
    assert ana.claim_next(owner="ana-1", now_ms=T0, lease_ms=60_000, config=pg.SlotConfig()) is None  # bia's head
    assert bia.claim_next(owner="bia-1", now_ms=T0, lease_ms=60_000, config=pg.SlotConfig(), skip_models=[OLD]) is None
    got = ana.claim_next(owner="ana-1", now_ms=T0, lease_ms=60_000, config=pg.SlotConfig(), skip_models=[OLD])
    assert got is not None and got.id == "jana0001"
    assert [(job_id, status, place) for job_id, _, _, status, place in ana.team_queue()] == [
        ("jana0001", "submitting", None),
        ("jbia0001", "queued", 1),  # held: kept its place
    ]


def test_a_partial_refund_is_the_attempts_one_refund_and_never_above_its_charge(
    team: tuple[PostgresStore, PostgresStore, pg.Raw],
) -> None:
    ana, _, raw = team
    ana.enqueue([NewJob("jana0001", request("ana"), COST, "vertex")], now_ms=T0, day_start_ms=DAY)
    job = ana.claim_next(owner="ana-1", now_ms=T0, lease_ms=60_000, config=pg.SlotConfig())
    assert job is not None
    ana.mark_running(job.id, operation_name="operations/1", now_ms=T0, fence=job.fence)
    ana.begin_download(job.id, now_ms=T0, fence=job.fence)
    done = ana.complete(job.id, outputs=[output()], now_ms=T0, fence=job.fence, refund_micros=COST * 3, note="n")
    assert (done.charged_micros, done.refunded_micros, done.note) == (COST, COST, "n")
    with pytest.raises(pg.IntegrityError, match="UNIQUE"):
        raw("SELECT veo.refund_part(?, 1, 1, 0)", (job.id,))  # below the API: the ledger still refuses a second
    assert raw("SELECT veo_api.integrity_check()") == [("ok",)]


def test_version_2_keeps_every_version_1_function_for_older_desktops(
    pg_cluster: pg.Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = pg_cluster.new_database()
    try:
        url = pg_cluster.admin_url(name)
        with monkeypatch.context() as m:
            m.setattr(admin, "SCHEMA_VERSION", 1)
            assert admin.init(url) == admin.InitResult(0, 1)
        admin.add_creator(url, "ana", admin=True, password=None)
        with pytest.raises(StoreError, match="ask the admin"):
            PostgresStore(pg_cluster.creator_url(name, "ana"), desktop_id="ana-desk")  # this app needs version 3
        before = pg.schema_functions(url)
        with monkeypatch.context() as m:
            m.setattr(admin, "SCHEMA_VERSION", 2)  # version 3 adds its own (test_schema_v3.py)
            assert admin.init(url) == admin.InitResult(1, 2)
        after = pg.schema_functions(url)
        assert {k: after[k] for k in before} == before
        assert sorted(set(after) - set(before)) == [
            "veo.refund_part(text,integer,bigint,bigint)",
            "veo_api.claim_next_v2(text,text,text,integer,text,bigint,bigint,boolean,text[],text[])",
            "veo_api.complete_v2(text,text,text,text,bigint,bigint,bigint)",
            "veo_api.edit_v2(text,text,text,text,bigint,bigint,bigint)",
            "veo_api.may_claim_v2(text,bigint,boolean,text[],text[])",
        ]
        assert admin.init(url) == admin.InitResult(2, SCHEMA_VERSION)
        with PostgresStore(pg_cluster.creator_url(name, "ana"), desktop_id="ana-desk") as ana:
            ana.enqueue([NewJob("jana0001", request("ana"), COST, "vertex")], now_ms=T0, day_start_ms=DAY)
            with psycopg.connect(pg_cluster.creator_url(name, "ana"), autocommit=True) as older:  # a version 1 desktop
                row = older.execute(
                    "SELECT veo_api.claim_next('old-desk', 'old-1', 'h', 1, 'old', NULL, 60000, false, NULL)"
                ).fetchone()
            assert row == ("jana0001",) and ana.lease_holders() == [Holder(host="h", pid=1, token="old-1")]
    finally:
        pg_cluster.drop_database(name)
