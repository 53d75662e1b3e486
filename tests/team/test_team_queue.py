"""The team's queue across desktops: one cap whatever a desktop is set to, the database's clock for leases
(T8), strict FIFO across creators among those online, an away creator keeping their place (T9)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.store import pg
from tests.store.helpers import T0, new_jobs
from veo_desktop.core.errors import StoreLocked
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.store.base import Holder
from veo_desktop.store.postgres.store import PostgresStore

A = Holder(host="ana-laptop", pid=11, token="ana-run")
B = Holder(host="bia-desk", pid=22, token="bia-run")
FOUR = SlotConfig(max_in_flight=4, max_starts_per_minute=0)


@pytest.fixture
def team(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[tuple[PostgresStore, PostgresStore, pg.Raw]]:
    raw = pg.Raw(pg_cluster.admin_url(pg_db))
    ana = PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-laptop")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-desk")
    ana.set_pool_config(max_in_flight=2, max_starts_per_minute=0, one_start_on_wire=False)
    yield ana, bia, raw
    ana.close()
    bia.close()
    raw.close()


def test_desktop_clocks_and_slot_settings_do_not_count(team: tuple[PostgresStore, PostgresStore, pg.Raw]) -> None:
    ana, _, raw = team
    raw("UPDATE veo.settings SET test_clock = false")  # production: only the database's clock
    ana.enqueue(new_jobs(4, seed=1), now_ms=0, day_start_ms=0)
    fast = int(time.time() * 1000) + 90_000  # a laptop 90 s fast
    first = ana.claim_next(owner=A, now_ms=fast, lease_ms=60_000, config=FOUR)
    second = ana.claim_next(owner=A, now_ms=fast - 210_000, lease_ms=60_000, config=FOUR)  # one 120 s slow
    assert first is not None and second is not None
    assert ana.claim_next(owner=A, now_ms=fast, lease_ms=60_000, config=FOUR) is None  # the team's 2, not 4
    ana.mark_sending(first.id, fence=first.fence, now_ms=fast, hold_until_ms=fast + 600_000)
    ana.mark_running(first.id, operation_name="operations/1", now_ms=fast, fence=first.fence)
    other = PostgresStore(ana._url, desktop_id="ana-desktop")  # ana's second desktop, its clock 10 min fast
    try:
        assert other.adopt_active(owner="ana-desktop-run", now_ms=fast + 600_000, lease_ms=60_000) == []
    finally:
        other.close()
    lease_until = raw("SELECT lease_until_ms - started_at_ms FROM veo.jobs WHERE id = ?", (first.id,))[0][0]
    assert lease_until == 60_000  # both dated by the database, not by the laptop
    assert first.started_at_ms is not None and abs(first.started_at_ms - int(time.time() * 1000)) < 60_000


def test_fifo_across_creators_and_an_away_creator_keeps_their_place(
    team: tuple[PostgresStore, PostgresStore, pg.Raw],
) -> None:
    ana, bia, raw = team
    bia.heartbeat()  # bia's desktop is online (pinned clock: seen at the time the tests pass)
    raw("UPDATE veo.desktops SET seen_at_ms = ?", (T0,))
    (b1,) = bia.enqueue(new_jobs(1, seed=2), now_ms=T0, day_start_ms=0)
    a_jobs = ana.enqueue(new_jobs(3, seed=3), now_ms=T0, day_start_ms=0)
    assert ana.claim_next(owner=A, now_ms=T0 + 1, lease_ms=60_000, config=FOUR) is None  # bia's job is first
    positions = [(c, p) for _, c, _, s, p in ana.team_queue() if s == "queued"]
    assert positions == [("bia", 1), ("ana", 2), ("ana", 3), ("ana", 4)]  # everyone sees every place
    away = T0 + 16_000  # bia's desktop unseen for more than the 15 s presence window
    got = ana.claim_next(owner=A, now_ms=away, lease_ms=60_000, config=FOUR)
    assert got is not None and got.id == a_jobs[0].id
    assert bia.get(b1.id).queue_order < a_jobs[1].queue_order  # bia kept her place
    back = bia.claim_next(owner=B, now_ms=away + 1, lease_ms=60_000, config=FOUR)  # bia returns: hers is next
    assert back is not None and back.id == b1.id


class _AlwaysBusy(PostgresStore):
    """Every write loses the race for the pool row, five times over."""

    def _write(self, fn: object) -> object:  # type: ignore[override]
        raise StoreLocked("the pool row stayed busy")


def test_a_claim_that_keeps_losing_the_race_claims_nothing(team: tuple[PostgresStore, PostgresStore, pg.Raw]) -> None:
    ana, _, _ = team
    ana.enqueue(new_jobs(1, seed=9), now_ms=T0, day_start_ms=0)
    busy = _AlwaysBusy(ana._url, desktop_id="ana-laptop")
    try:
        assert busy.claim_next(owner=A, now_ms=T0, lease_ms=60_000, config=FOUR) is None  # safe: nothing now
        assert busy.busy_claims == 1
        with pytest.raises(StoreLocked):
            busy.cancel(ana.waiting_jobs()[0].id, now_ms=T0)  # other moves still say so
    finally:
        busy.close()
