"""The dispatcher on a virtual clock against a fake provider: slots, FIFO, positions, failures, restarts."""

from __future__ import annotations

import random
from collections import deque
from pathlib import Path

import pytest

from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import (
    AuthError,
    NotFoundError,
    NotSentError,
    PermanentError,
    QuotaError,
    StartOutcomeUnknown,
    TransientError,
)
from veo_desktop.core.scheduling import SlotConfig
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import Rig, request

TERMINAL_OR_WAITING_USER = {
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.UNKNOWN_START,
}


async def all_settled(rig: Rig) -> bool:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return bool(jobs) and all(j.status in TERMINAL_OR_WAITING_USER for j in jobs)


async def check_ledger(rig: Rig) -> None:
    """I4: balance = Σ cost of attempts that are not refunded; at most one charge and refund per attempt."""
    entries = await rig.store.run(lambda s: s.ledger())
    keys = [(e.job_id, e.attempt, e.kind) for e in entries]
    assert len(keys) == len(set(keys))
    charges = {(e.job_id, e.attempt): e.amount_micros for e in entries if e.kind == "charge"}
    refunds = {(e.job_id, e.attempt): e.amount_micros for e in entries if e.kind == "refund"}
    assert set(refunds) <= set(charges)
    jobs = {j.id: j for j in await rig.store.run(lambda s: s.list_jobs())}
    for (job_id, attempt), amount in charges.items():
        job = jobs[job_id]
        current = attempt == job.attempt
        should_be_refunded = current and job.status in (JobStatus.FAILED, JobStatus.CANCELLED)
        if should_be_refunded:
            assert refunds.get((job_id, attempt)) == amount, (job_id, attempt, job.status)
        elif current:
            assert (job_id, attempt) not in refunds


async def test_twenty_jobs_two_slots_fifo_positions_and_ledger(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    rng = random.Random(3)
    provider = FakeProvider(
        clock=clock, durations=deque(rng.uniform(30, 120) for _ in range(20)), max_in_flight_allowed=2
    )
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    prompts = [f"shot {i:02d}" for i in range(20)]
    for p in prompts:
        await rig.engine.submit(request(p))
    seen_positions = []

    async def done() -> bool:
        snap = await rig.engine.snapshot()
        waiting = [v.position for v in snap.jobs if v.position is not None]
        assert sorted(waiting) == list(range(1, len(waiting) + 1))
        seen_positions.append(len(waiting))
        # Settled, and every job's task ended (the sidecar is written just after the completing commit).
        return await all_settled(rig) and not rig.dispatcher.tracked_jobs

    await rig.settle(done)
    jobs = await rig.store.run(lambda s: s.list_jobs())
    assert all(j.status is JobStatus.COMPLETED for j in jobs)
    assert provider.start_log == prompts  # strict FIFO, each started once
    assert provider.peak_in_flight <= 2
    assert max(seen_positions) >= 17
    for job in jobs:
        assert job.outputs and Path(job.outputs[0].path).read_bytes()[4:8] == b"ftyp"  # noqa: ASYNC240
        assert Path(job.outputs[0].path).with_suffix(".json").exists()
    await check_ledger(rig)
    summary = (await rig.engine.snapshot()).ledger
    assert summary.balance_micros == sum(j.cost_micros for j in jobs)


async def test_429_storm_waits_in_place_and_starts_each_job_once(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=40)
    provider.start_errors.extend(QuotaError("quota", http_status=429, retry_after_s=30) for _ in range(6))
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    for i in range(6):
        await rig.engine.submit(request(f"storm {i}"))
    await rig.settle(lambda: all_settled(rig))
    jobs = await rig.store.run(lambda s: s.list_jobs())
    assert {j.status for j in jobs} == {JobStatus.COMPLETED}
    assert provider.start_log == [f"storm {i}" for i in range(6)]
    await check_ledger(rig)


async def test_restart_in_the_middle_resumes_without_restarting(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=50)
    rig = await make_rig(tmp_path, provider=provider, clock=clock, owner="first")
    for i in range(8):
        await rig.engine.submit(request(f"restart {i}"))

    async def two_running() -> bool:
        jobs = await rig.store.run(lambda s: s.list_jobs([JobStatus.RUNNING]))
        return len(jobs) == 2

    await rig.settle(two_running)
    await rig.dispatcher.stop()  # the app quits with two generations in flight
    second = await make_rig(tmp_path, provider=provider, clock=clock, owner="second")
    await second.settle(lambda: all_settled(second))
    jobs = await second.store.run(lambda s: s.list_jobs())
    assert {j.status for j in jobs} == {JobStatus.COMPLETED}
    assert sorted(provider.start_log) == sorted(f"restart {i}" for i in range(8))
    assert len(provider.start_log) == 8  # nothing started twice
    await check_ledger(second)


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        (
            PermanentError("The number value for `durationSeconds` is out of bound.", http_status=400),
            JobStatus.FAILED,
            FailureKind.INVALID,
        ),
        (NotFoundError("Model not found.", http_status=404), JobStatus.FAILED, FailureKind.NOT_FOUND),
        (StartOutcomeUnknown("read timeout"), JobStatus.UNKNOWN_START, None),
    ],
)
async def test_start_answers(
    make_rig: RigFactory, tmp_path: Path, error: Exception, status: JobStatus, kind: FailureKind | None
) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock)
    provider.start_errors.append(error)
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [job] = await rig.engine.submit(request("answer"))
    await rig.settle(lambda: all_settled(rig))
    job = await rig.engine.get(job.id)
    assert job.status is status
    assert job.error_kind is kind
    assert provider.start_log == []
    await check_ledger(rig)
    if status is JobStatus.FAILED:
        assert job.refunded_micros == job.charged_micros == job.cost_micros
        assert "durationSeconds" in (job.error_message or "") or kind is FailureKind.NOT_FOUND


