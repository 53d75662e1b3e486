"""`Engine.store_status()`: which store the front ends are on, who else is connected, and a clear state while
the team database cannot be reached (queueing refused with one sentence, nothing stored, back by itself)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.store import pg
from veo_desktop.core.errors import StoreUnavailable
from veo_desktop.store.postgres.store import PostgresStore
from veo_desktop.testing.fixtures import make_rig
from veo_desktop.testing.rig import request
from veo_desktop.testing.store_status import FakeStoreStatus

__all__ = ["make_rig"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_local_store_says_local_with_its_file(make_rig, tmp_path) -> None:
    rig = await make_rig()
    status = await rig.engine.store_status()
    assert (status.kind, status.name, status.reachable, status.message) == (
        "local",
        str(tmp_path / "store.sqlite3"),
        True,
        None,
    )
    assert status.desktops == () and status.others_online == ()


async def test_a_team_store_names_its_desktops_and_its_outage(pg_cluster: pg.Cluster, pg_db: str, make_rig) -> None:
    url = pg_cluster.creator_url(pg_db, "ana")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-desk")
    stores: list[PostgresStore] = []

    def factory() -> PostgresStore:
        stores.append(PostgresStore(url, desktop_id="ana-desk"))
        stores[-1].heartbeat()
        return stores[-1]

    try:
        bia.heartbeat()
        rig = await make_rig(store_factory=factory, start=False)
        status = await rig.engine.store_status()
        assert status.kind == "team" and status.reachable and status.message is None
        assert status.name.startswith("postgresql://ana@127.0.0.1:") and ":" not in status.name.split("@")[0][13:]
        assert {(d.desktop_id, d.creator, d.present) for d in status.desktops} == {
            ("ana-desk", "ana", True),
            ("bia-desk", "bia", True),
        }
        assert status.others_online == ("ana", "bia")

        # The database goes away: the status says so in one sentence, and queueing is refused, storing nothing.
        real_url = stores[0]._url
        port = urlsplit(real_url).port
        stores[0]._url = real_url.replace(f":{port}/", f":{_closed_port()}/")
        raw = pg.Raw(pg_cluster.admin_url(pg_db))
        raw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'veo-ana-desk'")
        raw.close()
        down = await rig.engine.store_status()
        assert not down.reachable and down.kind == "team" and down.desktops == ()
        assert down.message is not None and down.message.count(". ") == 0 and down.message.endswith(".")
        assert "queueing is refused" in down.message and "nothing was lost" in down.message
        with pytest.raises(StoreUnavailable, match="queueing is refused until it is back"):
            await rig.engine.submit(request("while away"))

        stores[0]._url = real_url  # back: it reconnects by itself at the next call
        assert (await rig.engine.store_status()).reachable
        (job,) = await rig.engine.submit(request("when back"))
        assert [j.request.prompt for j in await rig.store.run(lambda s: s.waiting_jobs())] == ["when back"]
        assert job.request.prompt == "when back"
    finally:
        bia.close()


async def test_the_fake_engines_status_can_be_a_team_an_outage_and_a_return() -> None:
    fake = FakeStoreStatus()
    assert (await fake.store_status()).kind == "local"
    fake.on_team("postgresql://ana@db.studio:5432/veo", ("ana", "bia"))
    assert (await fake.store_status()).others_online == ("ana", "bia")
    fake.lose_store()
    status = await fake.store_status()
    assert not status.reachable and status.message is not None and "db.studio" in status.message
    with pytest.raises(StoreUnavailable):
        fake.refuse_if_lost()
    fake.regain_store()
    assert (await fake.store_status()).reachable
    fake.refuse_if_lost()


def test_the_self_test_checks_the_bundled_team_driver() -> None:
    from veo_desktop.ui.self_test import team_driver_problem

    assert team_driver_problem() is None
