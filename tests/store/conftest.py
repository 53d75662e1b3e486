"""PostgreSQL for the store tests (see pg.py): `pg_cluster` once per session, `pg_db` a fresh database per test.

Under CI=true a missing PostgreSQL fails the tests that need it, and the session fails if the contract
suite was collected but its postgres parameter never ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from . import pg

_ran_postgres: list[str] = []


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    pg.require(pg.missing_reason())
    cluster = pg.acquire()
    try:
        yield cluster
    finally:
        pg.release()


@pytest.fixture
def pg_db(pg_cluster: pg.Cluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """The name of a fresh database migrated like `team init` (creators ana (admin) and bia)."""
    name = pg_cluster.new_database(pg.TEMPLATE)
    _ran_postgres.append(request.node.nodeid)
    try:
        yield name
    finally:
        pg_cluster.drop_database(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() != "true":
        return
    collected = [
        item.nodeid for item in session.items if "test_contract.py" in item.nodeid and "postgres" in item.nodeid
    ]
    if collected and not _ran_postgres and session.testscollected:
        session.config.get_terminal_writer().line(
            "CI: the postgres contract tests were collected but none ran.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