async def test_unknown_start_is_never_resent_and_user_decides(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=20)
    provider.start_errors.extend([StartOutcomeUnknown("timeout"), StartOutcomeUnknown("timeout")])
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [a] = await rig.engine.submit(request("unknown a"))
    [b] = await rig.engine.submit(request("unknown b"))
    await rig.settle(lambda: all_settled(rig))
    clock.advance(3600)
    await rig.settle(lambda: all_settled(rig))
    assert provider.start_log == []
    await rig.engine.give_up(a.id)
    await rig.engine.retry(b.id)
    await rig.settle(lambda: all_settled(rig))
    a, b = await rig.engine.get(a.id), await rig.engine.get(b.id)
    assert a.status is JobStatus.FAILED and a.refunded_micros == a.cost_micros
    assert b.status is JobStatus.COMPLETED and b.attempt == 2
    assert b.charged_micros == 2 * b.cost_micros  # the unknown attempt may have been billed
    assert provider.start_log == ["unknown b"]
    await check_ledger(rig)


async def test_server_errors_retry_then_fail_with_refund(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock)
    provider.start_errors.extend(TransientError("Internal error.", http_status=500) for _ in range(3))
    rig = await make_rig(tmp_path, provider=provider, clock=clock, slots=SlotConfig(1, 0))
    [job] = await rig.engine.submit(request("five hundred"))
    [ok] = await rig.engine.submit(request("after"))
    await rig.settle(lambda: all_settled(rig))
    job, ok = await rig.engine.get(job.id), await rig.engine.get(ok.id)
    assert job.status is JobStatus.FAILED and job.error_kind is FailureKind.SERVER
    assert job.refunded_micros == job.cost_micros
    assert ok.status is JobStatus.COMPLETED
    await check_ledger(rig)


async def test_not_sent_is_retried_and_auth_pauses_the_queue(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock)
    provider.start_errors.extend([NotSentError("connection refused"), AuthError("API key not valid.", http_status=400)])
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [job] = await rig.engine.submit(request("auth"))

    async def paused() -> bool:
        return (await rig.store.run(lambda s: s.queue_state())).paused

    await rig.settle(paused)
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.QUEUED and job.refunded_micros == 0
    snap = await rig.engine.snapshot()
    assert snap.queue.pause_reason and snap.queue.pause_reason.startswith("auth")
    await rig.engine.resume()
    await rig.settle(lambda: all_settled(rig))
    assert (await rig.engine.get(job.id)).status is JobStatus.COMPLETED
    assert provider.start_log == ["auth"]
    await check_ledger(rig)


