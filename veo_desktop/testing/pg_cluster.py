"""A throwaway PostgreSQL cluster (tests and benchmarks): initdb as the postgres user when root, 0755 temp dir,
a free port on 127.0.0.1 only, stopped with `-m immediate` and removed.

`initdb` refuses to run as root, so as root every server command runs as the `postgres` user (runuser);
`mkdtemp` gives a 0700 directory that user cannot enter, hence the chmod. `durable=False` turns fsync off
(fine for client-crash tests, and for a server restart: the WAL is still written at each commit, only not
flushed); commits stay synchronous, since `synchronous_commit=off` loses acknowledged commits in an
immediate restart. A benchmark wants fsync on.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


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

    def new_database(self, template: str = "template1") -> str:
        name = f"t_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {template}')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start(bindir: Path, *, durable: bool = False) -> Cluster:
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
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c full_page_writes=off"
    cluster.server("start", "-o", options)
    cluster.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return cluster


def stop(cluster: Cluster) -> None:
    if cluster.directory is None:
        return
    try:
        cluster.server("stop", "-m", "immediate")
    finally:
        shutil.rmtree(cluster.directory, ignore_errors=True)


@contextmanager
def running(*, durable: bool = False) -> Iterator[Cluster]:
    """A cluster for the length of a `with` block (RuntimeError when PostgreSQL is not installed)."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql-15 postgresql-client-15")
    cluster = start(bindir, durable=durable)
    try:
        yield cluster
    finally:
        stop(cluster)
