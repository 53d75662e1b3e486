"""`Engine.job_record`: every field sent to Google and what came back, from a real sidecar for a finished job
and from the job's row for a waiting or failed one (or a finished one whose sidecar is gone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from veo_desktop.client.base import OperationStatus
from veo_desktop.core.clock import ManualClock
from veo_desktop.core.errors import JobNotFound
from veo_desktop.core.jobs import Job
from veo_desktop.core.states import JobStatus
from veo_desktop.engine.records import job_record
from veo_desktop.engine.specs import sent_fields
from veo_desktop.testing.fixtures import RigFactory
from veo_desktop.testing.provider import FakeProvider
from veo_desktop.testing.rig import Rig, request


class Rewriting(FakeProvider):
    """Answers a done poll with a rewritten prompt, one filtered variation of two and its reason."""

    async def poll(self, operation_name: str, *, staging_dir: Path) -> OperationStatus:
        status = await super().poll(operation_name, staging_dir=staging_dir)
        if not status.done or not status.videos:
            return status
        return OperationStatus(
            name=operation_name,
            done=True,
            videos=status.videos[:1],
            filtered_count=1,
            filter_reasons=("Contains a public figure.",),
            rewritten_prompt="A lighthouse at dawn, waves, soft light.",
        )


async def _all_terminal(rig: Rig) -> bool:
    jobs = await rig.store.run(lambda s: s.list_jobs())
    return bool(jobs) and all(j.status.is_terminal for j in jobs) and not rig.dispatcher.tracked_jobs


async def test_a_finished_job_reads_what_its_sidecar_recorded(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    rig = await make_rig(tmp_path, provider=Rewriting(clock=clock), clock=clock)
    [job] = await rig.engine.submit(
        request("a lighthouse", sample_count=2, seed=42, generate_audio=False, enhance_prompt=True, batch="coast")
    )
    await rig.settle(lambda: _all_terminal(rig))
    job = await rig.engine.get(job.id)
    assert job.status is JobStatus.COMPLETED
    record = await rig.engine.job_record(job.id)
    assert record.from_sidecar and record.sent_yet and record.job_id == job.id
    assert dict(record.sent) == sent_fields(job)
    assert (record.sent["seed"], record.sent["generate_audio"], record.sent["batch"]) == (42, False, "coast")
    returned = record.returned
    assert returned["operation_name"] == job.operation_name and returned["operation_name"]
    assert returned["rewritten_prompt"] == "A lighthouse at dawn, waves, soft light."
    assert returned["filter_reasons"] == ["Contains a public figure."]
    assert (returned["videos_requested"], returned["videos_delivered"], returned["seed"]) == (2, 1, 42)
    assert record.as_json()["returned"]["refund_usd"] == job.refunded_micros / 1e6 > 0


async def test_a_waiting_and_a_failed_job_read_their_rows(make_rig: RigFactory, tmp_path: Path) -> None:
    clock = ManualClock()
    provider = FakeProvider(clock=clock)
    provider.outcomes["broken"] = "error"
    rig = await make_rig(tmp_path, provider=provider, clock=clock)
    [failed] = await rig.engine.submit(request("a broken shot"))
    await rig.settle(lambda: _all_terminal(rig))
    await rig.engine.pause()
    [waiting] = await rig.engine.submit(request("a waiting shot", seed=7))
    record = await rig.engine.job_record(waiting.id)
    assert not record.sent_yet and not record.from_sidecar
    assert record.sent["seed"] == 7 and record.sent["prompt"] == "a waiting shot"
    assert record.returned["operation_name"] is None and record.returned["error_message"] is None
    failed = await rig.engine.get(failed.id)
    record = await rig.engine.job_record(failed.id)
    assert failed.status is JobStatus.FAILED and record.sent_yet and not record.from_sidecar
    assert record.returned["operation_name"] == failed.operation_name is not None
    assert record.returned["error_kind"] == "operation_error"
    assert record.returned["error_message"] == failed.error_message and "bad" in (failed.error_message or "")
    with pytest.raises(JobNotFound):
        await rig.engine.job_record("j-none")


async def test_a_finished_job_without_its_sidecar_falls_back_to_its_row(make_rig: RigFactory, tmp_path: Path) -> None:
    rig = await make_rig(tmp_path)
    [job] = await rig.engine.submit(request("moved away", seed=3))
    await rig.settle(lambda: _all_terminal(rig))
    job = await rig.engine.get(job.id)
    Path(job.outputs[0].path).with_suffix(".json").unlink()
    record = await rig.engine.job_record(job.id)
    assert not record.from_sidecar and record.sent_yet
    assert dict(record.sent) == sent_fields(job) and record.returned["operation_name"] == job.operation_name


def test_an_old_sidecar_without_sent_gets_the_request_fields() -> None:
    job = Job(
        id="j1",
        request=request("old"),
        status=JobStatus.COMPLETED,
        queue_order=1.0,
        attempt=1,
        cost_micros=1,
        created_at_ms=1,
        operation_name="op/1",
    )
    record = job_record(job, {"prompt": "old", "model": "m", "returned": {"seed": None}})
    assert record.from_sidecar and dict(record.sent) == sent_fields(job)
    assert record.returned == {"operation_name": "op/1", "seed": None}
