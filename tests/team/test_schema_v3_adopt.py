"""Schema version 3 (poll by anyone, download by the creator only): migrating a version 2 database keeps every
version 2 function as it was (older desktops), adds the polling and download takeovers, and this app refuses a
version 2 database with a sentence naming the fix."""

from __future__ import annotations

import psycopg
import pytest

from tests.store import pg
from veo_desktop.core.errors import StoreError
from veo_desktop.store.postgres import admin
from veo_desktop.store.postgres.schema import SCHEMA_VERSION
from veo_desktop.store.postgres.store import PostgresStore

ADDED = [
    "veo.job_event(veo.jobs,bigint,text,text,text)",
    "veo.polled_job(text,bigint)",
    "veo_api.adopt_downloads(text,text,integer,text,bigint,bigint,text[])",
    "veo_api.adopt_for_polling(text,text,integer,text,bigint,bigint,text[])",
    "veo_api.fail_polled(text,bigint,text,text,text,bigint)",
    "veo_api.hand_over_download(text,bigint,bigint)",
    "veo_api.release_polled(text,bigint)",
    "veo_api.release_polling(text)",
    "veo_api.renew_polling(text,bigint,bigint)",
]


def _functions(url: str) -> dict[str, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('veo', 'veo_api')"
        ).fetchall()
    return {str(name): str(body) for name, body in rows}


def test_version_3_keeps_every_version_2_function_and_adds_the_takeovers(
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
        before = _functions(url)
        assert admin.init(url) == admin.InitResult(2, SCHEMA_VERSION)
        after = _functions(url)
        assert {k: after[k] for k in before} == before
        assert set(ADDED) <= set(after) - set(before)  # schema 3 also holds the outbox's functions (sql_v3.py)
        assert all("SECURITY DEFINER" in after[f] and "search_path" in after[f] for f in ADDED if "veo_api." in f)
        with PostgresStore(pg_cluster.creator_url(name, "ana"), desktop_id="ana-desk") as ana:
            assert ana.adopt_for_polling(owner="ana-1", now_ms=0, lease_ms=1) == []
    finally:
        pg_cluster.drop_database(name)
