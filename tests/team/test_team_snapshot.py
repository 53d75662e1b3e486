"""Team-wide positions in the queue snapshot: a creator sees every waiting job's place across creators, their
own in full, the others' only as "creator · model · position"; ETAs follow the team's cap, not the desktop's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.store import pg
from tests.store.helpers import DAY, MODEL, T0, new_jobs
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.engine.api import PlaceView
from veo_desktop.engine.snapshot import read_snapshot
from veo_desktop.store.base import Holder
from veo_desktop.store.postgres.store import PostgresStore

PRIOR_S = 60.0
FOUR = SlotConfig(max_in_flight=4, max_starts_per_minute=0)  # what this desktop is set to; the team says 1


@pytest.fixture
def team(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    ana = PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-laptop")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-desk")
    ana.set_pool_config(max_in_flight=1, max_starts_per_minute=0, one_start_on_wire=False)
    yield ana, bia
    ana.close()
    bia.close()


def _snapshot(store: PostgresStore, now_ms: int = T0):
    return read_snapshot(store, now_ms=now_ms, slots=FOUR, prior_s=lambda _m: PRIOR_S)


def test_every_waiting_job_has_its_team_place(team: tuple[PostgresStore, PostgresStore]) -> None:
    ana, bia = team
    ana.enqueue(new_jobs(2, seed=1), now_ms=T0, day_start_ms=DAY)
    (mine,) = bia.enqueue(new_jobs(1, seed=2, now_ms=T0 + 1), now_ms=T0 + 1, day_start_ms=DAY)
    ana.enqueue(new_jobs(1, seed=3, now_ms=T0 + 2), now_ms=T0 + 2, day_start_ms=DAY)

    snap = _snapshot(bia)
    (view,) = [v for v in snap.jobs if v.position is not None]
    assert (view.id, view.position, view.job.request.prompt) == (mine.id, 3, "prompt 0")  # own: in full
    assert [p.label for p in snap.others] == [f"ana · {MODEL} · 1", f"ana · {MODEL} · 2", f"ana · {MODEL} · 4"]
    assert not any(hasattr(p, "prompt") or hasattr(p, "job_id") for p in snap.others)
    # One slot for the team: each waiting job starts one expected generation after the one before it.
    assert snap.max_in_flight == 1
    assert [p.eta_start_s for p in snap.others[:2]] == [0.0, PRIOR_S]
    assert view.eta_start_s == 2 * PRIOR_S
    assert snap.others[2].eta_start_s == 3 * PRIOR_S

    ana_snap = _snapshot(ana)
    assert [v.position for v in ana_snap.jobs if v.position is not None] == [1, 2, 4]
    assert [p.label for p in ana_snap.others] == [f"bia · {MODEL} · 3"]


def test_a_slot_held_by_another_creator_delays_everyone(team: tuple[PostgresStore, PostgresStore]) -> None:
    ana, bia = team
    ana.enqueue(new_jobs(1, seed=1), now_ms=T0, day_start_ms=DAY)
    bia.enqueue(new_jobs(1, seed=2, now_ms=T0 + 1), now_ms=T0 + 1, day_start_ms=DAY)
    bia.heartbeat()
    ana.heartbeat()
    claimed = ana.claim_next(owner=Holder("ana-laptop", 1, "ana-run"), now_ms=T0 + 5, lease_ms=60_000, config=FOUR)
    assert claimed is not None
    snap = _snapshot(bia, now_ms=T0 + 5)
    (view,) = [v for v in snap.jobs if v.position is not None]
    assert view.position == 1 and snap.others == ()
    # Ana's start holds the team's one slot; its start time is hers, so half a generation is assumed.
    assert view.eta_start_s == PRIOR_S / 2


def test_a_local_store_shows_only_its_own_queue(tmp_path) -> None:
    from veo_desktop.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "q.sqlite3")
    try:
        store.enqueue(new_jobs(3), now_ms=T0, day_start_ms=DAY)
        snap = read_snapshot(store, now_ms=T0, slots=SlotConfig(1, 0), prior_s=lambda _m: PRIOR_S)
        assert snap.others == () and snap.max_in_flight == 1
        assert [(v.position, v.eta_start_s) for v in snap.jobs] == [(1, 0.0), (2, PRIOR_S), (3, 2 * PRIOR_S)]
        assert all(p.mine and p.creator == "" for p in store.queue_places().places)
    finally:
        store.close()


def test_place_views_read_as_creator_model_position() -> None:
    assert PlaceView("ana", "veo-3.1", 7, None).label == "ana · veo-3.1 · 7"
