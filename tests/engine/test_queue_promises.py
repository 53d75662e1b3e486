"""The queue's promises after crashes, on the virtual-clock rig: an unknown start keeps its slot, a dead
local holder's jobs are polled at once, a job waits for the provider it was queued for."""

from __future__ import annotations

import asyncio
from collections import deque

from veo_desktop.core.errors import StartOutcomeUnknown
from veo_desktop.core.jobs import Job
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.config import DispatchConfig
from veo_desktop.engine.texts import nothing_runnable_line, slot_hold_text
from veo_desktop.store.base import NewJob
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.rig import Rig, request


async def statuses(rig: Rig) -> list[JobStatus]:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return [j.status for j in sorted(jobs, key=lambda j: j.queue_order)]


async def test_an_unknown_start_keeps_its_slot_until_its_hold_ends(make_rig: RigFactory, rig_clock_provider) -> None:  # type: ignore[no-untyped-def]
    clock, provider = rig_clock_provider
    provider.default_duration_s = 5_000  # generations outlive the hold
    provider.start_errors.append(StartOutcomeUnknown("read timeout after sending"))
    rig = await make_rig(provider=provider, clock=clock)
    for i in range(3):
        await rig.engine.submit(request(f"hold {i}"))

    async def settled_first() -> bool:
        return (await statuses(rig))[:2] == [JobStatus.UNKNOWN_START, JobStatus.RUNNING]

    await rig.settle(settled_first)
    (unknown,) = await rig.store.run(lambda s: s.list_jobs([JobStatus.UNKNOWN_START]))
    assert unknown.slot_hold_until_ms is not None
    assert unknown.slot_hold_until_ms - (unknown.sending_at_ms or 0) == 600_000  # the default maximum
    text = slot_hold_text(unknown, rig.clock.wall_ms())
    assert text is not None and text.startswith("holding a slot until ") and text.endswith("in case Google started it")
    rig.clock.advance(590)
    await spin()
    assert (await statuses(rig))[2] is JobStatus.QUEUED  # two slots: the unknown one and the running one

    async def third_started() -> bool:
        return (await statuses(rig))[2] is JobStatus.RUNNING

    await rig.settle(third_started, max_virtual_s=60)
    assert rig.clock.wall_ms() >= unknown.slot_hold_until_ms
    assert slot_hold_text(await rig.engine.get(unknown.id), rig.clock.wall_ms()) is None


async def spin(rounds: int = 30) -> None:
    """Let real work (store calls on a worker thread) finish without moving virtual time."""
    for _ in range(rounds):
        await asyncio.sleep(0.005)


async def test_a_dead_local_holders_jobs_are_polled_at_once(make_rig: RigFactory, rig_clock_provider) -> None:  # type: ignore[no-untyped-def]
    clock, provider = rig_clock_provider
    provider.durations = deque([50.0, 50.0])
    config = DispatchConfig(slots=SlotConfig(2, 0), lease_ms=600_000)  # leases far from running out here
    rig = await make_rig(provider=provider, clock=clock, pid=4242, config=config)
    for i in range(2):
        await rig.engine.submit(request(f"orphan {i}"))

    async def two_running() -> bool:
        return await statuses(rig) == [JobStatus.RUNNING] * 2

    await rig.settle(two_running)
    await rig.restart("relaunched", start=False)  # kill -9: nothing released, no answer awaited
    await rig.dispatcher.stop()
    polls_before = provider.polls
    clock.advance(60)  # the generations finish while the app is down; their 10 min leases still run
    await rig.restart("relaunched-2", pid=5151, alive=lambda pid: pid != 4242)  # the relaunch
    await spin()  # no virtual time passes: no lease wait, no poll-policy wait
    assert provider.polls >= polls_before + 2
    assert len(provider.finished_noticed) == 2  # both found done by that first poll
    events = await rig.store.run(lambda s: s.events(limit=50))
    assert sum("its process is gone" in e.detail for e in events) == 2


async def test_a_job_waits_for_the_provider_it_was_queued_for(rig: Rig) -> None:
    spec = request("for gemini")
    foreign = NewJob("jgemini00000000000", spec, 1000, "gemini")
    now = rig.clock.wall_ms()
    await rig.store.run(lambda s: s.enqueue([foreign], now_ms=now, day_start_ms=0))
    [ours] = await rig.engine.submit(request("for vertex"))

    async def done() -> bool:
        return (await rig.engine.get(ours.id)).status is JobStatus.COMPLETED and await rig.dispatcher.idle()

    await rig.settle(done)
    waiting: Job = await rig.engine.get(foreign.id)
    assert waiting.status is JobStatus.QUEUED and waiting.attempt == 1
    assert waiting.note is not None and "gemini provider" in waiting.note
    assert rig.provider.start_log == ["for vertex"]  # never sent through the wrong provider
    snap = await rig.engine.snapshot()
    line = nothing_runnable_line([v.job for v in snap.jobs], snap.queue, rig.engine.available_providers())
    assert line == f"nothing more can run here: 1 job waits for the gemini provider ({foreign.id})."
