"""The outbox of starts on the virtual-clock rig: a kill after Google's answer was journaled ends with the job
running and completed (one start, never unknown); a kill after `sending` was journaled leaves a genuine unknown
holding its slot; a `mark_running` the store refused after the 200 is recovered by the replay; a start with too
little of its lease left goes back to its place unsent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from veo_desktop import faults
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import StoreDiskFull
from veo_desktop.core.outbox import StartState
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.starter import LEASE_SHORT_NOTE
from veo_desktop.store.sqlite import SqliteStore
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import Rig, request

OLD_PID, NEW_PID = 4242, 5151


class Killed(BaseException):
    """The process died at a fault point: nothing after it runs (raised, never caught by the engine)."""


def _kill() -> None:
    raise Killed


@pytest.fixture(autouse=True)
def _disarmed() -> Iterator[None]:
    faults.disarm()
    yield
    faults.disarm()


async def statuses(rig: Rig) -> list[JobStatus]:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return [j.status for j in sorted(jobs, key=lambda j: j.queue_order)]


async def _killed_at(rig: Rig, point: str) -> None:
    async def hit() -> bool:
        return faults.hits().get(point, 0) >= 1

    await rig.settle(hit)
    await rig.restart("relaunched", pid=NEW_PID, alive=lambda pid: pid != OLD_PID)  # the old process is gone


async def test_a_kill_after_the_answer_was_journaled_ends_running_then_completed(make_rig: RigFactory) -> None:
    rig = await make_rig(pid=OLD_PID)
    faults.arm("late_answer", 1, _kill)
    [job] = await rig.engine.submit(request("journaled answer"))
    await _killed_at(rig, "late_answer")
    faults.disarm()

    async def completed() -> bool:
        return (await rig.engine.get(job.id)).status is JobStatus.COMPLETED

    await rig.settle(completed)
    assert rig.provider.start_log == ["journaled answer"]  # started once, never resent
    figures = rig.dispatcher.replayer.figures
    assert (figures.late_answers, figures.left_to_user, figures.resolved) == (1, 0, 1)
    details = [e.detail for e in await rig.store.run(lambda s: s.events(job.id))]
    assert any("outbox" in d and "operations/op1" in d for d in details)
    assert not any(e.to_status == "unknown_start" for e in await rig.store.run(lambda s: s.events(job.id)))
    assert await rig.dispatcher.deps.outbox.entries() == []  # settled: nothing left to replay


async def test_a_kill_after_sending_was_journaled_stays_an_unknown_holding_its_slot(
    make_rig: RigFactory, rig_clock_provider: tuple[ManualClock, FakeProvider]
) -> None:
    clock, provider = rig_clock_provider
    provider.default_duration_s = 5_000  # generations outlive the hold
    rig = await make_rig(provider=provider, clock=clock, pid=OLD_PID)
    faults.arm("outbox_sending", 1, _kill)
    for i in range(3):
        await rig.engine.submit(request(f"journaled send {i}"))
    await _killed_at(rig, "outbox_sending")
    faults.disarm()

    async def settled() -> bool:
        return (await statuses(rig))[:2] == [JobStatus.UNKNOWN_START, JobStatus.RUNNING]

    await rig.settle(settled)
    assert (await statuses(rig))[2] is JobStatus.QUEUED  # two slots: the unknown one and the running one
    assert provider.start_log == ["journaled send 1"]  # the killed start never reached Google, none resent
    figures = rig.dispatcher.replayer.figures
    assert (figures.left_to_user, figures.resolved) == (1, 0)
    (unknown,) = await rig.store.run(lambda s: s.list_jobs([JobStatus.UNKNOWN_START]))
    assert unknown.slot_hold_until_ms is not None and unknown.slot_hold_until_ms > rig.clock.wall_ms()


class RefusesFirstMarkRunning(SqliteStore):
    """A store whose first `mark_running` fails after Google's 200: a full disk, or (`peer_first`) another
    process that took the job for an unknown start while this one waited for the store."""

    peer_first = False
    refused = 0

    def mark_running(self, job_id: str, *, operation_name: str, now_ms: int, fence: int | None = None):  # type: ignore[no-untyped-def]
        if type(self).refused:
            return super().mark_running(job_id, operation_name=operation_name, now_ms=now_ms, fence=fence)
        type(self).refused += 1
        if not type(self).peer_first:
            raise StoreDiskFull("The disk is full.")
        self.mark_unknown(job_id, message="taken by a peer", now_ms=now_ms, fence=fence)
        return super().mark_running(job_id, operation_name=operation_name, now_ms=now_ms, fence=fence)


@pytest.mark.parametrize("peer_first", [False, True], ids=["disk-full", "peer-made-it-unknown"])
async def test_a_refused_mark_running_after_the_200_is_recovered_by_the_replay(
    make_rig: RigFactory, tmp_path: object, peer_first: bool
) -> None:
    store_class = type("Refusing", (RefusesFirstMarkRunning,), {"peer_first": peer_first, "refused": 0})
    path = str(tmp_path) + "/store.sqlite3"
    rig = await make_rig(store_factory=lambda: store_class(path))
    [job] = await rig.engine.submit(request("refused mark running"))

    async def completed() -> bool:
        return (await rig.engine.get(job.id)).status is JobStatus.COMPLETED

    await rig.settle(completed)
    assert store_class.refused == 1
    assert rig.provider.start_log == ["refused mark running"]
    assert rig.dispatcher.replayer.figures.late_answers == 1
    done = await rig.engine.get(job.id)
    assert done.operation_name == "models/veo-3.1-fast-generate-001/operations/op1"


async def test_a_start_with_too_little_lease_left_goes_back_unsent(
    make_rig: RigFactory, rig_clock_provider: tuple[ManualClock, FakeProvider]
) -> None:
    clock, provider = rig_clock_provider
    rig = await make_rig(provider=provider, clock=clock)
    faults.arm("before_start_request", 1, lambda: clock.advance(40))  # frozen for 40 s of a 60 s lease
    [first] = await rig.engine.submit(request("short lease"))
    await rig.engine.submit(request("behind it"))

    async def both_done() -> bool:
        return await statuses(rig) == [JobStatus.COMPLETED] * 2

    await rig.settle(both_done)
    assert provider.start_log == ["short lease", "behind it"]  # sent once, later, still first in line
    events = await rig.store.run(lambda s: s.events(first.id))
    assert [e.detail for e in events if e.to_status == "queued"][-1] == f"Back in the queue: {LEASE_SHORT_NOTE}"
    assert (await rig.store.run(lambda s: s.ledger(first.id)))[0].kind == "charge"
    assert len(await rig.store.run(lambda s: s.ledger(first.id))) == 1  # no ledger change


async def test_an_entry_of_a_process_still_alive_is_left_to_it(make_rig: RigFactory) -> None:
    """The window and the CLI share one desktop's outbox: a replay never settles another live process's start."""
    rig = await make_rig(pid=OLD_PID)
    faults.arm("late_answer", 1, _kill)
    [job] = await rig.engine.submit(request("someone else's answer"))
    await _killed_at(rig, "late_answer")
    faults.disarm()
    await rig.restart("second-process", pid=NEW_PID, alive=lambda pid: True)  # the writer still runs
    await rig.dispatcher.replayer.replay()
    (entry,) = await rig.dispatcher.deps.outbox.entries()
    assert (entry.job_id, entry.state, entry.pid) == (job.id, StartState.ANSWERED, OLD_PID)
    assert (await rig.engine.get(job.id)).status is JobStatus.SUBMITTING


async def test_an_outbox_that_cannot_be_written_never_blocks_a_start(make_rig: RigFactory) -> None:
    rig = await make_rig()
    await rig.dispatcher.deps.outbox.aclose()  # every write now fails, as on a full or read-only disk
    [job] = await rig.engine.submit(request("no outbox"))

    async def completed() -> bool:
        return (await rig.engine.get(job.id)).status is JobStatus.COMPLETED

    await rig.settle(completed)
    assert rig.provider.start_log == ["no outbox"]
