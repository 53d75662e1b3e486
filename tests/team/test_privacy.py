"""I10: creator B's role cannot read creator A's prompts or frames, nor move, cancel or edit A's jobs, through
any query: not the tables, not the API functions, not the internal functions, not another role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.store import pg
from tests.store.helpers import T0, enqueue, request
from veo_desktop.core.errors import JobNotFound, StoreError
from veo_desktop.core.request import FrameRef
from veo_desktop.store.base import NewJob
from veo_desktop.store.postgres.store import PostgresStore

SECRET_PROMPT = "ana's secret storyboard: a lighthouse at dawn"
FRAME = FrameRef(sha256="f" * 64, mime_type="image/png", width=640, height=360, size_bytes=999)


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


def _ana_jobs(ana: PostgresStore) -> list[str]:
    (secret,) = ana.enqueue(
        [NewJob("jana0001", request(SECRET_PROMPT, start_frame=FRAME), 3_200_000, "vertex")], now_ms=T0, day_start_ms=0
    )
    running = enqueue(ana, 1, seed=5)[0]
    ana.set_pool_config(one_start_on_wire=False, max_starts_per_minute=0)
    claimed = ana.claim_next(owner="ana-1", now_ms=T0, lease_ms=60_000, config=pg.SlotConfig())
    assert claimed is not None and claimed.id == secret.id  # the desktop holding its frames started it
    return [secret.id, running.id]


def test_tables_show_bia_none_of_anas_rows(stores: tuple[PostgresStore, PostgresStore], bia_sql: Any) -> None:
    ana, bia = stores
    secret_id = enqueue(ana, 2)[0].id
    ana.enqueue([NewJob("jana0001", request(SECRET_PROMPT), 1, "vertex")], now_ms=T0, day_start_ms=0)
    assert len(ana.list_jobs()) == 3
    assert bia.list_jobs() == [] and bia.waiting_jobs() == [] and bia.ledger() == [] and bia.events() == []
    with pytest.raises(JobNotFound):
        bia.get(secret_id)
    for table in ("jobs", "ledger", "events"):
        assert bia_sql.execute(f"SELECT * FROM veo.{table}").fetchall() == []  # noqa: S608
    dump = repr(bia_sql.execute("SELECT * FROM veo_api.queue").fetchall())
    assert "jana0001" in dump and "ana" in dump  # everyone's places...
    assert SECRET_PROMPT not in dump and "prompt" not in dump  # ...never a prompt
    columns = [c.name for c in bia_sql.execute("SELECT * FROM veo_api.queue LIMIT 0").description or []]
    assert columns == ["id", "creator", "model_id", "status", "position", "slot", "slot_hold_until_ms", "lease_owner"]


def test_bia_cannot_write_any_table_or_become_ana(bia_sql: Any) -> None:
    tables = [r[0] for r in bia_sql.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'veo'")]
    assert "jobs" in tables and "ledger" in tables
    for table in tables:
        for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            row = bia_sql.execute("SELECT has_table_privilege(%s, %s)", (f"veo.{table}", privilege)).fetchone()
            assert row == (False,), (table, privilege)
    for sql in (
        "UPDATE veo.jobs SET status = 'cancelled'",
        "INSERT INTO veo.jobs (id, creator, status, request_json, model_id, provider, queue_order, attempt, "
        "cost_micros, created_at_ms) VALUES ('jx', 'ana', 'queued', '{}', 'm', 'vertex', 0, 1, 0, 0)",
        "DELETE FROM veo.jobs",
        "SET ROLE ana",
        "SET ROLE veo_owner",
        "SET SESSION AUTHORIZATION ana",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bia_sql.execute(sql)


def test_bia_cannot_run_the_internal_or_admin_functions(bia_sql: Any) -> None:
    rows = bia_sql.execute(
        "SELECT n.nspname, p.proname, has_function_privilege(p.oid, 'EXECUTE') FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('veo', 'veo_api')"
    ).fetchall()
    internal = [name for schema, name, allowed in rows if schema == "veo" and allowed]
    assert internal == []  # refund, cancel_one, ... only through the API
    api = {name: allowed for schema, name, allowed in rows if schema == "veo_api"}
    assert api.pop("set_pool") is False and api.pop("set_creator_budget") is False
    assert all(api.values()) and set(api) == set(API_CALLS)  # a new API function needs a case below
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        bia_sql.execute("SELECT veo.refund('jana0001', 1, 0)")


# Every member-callable API function, called by bia on ana's job: each must refuse as "not found".
API_CALLS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "enqueue": ("", ()),  # creates bia's own jobs only (tested below)
    "claim_next": ("", ()),
    "claim_next_v2": ("", ()),
    "claim_next_v3": ("", ()),
    "may_claim": ("", ()),  # a yes/no about bia's own claim
    "may_claim_v2": ("", ()),
    "may_claim_v3": ("", ()),
    "settle_silent_starts": ("", ()),  # other creators' silent starts: tested in test_silent_starts.py
    "adopt_active": ("", ()),
    "renew_leases": ("", ()),
    "release_leases": ("", ()),
    "heartbeat": ("", ()),
    "cancel_all_waiting": ("", ()),
    "set_paused": ("", ()),
    "set_cooldown": ("", ()),
    "set_daily_budget": ("", ()),
    "server_now_ms": ("", ()),
    "integrity_check": ("", ()),
    "permute": ("SELECT veo_api.permute(ARRAY[%s])", ()),
    "mark_sending": ("SELECT veo_api.mark_sending(%s, NULL, NULL, NULL, NULL)", ()),
    "mark_running": ("SELECT veo_api.mark_running(%s, 'operations/x', NULL, NULL)", ()),
    "late_answer": ("SELECT veo_api.late_answer(%s, 'operations/x', NULL, NULL)", ()),
    "release_unsent": ("SELECT veo_api.release_unsent(%s, 'x', NULL, NULL)", ()),
    "requeue": ("SELECT veo_api.requeue(%s, NULL, NULL, 'x', false, NULL, NULL)", ()),
    "mark_unknown": ("SELECT veo_api.mark_unknown(%s, 'x', NULL, NULL, NULL, NULL)", ()),
    "begin_download": ("SELECT veo_api.begin_download(%s, NULL, NULL)", ()),
    "complete": ("SELECT veo_api.complete(%s, '[]', 'x', NULL, NULL)", ()),
    "complete_v2": ("SELECT veo_api.complete_v2(%s, '[]', 'x', 'x', 1, NULL, NULL)", ()),
    "fail": ("SELECT veo_api.fail(%s, 'queued', 'local', 'x', '[]', true, NULL, NULL)", ()),
    "set_note": ("SELECT veo_api.set_note(%s, 'x')", ()),
    "cancel": ("SELECT veo_api.cancel(%s, NULL)", ()),
    "retry": ("SELECT veo_api.retry(%s, NULL, NULL, NULL)", ()),
    "edit": ("SELECT veo_api.edit(%s, '{}', 'm', 0, NULL, NULL)", ()),
    "edit_v2": ("SELECT veo_api.edit_v2(%s, '{}', 'm', 'vertex', 0, NULL, NULL)", ()),
    # schema 3: poll by anyone (test_privacy_polling.py covers a job bia did take over)
    "adopt_for_polling": ("", ()),  # running jobs whose lease expired, prompt-free
    "adopt_downloads": ("", ()),  # bia's own downloads only
    "renew_polling": ("", ()),
    "release_polling": ("", ()),
    "hand_over_download": ("SELECT veo_api.hand_over_download(%s, 1, NULL)", ()),
    "fail_polled": ("SELECT veo_api.fail_polled(%s, 1, 'filtered', 'x', '[]', NULL)", ()),
    "release_polled": ("SELECT veo_api.release_polled(%s, 1)", ()),
}


def test_bia_cannot_move_cancel_or_edit_anas_jobs(
    stores: tuple[PostgresStore, PostgresStore], bia_sql: Any, pg_cluster: pg.Cluster, pg_db: str
) -> None:
    ana, bia = stores
    ids = _ana_jobs(ana)
    before = [ana.get(i) for i in ids], ana.ledger(), ana.events()
    for name, (sql, _) in API_CALLS.items():
        if not sql:
            continue
        for job_id in ids:
            with pytest.raises(psycopg.Error) as err:
                bia_sql.execute(sql, (job_id,))
            assert err.value.sqlstate in ("VE001", "VE002"), (name, err.value)
    # The store's own moves say "not found" too, and bia's sweeping calls touch only bia's jobs.
    with pytest.raises(JobNotFound):
        bia.cancel(ids[0], now_ms=T0)
    with pytest.raises(JobNotFound):
        bia.move_to_top(ids[0])
    assert bia.cancel_all_waiting(now_ms=T0) == []
    assert bia.adopt_active(owner="bia-1", now_ms=T0 + 10**9, lease_ms=1, gone={"ana-1"}) == []
    assert bia.lease_holders() == []
    bia.release_leases(owner="ana-1")
    assert bia.claim_next(owner="bia-1", now_ms=T0, lease_ms=1, config=pg.SlotConfig()) is None  # ana's head
    with pytest.raises(StoreError, match="Only the studio's admin"):
        bia.set_daily_budget(1)
    assert ([ana.get(i) for i in ids], ana.ledger(), ana.events()) == before
    raw = pg.Raw(pg_cluster.admin_url(pg_db))
    try:
        assert raw("SELECT count(*) FROM veo.jobs WHERE creator = 'bia'") == [(0,)]
    finally:
        raw.close()


def test_a_forged_creator_in_enqueue_is_ignored(stores: tuple[PostgresStore, PostgresStore], bia_sql: Any) -> None:
    ana, _ = stores
    bia_sql.execute(
        "SELECT veo_api.enqueue(%s::jsonb, 'bia-desk', NULL, NULL)",
        ('[{"id": "jforged1", "creator": "ana", "request_json": "{}", "model_id": "m", "provider": "vertex", '
         '"cost_micros": 0, "needs_desktop": false}]',),
    )  # fmt: skip
    assert [j.id for j in ana.list_jobs()] == []
    row = bia_sql.execute("SELECT creator FROM veo.jobs WHERE id = 'jforged1'").fetchone()
    assert row == ("bia",)
