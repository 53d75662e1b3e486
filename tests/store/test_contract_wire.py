"""The Store contract of "one start on the wire" (`claim_next(one_on_wire=True)`), on SQLite in a file, SQLite in
memory and PostgreSQL: a start holds the wire while its lease lasts, and one whose desktop died or was cut off in
the middle of it holds the wire one lease at most, but its slot until it is adopted (Google may be running it)."""

from __future__ import annotations

from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.store.sqlite import SqliteStore

from .helpers import OPEN, T0, enqueue
from .test_contract import store

__all__ = ["store"]
LEASE_MS = 15_000
TWO = SlotConfig(max_in_flight=2, max_starts_per_minute=0)


def _claim(store: SqliteStore, owner: str, now_ms: int, config: SlotConfig = OPEN) -> str | None:
    job = store.claim_next(owner=owner, now_ms=now_ms, lease_ms=LEASE_MS, config=config, one_on_wire=True)
    return None if job is None else job.id


def test_a_start_holds_the_wire_while_its_lease_lasts_and_renewals_extend_it(store: SqliteStore) -> None:
    first, second, _third = (j.id for j in enqueue(store, 3))
    assert _claim(store, "A", T0) == first
    job = store.get(first)
    store.mark_sending(first, fence=job.fence, now_ms=T0, hold_until_ms=T0 + 600_000)
    assert _claim(store, "B", T0 + LEASE_MS - 1) is None  # A's POST is out
    store.renew_leases(owner="A", now_ms=T0 + 10_000, lease_ms=LEASE_MS)
    assert _claim(store, "B", T0 + LEASE_MS + 1) is None  # renewed while the POST is out: still A's
    store.mark_running(first, operation_name="op/1", now_ms=T0 + 12_000, fence=job.fence)
    assert _claim(store, "B", T0 + 12_001) == second  # answered: the wire is free at once


def test_a_start_whose_desktop_went_silent_frees_the_wire_after_its_lease_but_keeps_its_slot(
    store: SqliteStore,
) -> None:
    first, second, third = (j.id for j in enqueue(store, 3))
    assert _claim(store, "A", T0, TWO) == first
    job = store.get(first)
    store.mark_sending(first, fence=job.fence, now_ms=T0, hold_until_ms=T0 + 600_000)
    assert _claim(store, "B", T0 + LEASE_MS - 1, TWO) is None  # the wire waits for A's answer
    later = T0 + LEASE_MS + 1
    assert _claim(store, "B", later, TWO) == second  # A is silent past its lease: the team starts again
    assert store.get(first).status is JobStatus.SUBMITTING  # untouched: only its creator's desktop adopts it
    store.mark_running(second, operation_name="op/2", now_ms=later, fence=store.get(second).fence)
    assert _claim(store, "B", later + 1, TWO) is None  # A's start still holds one of the two slots
    assert store.get(third).status is JobStatus.QUEUED
