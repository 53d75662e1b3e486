"""Answers that stop the whole queue pause it once with one plain explanation; the job that met them keeps
its place (nothing fails, nothing is refunded one by one). A start Google did not take waits and is sent again."""

from __future__ import annotations

from pathlib import Path

import pytest

from veo_desktop.client.base import OperationStatus
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import AuthError, ExpressModeRefused, NotAcceptedError, SpendCapReached
from veo_desktop.core.states import FailureKind, JobStatus
from veo_desktop.engine.texts import nothing_runnable_line
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import Rig, request


async def paused(rig: Rig) -> bool:
    return (await rig.store.run(lambda s: s.queue_state())).paused


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ExpressModeRefused("Invalid resource field value.", http_status=400), "vertex-project"),
        (SpendCapReached("Spend cap reached.", http_status=429), "spend cap"),
        (AuthError("The token endpoint said invalid_grant.", http_status=400), "invalid_grant"),
    ],
)
async def test_account_refusals_pause_once_and_keep_every_job_waiting(
    make_rig: RigFactory, tmp_path: Path, error: Exception, words: str
) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock)
    provider.start_errors.extend([error] * 5)
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    for i in range(4):
        await rig.engine.submit(request(f"waiting {i}"))
    await rig.settle(lambda: paused(rig))
    clock.advance(120)
    jobs = await rig.store.run(lambda s: s.waiting_jobs())
    assert [j.request.prompt for j in jobs] == [f"waiting {i}" for i in range(4)]  # all waiting, in order
    state = await rig.store.run(lambda s: s.queue_state())
    assert state.pause_reason is not None and state.pause_reason.startswith("auth: ")
    assert words in state.pause_reason
    assert "sim-key" not in state.pause_reason
    snap = await rig.engine.snapshot()
    line = nothing_runnable_line([v.job for v in snap.jobs], snap.queue, rig.engine.available_providers())
    assert line is not None and "4 jobs wait while the queue is paused: " in line and words in line
    assert len(provider.start_errors) == 4  # one refused start, not one per waiting job
    entries = await rig.store.run(lambda s: s.ledger())
    assert [e.kind for e in entries] == ["charge"] * 4
    events = await rig.store.run(lambda s: s.events())
    assert not [e for e in events if e.to_status == "failed"]
    # Resumed after the fix: every job completes.
    provider.start_errors.clear()
    await rig.engine.resume()

    async def done() -> bool:
        jobs = await rig.store.run(lambda s: s.list_jobs())
        return all(j.status is JobStatus.COMPLETED for j in jobs)

    await rig.settle(done)
    assert provider.start_log == [f"waiting {i}" for i in range(4)]


async def test_not_accepted_starts_wait_and_go_again_without_failing(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock, default_duration_s=30)
    provider.start_errors.extend(NotAcceptedError("Unavailable.", http_status=503) for _ in range(5))
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [job] = await rig.engine.submit(request("not accepted"))
    await rig.settle(lambda: _completed(rig, job.id))
    job = await rig.engine.get(job.id)
    assert job.refunded_micros == 0 and job.attempt == 1
    assert provider.start_log == ["not accepted"]
    requeues = [e for e in await rig.engine.events(job.id) if e.to_status == "queued" and e.from_status]
    assert len(requeues) == 5


async def _completed(rig: Rig, job_id: str) -> bool:
    return (await rig.engine.get(job_id)).status is JobStatus.COMPLETED


class SpendCapAtFinish(FakeProvider):
    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        status = await super().poll(operation_name, staging_dir=staging_dir)
        if not status.done or "cap" not in self.ops[operation_name].spec.prompt:
            return status
        cap = SpendCapReached("budget_exceeded")
        return OperationStatus(name=operation_name, done=True, error_code=8, error_message="cap", pause_error=cap)


async def test_a_generation_stopped_by_the_spend_cap_fails_refunded_and_pauses(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    clock = ManualClock()
    provider = SpendCapAtFinish(clock=clock, default_duration_s=30)
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [capped] = await rig.engine.submit(request("hit the cap"))
    await rig.settle(lambda: paused(rig))
    await rig.settle(lambda: _status_is(rig, capped.id, JobStatus.FAILED))
    capped = await rig.engine.get(capped.id)
    assert capped.error_kind is FailureKind.OPERATION_ERROR and capped.refunded_micros == capped.cost_micros
    assert "billing unconfirmed" in (capped.error_message or "")
    state = await rig.store.run(lambda s: s.queue_state())
    assert "spend cap" in (state.pause_reason or "")


async def _status_is(rig: Rig, job_id: str, status: JobStatus) -> bool:
    return (await rig.engine.get(job_id)).status is status
