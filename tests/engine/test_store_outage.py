"""Store outages do not end the dispatcher: it waits, keeps polling, and every job ends once, started once.

`FlakyStore` is an in-memory SQLite store that refuses every call while `down` (StoreUnavailable, as a team
database out of reach), or performs one call and then loses its answer (the commit landed, the connection
broke before the reply): the nastiest case, where only re-reading the database tells what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from veo_desktop.core.errors import StoreLocked, StoreUnavailable
from veo_desktop.core.states import JobStatus
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.testing.rig import Rig, request

LOST = "The team database cannot be reached (the connection broke); nothing was lost."


@dataclass
class Outage:
    down: bool = False
    error: type[Exception] = StoreUnavailable
    lose_answer_of: set[str] = field(default_factory=set)  # methods whose next call lands, then fails
    refused: int = 0
    lost: list[str] = field(default_factory=list)


class FlakyStore:
    def __init__(self, inner: SqliteStore, outage: Outage) -> None:
        self._inner, self._outage = inner, outage

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr) or name == "close":
            return attr
        outage = self._outage

        def call(*args: Any, **kwargs: Any) -> Any:
            if outage.down:
                outage.refused += 1
                raise outage.error(LOST)
            result = attr(*args, **kwargs)
            if name in outage.lose_answer_of and (name != "claim_next" or result is not None):
                outage.lose_answer_of.discard(name)
                outage.lost.append(name)
                raise StoreUnavailable(LOST)
            return result

        return call


def flaky(path: Path, outage: Outage) -> Callable[[], Any]:
    return lambda: FlakyStore(SqliteStore(path), outage)


async def _all_done(rig: Rig, count: int) -> bool:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return len(jobs) == count and all(j.status is JobStatus.COMPLETED for j in jobs)


async def _check_once(rig: Rig, prompts: list[str]) -> None:
    """Every job completed, each started at Google exactly once, charged once, never refunded."""
    assert sorted(rig.provider.start_log) == sorted(prompts)
    jobs = await rig.store.run(lambda s: s.list_jobs())
    ledger = await rig.store.run(lambda s: s.ledger())
    assert sorted(e.kind for e in ledger) == ["charge"] * len(prompts)
    for job in jobs:
        events = await rig.store.run(lambda s, job_id=job.id: s.events(job_id))
        assert [e.to_status for e in events].count(JobStatus.RUNNING.value) == 1, events
    assert await rig.store.run(lambda s: s.integrity_check()) == "ok"


@pytest.mark.parametrize("error", [StoreUnavailable, StoreLocked])
async def test_an_outage_mid_run_is_waited_out_and_every_job_completes_once(make_rig, tmp_path, error) -> None:
    outage = Outage(error=error)
    rig = await make_rig(store_factory=flaky(tmp_path / "q.sqlite3", outage))
    prompts = [f"outage prompt {i}" for i in range(4)]
    for prompt in prompts:
        await rig.engine.submit(request(prompt))
    await rig.drive(lambda: len(rig.provider.start_log) >= 2)
    outage.down = True
    # Jobs finish at Google while the store is away; the dispatcher keeps polling them and waits.
    polls = rig.provider.polls
    await rig.drive(lambda: outage.refused >= 30 and rig.provider.polls > polls + 2)
    assert rig.dispatcher._main is not None and not rig.dispatcher._main.done()
    assert len(rig.provider.start_log) == 2  # nothing starts without a claim
    outage.down = False
    await rig.settle(lambda: _all_done(rig, 4))
    await _check_once(rig, prompts)
    assert rig.dispatcher.store.outages >= 1


LOSABLE = ["claim_next", "mark_sending", "mark_running", "begin_download", "complete", "adopt_active", "requeue"]


@pytest.mark.parametrize("method", LOSABLE)
async def test_a_lost_answer_is_resolved_from_what_the_store_holds(make_rig, tmp_path, method) -> None:
    outage = Outage()
    rig = await make_rig(store_factory=flaky(tmp_path / "q.sqlite3", outage))
    if method == "requeue":
        from veo_desktop.core.errors import NotSentError

        rig.provider.start_errors.append(NotSentError("Could not connect."))
    prompts = [f"lost answer {i}" for i in range(3)]
    for prompt in prompts:
        await rig.engine.submit(request(prompt))
    outage.lose_answer_of.add(method)
    if method == "adopt_active":  # the periodic adopt (every adopt_every_s)
        await rig.drive(lambda: bool(rig.provider.start_log))
    await rig.settle(lambda: _all_done(rig, 3))
    assert outage.lost == [method]
    await _check_once(rig, prompts)
