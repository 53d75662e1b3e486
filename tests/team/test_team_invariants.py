"""`check_invariants` on a PostgreSQL team database (its admin URL): the same I1–I8 as on a SQLite file, and
positive controls showing each check fires on a broken team database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.store import pg
from tests.store.helpers import DAY, T0, new_jobs, output
from veo_desktop.bench.faults.invariants import SimFigures, check_invariants, pg_reader
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.store.postgres.store import PostgresStore
from veo_desktop.store.sqlite import SqliteStore

CANARY = "AIza" + "k" * 35
COST = 3_200_000


def _play(store: Any, *, seed: int, claim_owner: str = "A") -> list[str]:
    """Three jobs: one completed, one failed (refunded), one left waiting as an unknown start."""
    jobs = store.enqueue(new_jobs(3, seed=seed, cost=COST), now_ms=T0, day_start_ms=DAY)
    slots = SlotConfig(max_in_flight=2, max_starts_per_minute=0)
    done = store.claim_next(owner=claim_owner, now_ms=T0 + 1, lease_ms=60_000, config=slots)
    bad = store.claim_next(owner=claim_owner, now_ms=T0 + 2, lease_ms=60_000, config=slots)  # two in flight
    store.mark_running(done.id, operation_name="operations/a", now_ms=T0 + 3, fence=done.fence)
    store.begin_download(done.id, now_ms=T0 + 4, fence=done.fence)
    store.complete(done.id, outputs=[output("a.mp4")], now_ms=T0 + 5, fence=done.fence)
    store.fail(bad.id, expected=JobStatus.SUBMITTING, kind=FailureKind.INVALID, message="400", now_ms=T0 + 6)
    lost = store.claim_next(owner=claim_owner, now_ms=T0 + 7, lease_ms=60_000, config=slots)
    store.mark_unknown(lost.id, message="Timed out after sending.", now_ms=T0 + 8, fence=lost.fence)
    return [j.id for j in jobs]


@pytest.fixture
def team(pg_cluster: pg.Cluster, pg_db: str) -> Iterator[tuple[str, PostgresStore, PostgresStore]]:
    ana = PostgresStore(pg_cluster.creator_url(pg_db, "ana"), desktop_id="ana-1")
    bia = PostgresStore(pg_cluster.creator_url(pg_db, "bia"), desktop_id="bia-1")
    ana.set_pool_config(max_in_flight=2, max_starts_per_minute=0, one_start_on_wire=False)
    yield pg_cluster.admin_url(pg_db), ana, bia
    ana.close()
    bia.close()


def test_the_same_checks_give_the_same_report_on_both_backends(
    team: tuple[str, PostgresStore, PostgresStore], tmp_path: Path
) -> None:
    url, ana, _ = team
    with SqliteStore(tmp_path / "store.sqlite3") as local:
        local_ids = _play(local, seed=3)
    team_ids = _play(ana, seed=3, claim_owner="ana-1")
    figures = SimFigures(Counter(), peak_in_flight=1, key_seen_on_hosts=frozenset({"127.0.0.1"}))
    kwargs: dict[str, Any] = {"settled": True, "canary": CANARY, "default_hold_ms": 480_000}
    on_file = check_invariants(tmp_path / "store.sqlite3", None, figures, expected_job_ids=local_ids, **kwargs)
    on_team = check_invariants(url, None, figures, expected_job_ids=team_ids, **kwargs)
    assert on_file.ok and on_team.ok, (on_file.violations, on_team.violations)
    for report in (on_file, on_team):
        assert report.statuses == Counter({"completed": 1, "failed": 1, "unknown_start": 1})
        assert report.balance_micros == 2 * COST and report.ledger_delta_micros == 0
        assert report.peak_store == 2 and report.integrity == "ok"
    assert on_file.balance_by_creator == {} and on_team.balance_by_creator == {"ana": 2 * COST}


def test_each_creators_balance_is_reported(team: tuple[str, PostgresStore, PostgresStore]) -> None:
    url, ana, bia = team
    ana.enqueue(new_jobs(2, seed=1, cost=COST), now_ms=T0, day_start_ms=DAY)
    (mine,) = bia.enqueue(new_jobs(1, seed=2, cost=400_000), now_ms=T0, day_start_ms=DAY)
    bia.cancel(mine.id, now_ms=T0 + 1)
    report = check_invariants(pg_reader(url), None, None, settled=False)
    assert report.ok, report.violations
    assert report.balance_by_creator == {"ana": 2 * COST, "bia": 0} and report.statuses["queued"] == 2


def test_each_check_fires_on_a_broken_team_database(team: tuple[str, PostgresStore, PostgresStore]) -> None:
    url, ana, _ = team
    ids = _play(ana, seed=5, claim_owner="ana-1")
    raw = pg.Raw(url)
    try:
        raw("ALTER TABLE veo.ledger DISABLE TRIGGER USER")
        raw("DELETE FROM veo.ledger WHERE kind = 'refund'")  # I4: a failed job kept its charge
        raw('DROP INDEX veo."starts_one_accepted_UNIQUE"')
        raw(
            "INSERT INTO veo.starts (job_id, attempt, claim_no, at_ms, owner, outcome) "
            "SELECT job_id, attempt, claim_no + 10, at_ms, owner, 'accepted' FROM veo.starts WHERE outcome = 'accepted'"
        )  # I2: a second accepted start for the completed job's attempt
        raw(f"UPDATE veo.jobs SET error_message = 'key {CANARY}' WHERE id = '{ids[1]}'")  # noqa: S608 (I8)
        raw("ALTER TABLE veo.jobs ADD CONSTRAINT later_check CHECK (attempt < 100) NOT VALID")  # I7
    except Exception:
        raw.close()
        raise
    raw.close()
    report = check_invariants(url, None, None, expected_job_ids=[*ids, "jgone"], settled=False, canary=CANARY)
    kinds = Counter(v.split(":")[0] for v in report.violations)
    assert set(kinds) == {"I1", "I2", "I4", "I7", "I8"}, report.violations
    assert "job ledger sums differ from the ledger" in report.integrity
    assert "constraints not validated: veo.jobs.later_check" in report.integrity
    assert report.lost == 1 and report.double_starts == 1


def test_a_peak_above_the_cap_in_the_store_is_seen(team: tuple[str, PostgresStore, PostgresStore]) -> None:
    url, ana, _ = team
    ana.enqueue(new_jobs(3, seed=9, cost=COST), now_ms=T0, day_start_ms=DAY)
    raw = pg.Raw(url)
    try:  # the cap and its backstop removed, then three claims (what the naive claim did)
        raw('DROP INDEX veo."jobs_one_holder_per_slot_UNIQUE"')
        raw("UPDATE veo.pool SET max_in_flight = 3")
        raw("INSERT INTO veo.slots VALUES (3)")
    finally:
        raw.close()
    for n in range(3):
        assert ana.claim_next(owner="ana-1", now_ms=T0 + n, lease_ms=60_000, config=SlotConfig()) is not None
    report = check_invariants(url, None, None, settled=False, max_in_flight=2)
    assert report.peak_store == 3 and [v[:3] for v in report.violations] == ["I3:"], report.violations
