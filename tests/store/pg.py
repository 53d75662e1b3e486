"""A real, throwaway PostgreSQL for the tests: one cluster per session, one database per test.

`initdb` refuses to run as root, so as root every server command runs as the `postgres` user (runuser);
the temporary directory is made 0755 so that user can enter it. The server listens on a free port of
127.0.0.1 only. The schema and roles are migrated once into `veo_template`; each test gets a fresh
`CREATE DATABASE ... TEMPLATE veo_template`. `VEO_TEST_PG_URL` (a superuser URL on a loopback host) uses
an existing server instead of starting one. Under `CI=true` a missing PostgreSQL fails, never skips.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.postgres import admin
from veo_desktop.store.postgres.store import PostgresStore

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
TEMPLATE = "veo_template"
CREATORS = {"ana": True, "bia": False}  # name -> admin; shared by every test database (roles are per cluster)
IntegrityError = psycopg.errors.IntegrityError


def pg_bin() -> Path | None:
    for directory in PG_BIN_DIRS:
        if Path(directory, "initdb").exists():
            return Path(directory)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def missing_reason() -> str | None:
    if os.environ.get("VEO_TEST_PG_URL"):
        return None
    if pg_bin() is None:
        return "PostgreSQL 15 is not installed (apt-get install postgresql-15 postgresql-client-15)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root needs runuser to start PostgreSQL as the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_user(url: str, user: str, dbname: str | None = None) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}@{host}:{parts.port}" if parts.port else f"{user}@{host}"
    path = f"/{dbname}" if dbname else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


@dataclass
class Cluster:
    """A running server: `url` is a superuser URL of its `postgres` database."""

    url: str
    directory: Path | None = None
    bindir: Path | None = None
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _as_pg(self, *cmd: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=60)

    def server(self, action: str, *options: str) -> None:
        """pg_ctl start/stop/restart of the throwaway cluster (the campaign's database restart)."""
        assert self.directory is not None and self.bindir is not None, "not a cluster started by the tests"
        data = str(self.directory / "data")
        self._as_pg(str(self.bindir / "pg_ctl"), "-D", data, "-l", f"{data}/log", "-w", action, *options)

    def admin_url(self, dbname: str) -> str:
        return with_user(self.url, urlsplit(self.url).username or "postgres", dbname)

    def creator_url(self, dbname: str, creator: str) -> str:
        return with_user(self.url, creator, dbname)

    def new_database(self) -> str:
        name = f"t_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(bindir: Path) -> Cluster:
    root = Path(tempfile.mkdtemp(prefix="veo-pg-"))
    root.chmod(0o755)  # mkdtemp gives 0700, which the postgres user cannot enter
    data, sock = root / "data", root / "sock"
    for directory in (data, sock):
        directory.mkdir()
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(url="", directory=root, bindir=bindir)
    cluster._as_pg(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    port = _free_port()
    options = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
        "-c max_connections=200 -c synchronous_commit=off"
    )
    cluster.server("start", "-o", options)
    cluster.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return cluster


def _stop(cluster: Cluster) -> None:
    if cluster.directory is None:
        return
    try:
        cluster.server("stop", "-m", "immediate")
    finally:
        shutil.rmtree(cluster.directory, ignore_errors=True)


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
    cluster = _start(bindir)
    try:
        _prepare_template(cluster)
        yield cluster
    finally:
        _stop(cluster)


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