@pytest.mark.parametrize(
    ("outcome", "kind"),
    [
        ("filter", FailureKind.FILTERED),
        ("error", FailureKind.OPERATION_ERROR),
        ("novideo", FailureKind.NO_VIDEO),
    ],
)
async def test_finished_without_video_fails_with_refund(
    make_rig: RigFactory, tmp_path: Path, outcome: str, kind: FailureKind
) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, outcomes={"bad": outcome})
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [job] = await rig.engine.submit(request("bad prompt"))
    await rig.settle(lambda: all_settled(rig))
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.FAILED and job.error_kind is kind
    assert job.refunded_micros == job.cost_micros
    if kind is FailureKind.FILTERED:
        assert job.filter_reasons == ("unsafe",)


async def test_poll_and_download_errors_are_retried(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=30)
    provider.poll_errors.extend([TransientError("503", http_status=503), TransientError("reset")])
    provider.download_errors.extend([TransientError("reset mid-download"), OSError(28, "No space left on device")])
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [job] = await rig.engine.submit(request("flaky"))
    await rig.settle(lambda: all_settled(rig))
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.COMPLETED
    assert not list((tmp_path / "library").glob("*.part"))


async def test_cancel_pause_reorder(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=100)
    rig = await make_rig(tmp_path, provider=provider, clock=clock, slots=SlotConfig(1, 0))
    await rig.engine.pause()
    jobs = [j for i in range(4) for j in await rig.engine.submit(request(f"order {i}"))]
    await rig.engine.cancel(jobs[1].id)
    await rig.engine.move_to_top(jobs[3].id)
    snap = await rig.engine.snapshot()
    order = [v.id for v in snap.jobs if v.position is not None]
    assert order == [jobs[3].id, jobs[0].id, jobs[2].id]
    await rig.engine.resume()
    await rig.settle(lambda: all_settled(rig))
    assert provider.start_log == ["order 3", "order 0", "order 2"]
    cancelled = await rig.engine.get(jobs[1].id)
    assert cancelled.status is JobStatus.CANCELLED and cancelled.refunded_micros == cancelled.cost_micros
    await check_ledger(rig)


async def test_freed_slot_refills_at_once(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=60)
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    for i in range(6):
        await rig.engine.submit(request(f"refill {i}"))
    await rig.settle(lambda: all_settled(rig))
    gaps = rig.dispatcher.refill_gaps_ms
    assert gaps and max(gaps) < 1.0  # virtual ms: the refill never waits for a timer


async def test_daily_budget_refuses_new_jobs_and_retries(make_rig: RigFactory, tmp_path: Path) -> None:
    from veo_desktop.store.base import BudgetExceeded

    clock = ManualClock()
    provider = FakeProvider(clock=clock, outcomes={"doomed": "error"})
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    await rig.engine.set_daily_budget(800_000)  # $0.80: two 4 s Veo 3.1 Fast 720p jobs
    [doomed] = await rig.engine.submit(request("doomed"))
    await rig.engine.submit(request("fine"))
    with pytest.raises(BudgetExceeded, match="raise the budget in Settings"):
        await rig.engine.submit(request("one too many"))
    await rig.settle(lambda: all_settled(rig))
    assert len(await rig.store.run(lambda s: s.list_jobs())) == 2  # nothing stored for the refused one
    await rig.engine.retry(doomed.id)  # the failed job was refunded, so its retry fits
    with pytest.raises(BudgetExceeded):
        await rig.engine.submit(request("still too many"))
    await check_ledger(rig)


async def test_a_slow_start_is_not_mistaken_for_a_dead_one(make_rig: RigFactory, tmp_path: Path) -> None:
    """The periodic adopt (every 15 s) must not turn our own start call, still on the wire, into
    "start outcome unknown" (it did once: a paid generation stranded mid-start)."""
    clock = ManualClock()

    class SlowStart(FakeProvider):
        async def start(self, spec):  # type: ignore[no-untyped-def]
            await clock.sleep(40)  # longer than adopt_every_s and the lease renewal period
            return await super().start(spec)

    provider = SlowStart(clock=clock, default_duration_s=30)
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [job] = await rig.engine.submit(request("slow start"))
    await rig.settle(lambda: all_settled(rig))
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.COMPLETED
    assert provider.start_log == ["slow start"]
