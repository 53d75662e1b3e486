"""LISTEN/NOTIFY wakes another desktop; a connection without the echo (a transaction pooler) is refused."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.store import pg
from tests.store.helpers import enqueue
from veo_desktop.core.errors import StoreError
from veo_desktop.store.postgres.listener import POOLER_MESSAGE, Listener, check_echo
from veo_desktop.store.postgres.store import PostgresStore


def test_a_queued_job_wakes_the_other_desktop_and_heartbeats_mark_it_present(
    pg_cluster: pg.Cluster, pg_db: str
) -> None:
    woke = threading.Event()
    listener = Listener(
        pg_cluster.creator_url(pg_db, "bia"), password=None, desktop_id="bia-desk", on_wake=woke.set, heartbeat_s=0.2
    )
    listener.start()
    try:
        assert listener.connected.wait(10)
        with PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-desk") as ana:
            assert not woke.is_set()
            enqueue(ana, 1)
            assert woke.wait(10)  # delivered at ana's commit
            present = {(d, c): p for d, c, _, p in ana.desktops()}
            assert present[("bia-desk", "bia")] is True  # the listener's heartbeat
    finally:
        listener.stop()
    assert listener.wakes >= 1


class _PoolerConnection:
    """What a transaction-mode pooler looks like from here: LISTEN and NOTIFY succeed, no echo ever comes."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def execute(self, sql: str, params: Any = None) -> None:
        self.sql.append(sql)

    def notifies(self, *, timeout: float, stop_after: int) -> list[Any]:
        return []


def test_no_echo_means_a_transaction_pooler_and_is_refused(pg_cluster: pg.Cluster, pg_db: str) -> None:
    fake = _PoolerConnection()
    with pytest.raises(StoreError, match="use the direct connection or the session pooler") as err:
        check_echo(fake, timeout_s=0.01)  # type: ignore[arg-type]
    assert str(err.value) == POOLER_MESSAGE and fake.sql[0].startswith("LISTEN veo_echo_")
    with PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="a") as store:
        check_echo(store._connection())  # a direct connection echoes
