"""Schema version 3: migrating a version 2 database keeps every version 2 function as it was (older desktops)
and adds the outbox's moves with the unknown_start → running edge (sql_v3.py), the polling and download
takeovers (sql_v3_adopt.py) and the claim that holds the wire only within a start's lease (sql_v3_wire.py);
this app refuses a version 2 database with a sentence naming the fix."""

from __future__ import annotations

import psycopg
import pytest

from tests.store import pg
from veo_desktop.core.errors import StoreError
from veo_desktop.core.states import TRANSITIONS
from veo_desktop.store.postgres import admin
from veo_desktop.store.postgres.schema import SCHEMA_VERSION
from veo_desktop.store.postgres.store import PostgresStore

ADDED = [
    "veo.job_event(veo.jobs,bigint,text,text,text)",
    "veo.polled_job(text,bigint)",
    "veo_api.adopt_downloads(text,text,integer,text,bigint,bigint,text[])",
    "veo_api.adopt_for_polling(text,text,integer,text,bigint,bigint,text[])",
    "veo_api.claim_next_v3(text,text,text,integer,text,bigint,bigint,boolean,text[],text[])",
    "veo_api.fail_polled(text,bigint,text,text,text,bigint)",
    "veo_api.hand_over_download(text,bigint,bigint)",
    "veo_api.late_answer(text,text,bigint,bigint)",
    "veo_api.may_claim_v3(text,bigint,boolean,text[],text[])",
    "veo_api.release_polled(text,bigint)",
    "veo_api.release_polling(text)",
    "veo_api.release_unsent(text,text,bigint,bigint)",
    "veo_api.renew_polling(text,bigint,bigint)",
    "veo_api.settle_silent_starts(text,bigint)",
]


def test_version_3_keeps_every_version_2_function_and_adds_its_own(
    pg_cluster: pg.Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = pg_cluster.new_database()
    try:
        url = pg_cluster.admin_url(name)
        with monkeypatch.context() as m:
            m.setattr(admin, "SCHEMA_VERSION", 2)
            assert admin.init(url) == admin.InitResult(0, 2)
        admin.add_creator(url, "ana", admin=True, password=None)
        with pytest.raises(StoreError, match="ask the admin to run"):
            PostgresStore(pg_cluster.creator_url(name, "ana"), desktop_id="ana-desk")
        before = pg.schema_functions(url)
        assert admin.init(url) == admin.InitResult(2, SCHEMA_VERSION)
        after = pg.schema_functions(url)
        assert {k: after[k] for k in before} == before  # older desktops keep every version 2 function
        assert sorted(set(after) - set(before)) == ADDED
        assert all("SECURITY DEFINER" in after[f] and "search_path" in after[f] for f in ADDED if "veo_api." in f)
        assert "COALESCE(lease_until_ms, 0) > t" in after[ADDED[4]]  # the wire is held within a start's lease
        with psycopg.connect(url, autocommit=True) as conn:
            edges = conn.execute("SELECT from_status, to_status FROM veo.transitions").fetchall()
        assert {(str(a), str(b)) for a, b in edges} == {
            (src.value, dst.value) for src, targets in TRANSITIONS.items() for dst in targets
        }  # the table of core/states.py, unknown_start → running included
        with PostgresStore(pg_cluster.creator_url(name, "ana"), desktop_id="ana-desk") as ana:
            assert ana.adopt_for_polling(owner="ana-1", now_ms=0, lease_ms=1) == []
    finally:
        pg_cluster.drop_database(name)
