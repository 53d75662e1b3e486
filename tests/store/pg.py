"""A real, throwaway PostgreSQL for the tests: one cluster per session, one database per test.

`initdb` refuses to run as root, so as root every server command runs as the `postgres` user (runuser);
the temporary directory is made 0755 so that user can enter it. The server listens on a free port of
127.0.0.1 only. The schema and roles are migrated once into `veo_template`; each test gets a fresh
`CREATE DATABASE ... TEMPLATE veo_template`. `VEO_TEST_PG_URL` (a superuser URL on a loopback host) uses
an existing server instead of starting one. Under `CI=true` a missing PostgreSQL fails, never skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.postgres import admin
from veo_desktop.store.postgres.store import PostgresStore
from veo_desktop.testing.pg_cluster import Cluster, missing_reason, pg_bin, start, stop, with_user

__all__ = ["Cluster", "missing_reason", "pg_bin", "with_user"]
TEMPLATE = "veo_template"
CREATORS = {"ana": True, "bia": False}  # name -> admin; shared by every test database (roles are per cluster)
IntegrityError = psycopg.errors.IntegrityError


def _prepare_template(cluster: Cluster) -> None:
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        conn.execute(f"CREATE DATABASE {TEMPLATE}")
    url = cluster.admin_url(TEMPLATE)
    admin.init(url)
    with psycopg.connect(url, autocommit=True) as conn:
        # Tests pin the database clock to the times they pass; production databases never allow this.
        conn.execute("UPDATE veo.settings SET test_clock = true")
    for name, is_admin in CREATORS.items():
        admin.add_creator(url, name, admin=is_admin, password=None)


_shared: list[Any] = []  # [cluster, context manager, users]: one cluster for every directory's fixtures


def acquire() -> Cluster:
    if not _shared:
        context = _cluster_session()
        _shared.extend([context.__enter__(), context, 0])
    _shared[2] += 1
    return _shared[0]  # type: ignore[no-any-return]


def release() -> None:
    _shared[2] -= 1
    if _shared[2] == 0:
        context = _shared[1]
        _shared.clear()
        context.__exit__(None, None, None)


@contextmanager
def _cluster_session() -> Iterator[Cluster]:
    existing = os.environ.get("VEO_TEST_PG_URL")
    if existing:
        cluster = Cluster(url=existing)
        _prepare_template(cluster)
        yield cluster
        return
    bindir = pg_bin()
    assert bindir is not None
    cluster = start(bindir)
    try:
        _prepare_template(cluster)
        yield cluster
    finally:
        stop(cluster)


class ContractPostgresStore(PostgresStore):
    """The PostgresStore as the contract suite drives it: the caller's SlotConfig is applied to the team's
    pool row first (what the studio's admin does with `team pool`), since team mode ignores it otherwise."""

    _applied: SlotConfig | None = None

    def claim_next(self, *, owner: Any, now_ms: int, lease_ms: int, config: SlotConfig, **options: Any) -> Any:
        if config != self._applied:
            self.set_pool_config(
                max_in_flight=config.max_in_flight,
                max_starts_per_minute=config.max_starts_per_minute,
                one_start_on_wire=False,
            )
            self._applied = config
        return super().claim_next(owner=owner, now_ms=now_ms, lease_ms=lease_ms, config=config, **options)


def open_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path, name: str = "desk-a") -> Any:
    """A store of one backend for a parametrized fixture: "file", "memory" or "postgres" (creator ana)."""
    from veo_desktop.store.sqlite import SqliteStore

    if kind != "postgres":
        return SqliteStore(tmp_path / "queue.sqlite3" if kind == "file" else ":memory:")
    cluster, db = request.getfixturevalue("pg_cluster"), request.getfixturevalue("pg_db")
    return ContractPostgresStore(cluster.creator_url(db, "ana"), desktop_id=name)


class Raw:
    """SQL below the store's own checks, as the database owner (`?` placeholders, like sqlite3)."""

    def __init__(self, url: str) -> None:
        self._conn = psycopg.connect(url, autocommit=True)

    def __call__(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = self._conn.execute(_qualify(sql.replace("?", "%s")), params)
        return cur.fetchall() if cur.description else []

    def close(self) -> None:
        self._conn.close()


def _qualify(sql: str) -> str:
    for table in ("ledger", "jobs", "starts", "events"):
        for verb in ("INTO", "UPDATE", "FROM"):
            sql = sql.replace(f"{verb} {table}", f"{verb} veo.{table}")
    return sql.replace("veo.veo.", "veo.")


def require(reason: str | None) -> None:
    """Fail under CI, skip elsewhere, when PostgreSQL cannot run here."""
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
    pytest.skip(reason)


def schema_functions(url: str) -> dict[str, str]:
    """Every function of the team schema (`veo`, `veo_api`) by signature, with its definition."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('veo', 'veo_api')"
        ).fetchall()
    return {str(name): str(body) for name, body in rows}
